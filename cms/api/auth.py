"""The API's editorial side, ``/api/v1/editorial/``: what a program does with a personal
token (``cms.tokens``), as the token's owner, through the same policy and services as the
dashboard.

A request names its token in ``Authorization: Bearer cms_…``, and nothing else: cookies
never reach the API (``cms.api.http.WithoutCookies``), so there is no session to ride on
and no CSRF surface; nobody is signed in through Flask-Login. The token is checked at each
request (``tokens.authenticate_token`` re-reads the owner, their roles and ``active``), and
the request then acts as its owner through the ``api`` door, under the token's name
(``cms.acting``), which every audit entry keeps.

Editorial answers are the owner's alone: ``Cache-Control: private, no-store``, and no view
here goes through the page cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from http import HTTPStatus

import marshmallow as ma
from flask import Flask, abort, current_app, g, request
from werkzeug.wrappers import Response

from cms import acting
from cms.accounts.models import User
from cms.api.blueprint import blueprint
from cms.api.problems import problem
from cms.extensions import csrf
from cms.rate_limits import API_EDITORIAL, client_address, limited
from cms.tokens import service as tokens
from cms.tokens.models import ApiToken

#: Where every endpoint that needs a token lives.
EDITORIAL_PREFIX = "/api/v1/editorial/"
#: The spec's name of the scheme.
SCHEME = "personalToken"
_BEARER = "bearer"
#: Where a request keeps its checked token.
_CHECKED = "cms.api_token"


def bearer_token() -> str | None:
    """The token in ``Authorization: Bearer …``, or None."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != _BEARER:
        return None
    return credentials.strip() or None


def unauthorized(detail: str, *, invalid: bool) -> Response:
    """A 401 that says how to authenticate (RFC 6750)."""
    challenge = 'Bearer realm="cms"'
    if invalid:
        challenge += ', error="invalid_token"'
    return problem(401, detail, headers={"WWW-Authenticate": challenge})


def token_required(view: Callable) -> Callable:
    """The view acts as the token's owner; without a working token, 401."""

    @functools.wraps(view)
    def authenticated(*args, **kwargs):
        raw = bearer_token()
        if raw is None:
            abort(
                unauthorized(
                    "This needs a personal API token: send it as Authorization: Bearer cms_….",
                    invalid=False,
                )
            )
        token = authenticated_token()
        if token is None:
            abort(
                unauthorized(
                    "This token does not open anything: it is unknown, revoked or expired, "
                    "or its owner's account is deactivated.",
                    invalid=True,
                )
            )
        g.acting = acting.Acting(acting.Door.API, request.remote_addr, token.user, token.name)
        return view(*args, **kwargs)

    return authenticated


def authenticated_token() -> ApiToken | None:
    """This request's working token, or None; checked once per request (the rate limit
    asks first, before the view)."""
    # Kept in the request's environ, not ``g``: an app context may outlive one request
    # (a test's, or a CLI's), and ``g`` would hand the next request this one's token.
    if _CHECKED not in request.environ:
        request.environ[_CHECKED] = tokens.authenticate_token(bearer_token())
    return request.environ[_CHECKED]


def rate_limit_key() -> str:
    """What the editorial side's rate limit counts by: the token, or for requests whose
    token does not work, the client's address (so guessing tokens is limited too)."""
    token = authenticated_token()
    return f"token:{token.id}" if token is not None else f"address:{client_address()}"


def per_token_limit() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


def actor() -> User:
    """The token's owner, acting in this request."""
    user = acting.user()
    assert user is not None, "a view without token_required"
    return user


def documented(*statuses: int) -> Callable:
    """Put ``statuses``, and those any token operation may answer (400 for a body that is
    not JSON, 401, 422, 429), in the view's spec, with the token as its security."""

    def document(view):
        for status in sorted({*statuses, 400, 401, 422, 429}):
            view = blueprint.alt_response(status, response=HTTPStatus(status).name)(view)
        return blueprint.doc(security=[{SCHEME: []}])(view)

    return document


def editorial_operation(
    method: str,
    rule: str,
    answer: tuple[int, type[ma.Schema] | None],
    *statuses: int,
    arguments: type[ma.Schema] | None = None,
    in_query: bool = False,
) -> Callable:
    """Route ``method rule`` to the view as a token operation: limited per token
    (``API_EDITORIAL``), acting as the token's owner (401 without a working one), its JSON
    body (or, ``in_query``, its query, as keyword arguments) parsed with ``arguments``, its
    answer ``(status, schema)``, and ``statuses`` besides those every token operation may
    answer, in the spec. One decorator, so that no token operation goes without the limit
    or the token check."""

    def route(view: Callable) -> Callable:
        view = documented(*statuses)(view)
        view = blueprint.response(*answer)(view)
        if arguments is not None:
            location = "query" if in_query else "json"
            view = blueprint.arguments(arguments, location=location, as_kwargs=in_query)(view)
        view = limited(API_EDITORIAL)(token_required(view))
        return blueprint.route(rule, methods=[method])(view)

    return route


def _private(response: Response) -> Response:
    if request.path.startswith(EDITORIAL_PREFIX):
        response.headers["Cache-Control"] = "private, no-store"
    return response


def register(app: Flask, api) -> None:
    """The token's scheme in the spec; editorial answers never kept by a shared cache; no
    CSRF check on the API (it reads no cookie, so no other site can act through one)."""
    api.spec.components.security_scheme(
        SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (cms_…), made in the dashboard or with "
            "`flask cms tokens create`.",
        },
    )
    csrf.exempt(blueprint)
    app.after_request(_private)
