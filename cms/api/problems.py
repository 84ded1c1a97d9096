"""Errors of the JSON API as ``application/problem+json`` (RFC 9457), for every error
under ``/api/``: those of its views, and those raised before any view (an unknown address,
a method the address does not take, a rate limit). ``cms.errors`` and
``cms.rate_limits`` ask ``is_api_request()`` and answer here; the HTML site keeps its
pages.

A body has ``type`` (``about:blank``: the status says it all), ``title`` (the status's
name), ``status`` and ``detail``; a refused query or body also has ``errors``, the
field errors by where they were read (``{"query": {"limit": ["..."]}}``).
"""

from __future__ import annotations

from http import HTTPStatus

from flask import current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

PROBLEM_JSON = "application/problem+json"
#: Where the API lives: everything under it answers JSON, errors included.
API_PREFIX = "/api/"

#: Headers an error brings that the client needs (405's Allow, 429's Retry-After).
_KEPT_HEADERS = ("Allow", "Retry-After")


def is_api_request() -> bool:
    """Whether this request is one for the API (by its path: an unknown address under
    ``/api/`` matched no view, and still gets a problem)."""
    return request.path.startswith(API_PREFIX) or request.path == API_PREFIX.rstrip("/")


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: dict | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem+json response."""
    body = {
        "type": "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = current_app.json.response(body)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException, detail: str | None = None) -> Response:
    """The problem for ``error``: its status, name and description, its field errors
    when the request's arguments were refused (webargs puts them in ``error.data``), and
    the headers it carries that a client acts on."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    if errors:
        detail = detail or "The request has fields that are missing, unknown or not valid."
    kept = {name: value for name, value in error.get_headers() if name in _KEPT_HEADERS}
    kept.update(data.get("headers") or {})
    return problem(
        status,
        detail or error.description or error.name,
        title=error.name,
        errors=errors,
        headers=kept,
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
