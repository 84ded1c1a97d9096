"""Rate limits on signing in and on password reset (Flask-Limiter).

Two kinds, each counted per account (the submitted e-mail address, or the user half-way
through a two-factor sign-in) and per client address:

- ``SIGN_IN``: failed attempts only (login, two-factor and recovery codes, passkeys,
  invitations, the current password on "change password"), so people who type their
  password right are never slowed down;
- ``RESET``: every request (forgot password, reset password, registration and re-sending
  its confirmation), since each may send a mail.

Unknown addresses are counted like known ones, so a 429 says nothing about who has an
account. With ``REDIS_URL`` every app instance shares the counts; without it each process
keeps its own. If Redis stops answering, each process counts in memory (with a warning in
the log) until it answers again: failing open would switch the protection off for anyone
able to overload Redis, and answering 500 would lock everybody out.

Each app gets its own ``Limiter``: one shared by every app a process creates would keep the
storage and key prefix of the first.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_login import current_user
from flask_security import url_for_security
from werkzeug.exceptions import TooManyRequests
from werkzeug.wrappers import Response

log = logging.getLogger(__name__)

SIGN_IN = "sign_in"
RESET = "reset"
#: The public API's reads (cms.api): every request, per client address, whatever its method.
API_READ = "api_read"
#: The API's token requests (cms.api.auth): every request, per token.
API_EDITORIAL = "api_editorial"

#: Flask-Security's endpoints and their kind; those the app's settings switch on are limited.
SECURITY_ENDPOINTS = {
    "security.login": SIGN_IN,
    "security.verify": SIGN_IN,
    "security.two_factor_token_validation": SIGN_IN,
    "security.mf_recovery": SIGN_IN,
    "security.wan_signin_response": SIGN_IN,
    "security.wan_verify_response": SIGN_IN,
    "security.us_signin": SIGN_IN,
    "security.us_verify": SIGN_IN,
    # Its current-password check is a password guess for whoever holds a session cookie.
    "security.change_password": SIGN_IN,
    "security.forgot_password": RESET,
    "security.reset_password": RESET,
    "security.two_factor_rescue": RESET,
    # With REGISTRATION_ENABLED: each sends a mail to the submitted address.
    "security.register": RESET,
    "security.send_confirmation": RESET,
}

_MARK = "cms_rate_limit"
_EXTENSION = "cms_rate_limits"
_LIMITED = "cms_rate_limited_endpoints"


# Module-level functions, not lambdas: Flask-Limiter tells limits apart by their functions.


def client_address() -> str:
    """The client's address, as limits count it: an IPv6 client is its /64, since one
    household or server is handed a whole /64 and could step through it address by address."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:203.0.113.5 is that IPv4 client
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def account_key() -> str:
    """Who the request is about: the submitted address (known or not), else the user being
    signed in or re-authenticated; hashed, so the storage holds no address in clear."""
    submitted = request.form.get("email")
    if submitted is None and request.is_json:
        body = request.get_json(silent=True)
        submitted = body.get("email") if isinstance(body, dict) else None
    if isinstance(submitted, str) and submitted.strip():
        who = "email:" + submitted.strip().lower()
    elif session.get("tf_user_id"):
        who = f"user:{session['tf_user_id']}"
    elif current_user.is_authenticated:
        who = f"user:{current_user.fs_uniquifier}"
    else:
        return ""
    return hashlib.sha256(who.encode()).hexdigest()[:32]


def names_no_account() -> bool:
    return not account_key()


def failed_attempt(response: Response) -> bool:
    """A failed sign-in comes back as the form again (200) or, for JSON, an error (4xx);
    success redirects (forms) or answers 200 (JSON). A 429 was not an attempt.
    A security key's refused answer is the exception: a redirect back to the key's page."""
    if response.status_code == 429:
        return False
    if request.is_json:
        return response.status_code >= 400
    if request.endpoint == "security.wan_signin_response" and response.status_code == 302:
        return urlsplit(response.location).path == url_for_security("wan_signin")
    return response.status_code == 200 or response.status_code >= 400


def _sign_in_per_account() -> str:
    return current_app.config["RATE_LIMIT_SIGN_IN_PER_ACCOUNT"]


def _sign_in_per_address() -> str:
    return current_app.config["RATE_LIMIT_SIGN_IN_PER_ADDRESS"]


def _reset_per_account() -> str:
    return current_app.config["RATE_LIMIT_RESET_PER_ACCOUNT"]


def _reset_per_address() -> str:
    return current_app.config["RATE_LIMIT_RESET_PER_ADDRESS"]


def _api_read_per_address() -> str:
    return current_app.config["API_READ_RATE_LIMIT"]


_LIMITS = {
    SIGN_IN: (_sign_in_per_account, _sign_in_per_address, failed_attempt),
    RESET: (_reset_per_account, _reset_per_address, None),
}


def limited(kind: str) -> Callable:
    """Mark a view to be limited as ``kind`` (``SIGN_IN`` or ``RESET``). ``init_rate_limits``
    limits the marked views registered before it runs (it runs last in ``create_app``);
    for views registered later, call ``apply_limits`` afterwards."""
    if kind not in _LIMITS and kind not in (API_READ, API_EDITORIAL):
        raise ValueError(f"unknown kind of rate limit: {kind!r}")

    def mark(view: Callable) -> Callable:
        setattr(view, _MARK, kind)
        return view

    return mark


