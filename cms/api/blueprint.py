"""The API's one blueprint, ``/api/v1``, shared by the modules of its endpoints: the public
reads (``posts``, ``catalogue``), the same for every caller, and the editorial side under
``/api/v1/editorial/`` (``editorial_*``), which needs a personal token (``auth``)."""

from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma
from flask import current_app, request, url_for
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.wrappers import Response

from cms.api.http import add_rate_limit_headers
from cms.api.spec import COMMON_STATUSES
from cms.public import caching
from cms.rate_limits import API_READ, limited


class _SchemasDecideParser(FlaskParser):
    """webargs excludes unknown query arguments whatever the schema says (its default by
    location): here each schema's ``Meta.unknown`` decides, and ours refuse them."""

    DEFAULT_UNKNOWN_BY_LOCATION: dict = {}


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = _SchemasDecideParser()


blueprint = ApiBlueprint(
    "api_v1",
    __name__,
    url_prefix="/api/v1",
    description="Published posts, their tags and authors: what readers see on the site; "
    "and, with a personal token, the editorial side (/api/v1/editorial/).",
)

#: The spec's names for the responses other than 200 (``cms.api.spec``).
_RESPONSE_NAMES = {
    304: "NOT_MODIFIED",
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
}


#: An old address (a slug that changed, as on the site): no body, the new one in Location.
_MOVED_PERMANENTLY = {
    "description": "Moved: a slug in the address changed since. The same request at the "
    "new address, in Location.",
    "headers": {
        "Location": {"description": "The new address.", "schema": {"type": "string"}},
    },
}


def documented_statuses(*statuses: int):
    """Put ``statuses`` and those any operation may answer in the view's spec."""

    def document(view):
        for status in (*statuses, *COMMON_STATUSES):
            if status == 301:
                view = blueprint.alt_response(301, **_MOVED_PERMANENTLY)(view)
            else:
                view = blueprint.alt_response(status, response=_RESPONSE_NAMES[status])(view)
        return view

    return document


def moved_permanently(**values: str) -> Response:
    """A 301 to this request's endpoint at ``values`` (a slug, in the path or the query,
    that changed since), its other path and query arguments kept. No body: a 301 of the
    API says all it says in Location."""
    arguments = {**request.args.to_dict(), **(request.view_args or {}), **values}
    response = current_app.response_class(status=301)
    response.headers["Location"] = url_for(request.endpoint, _external=True, **arguments)
    del response.headers["Content-Type"]
    return response


def public_read(
    rule: str,
    arguments: type[ma.Schema],
    response: type[ma.Schema],
    *statuses: int,
    as_kwargs: bool = False,
) -> Callable:
    """Route ``GET rule`` to the view as a public read: rate limited (``API_READ``), served
    through the site's page cache (ETag, 304), its query ``arguments`` parsed (unknown
    ones refused: 422), its 200 answer written with ``response``, and ``statuses`` besides
    those in the spec. One decorator, so that no read endpoint goes without the limit or
    the cache. ``as_kwargs``: the arguments come as keyword arguments, not one dict."""

    def route(view: Callable) -> Callable:
        # Innermost first: the cache keeps the parsed and serialized answer, and the limit
        # counts every request, the cached ones too.
        view = documented_statuses(*statuses, 422)(view)
        view = blueprint.response(200, response)(view)
        view = blueprint.arguments(arguments, location="query", as_kwargs=as_kwargs)(view)
        view = limited(API_READ)(caching.cached_page(view))
        return blueprint.route(rule, methods=["GET"])(view)

    return route


blueprint.after_request(add_rate_limit_headers)
