"""The API's one blueprint, ``/api/v1``, shared by the modules of its endpoints: the public
reads (``posts``, ``catalogue``), the same for every caller, and the editorial side under
``/api/v1/editorial/`` (``editorial_*``), which needs a personal token (``auth``)."""

from __future__ import annotations

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser

from cms.api.http import add_rate_limit_headers
from cms.api.spec import COMMON_STATUSES


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


def documented_statuses(*statuses: int):
    """Put ``statuses`` and those any operation may answer in the view's spec."""

    def document(view):
        for status in (*statuses, *COMMON_STATUSES):
            view = blueprint.alt_response(status, response=_RESPONSE_NAMES[status])(view)
        return view

    return document


blueprint.after_request(add_rate_limit_headers)