def init_rate_limits(app: Flask) -> Limiter:
    """Give the app its own limiter, limit the views there are, answer 429s."""
    redis_url = app.config.get("REDIS_URL")
    limiter = Limiter(
        client_address,
        app=app,
        storage_uri=redis_url or "memory://",
        # An unreachable Redis must not hold up a login for long before the fallback.
        storage_options={"socket_connect_timeout": 1, "socket_timeout": 1} if redis_url else {},
    )
    app.extensions[_EXTENSION] = limiter
    app.extensions[_LIMITED] = set()
    _check_limited_requests_only(app, limiter)
    apply_limits(app)
    app.register_error_handler(TooManyRequests, too_many_attempts)
    if not redis_url and app.config["CMS_CONFIG"] == "ProductionConfig":
        log.info("Rate limits are counted in memory, per process: set REDIS_URL to share them")
    return limiter


def _check_limited_requests_only(app: Flask, limiter: Limiter) -> None:
    """Let the limiter see only the requests to endpoints ``apply_limits`` limited.

    Out of the box its three hooks (before, after and at the end of every request) work
    out the empty limits of every request, the readers' pages included: a sixth of a
    page's time when served from the page cache. The hooks are replaced, found by identity
    (a version that renames them fails here, at start-up). With a default or app-wide
    limit in the settings, every request is checked as before.
    """
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        return
    limited_endpoints = app.extensions[_LIMITED]
    check = limiter._check_request_limit
    (after,) = [
        hook
        for hook in app.after_request_funcs[None]
        if isinstance(hook, functools.partial) and hook.args == (limiter,)
    ]
    release = limiter._Limiter__release_context

    def check_if_limited() -> None:
        if request.endpoint in limited_endpoints:
            check()

    def after_if_limited(response: Response) -> Response:
        if request.endpoint in limited_endpoints:
            return after(response)
        return response

    def release_if_limited(error: BaseException | None = None) -> None:
        if request.endpoint in limited_endpoints:
            release(error)

    for hooks, hook, replacement in (
        (app.before_request_funcs[None], check, check_if_limited),
        (app.after_request_funcs[None], after, after_if_limited),
        (app.teardown_request_funcs[None], release, release_if_limited),
    ):
        hooks[hooks.index(hook)] = replacement


def apply_limits(app: Flask) -> None:
    """Limit the POSTs of Flask-Security's endpoints (those the settings switch on) and of
    the views marked with ``limited``, each once."""
    limiter: Limiter = app.extensions[_EXTENSION]
    done: set[str] = app.extensions[_LIMITED]
    for endpoint, view in list(app.view_functions.items()):
        kind = SECURITY_ENDPOINTS.get(endpoint) or getattr(view, _MARK, None)
        if not kind or endpoint in done:
            continue
        if kind in (API_READ, API_EDITORIAL):
            from cms.api import auth  # not at the top: it imports this module

            limit, key = _api_read_per_address, client_address
            if kind == API_EDITORIAL:
                limit, key = auth.per_token_limit, auth.rate_limit_key
            app.view_functions[endpoint] = limiter.limit(limit, key_func=key)(view)
            done.add(endpoint)
            continue
        per_account, per_address, deduct_when = _LIMITS[kind]
        view = limiter.limit(
            per_address, key_func=client_address, methods=["POST"], deduct_when=deduct_when
        )(view)
        view = limiter.limit(
            per_account,
            key_func=account_key,
            methods=["POST"],
            deduct_when=deduct_when,
            exempt_when=names_no_account,
        )(view)
        # Reassigned, not only decorated: Flask calls what the map holds.
        app.view_functions[endpoint] = view
        done.add(endpoint)


def seconds_until_allowed() -> int:
    """How long until every limit this request broke lets up again."""
    limiter: Limiter = current_app.extensions[_EXTENSION]
    ends = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    return max(1, int(max(ends, default=time.time() + 60) - time.time()))


def current_request_limit():
    """The limit this request was counted against that runs out first, or None."""
    limiter: Limiter | None = current_app.extensions.get(_EXTENSION)
    return limiter.current_limit if limiter is not None else None


def _in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


def too_many_attempts(error: TooManyRequests) -> ResponseReturnValue:
    from cms.admin import admin_layout_context
    from cms.api import problems
    from cms.errors import wants_json

    wait = seconds_until_allowed()
    if problems.is_api_request():
        detail = f"Too many requests from this client. Try again in {_in_words(wait)}."
        return problems.problem(429, detail, headers={"Retry-After": str(wait)})
    message = f"Too many attempts. Try again in {_in_words(wait)}."
    headers = {"Retry-After": str(wait)}
    if request.is_json or wants_json():
        body = {"error": "Too Many Requests", "message": message, "retry_after": wait}
        return body, 429, headers
    page = render_template("errors/429.html", message=message, **admin_layout_context())
    return page, 429, headers
