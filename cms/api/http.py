"""What every API answer shares: no cookies in, CORS for the origins the settings name,
and the rate limit's ``RateLimit-*`` headers."""

from __future__ import annotations

import time

from flask import Flask, current_app, request
from werkzeug.wrappers import Response

from cms.api.problems import API_PREFIX, is_api_request

#: Headers a script on another origin may read (the rest of CORS's safelisted ones).
_EXPOSED = "ETag, Last-Modified, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After"


class WithoutCookies:
    """WSGI middleware: requests under ``/api/`` reach the app without their cookies.

    The API is the same for everyone (writes will take a token, never a session): a
    session or remember-me cookie must not make it act as someone signed in, nor give a
    page from another site the reader's account through CORS. Dropped before the app sees
    the request, so neither Flask-Login, Flask-Principal, the CSRF check nor the page
    cache (which serves signed-in people apart) ever reads one.
    """

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(API_PREFIX):
            environ.pop("HTTP_COOKIE", None)
        return self.app(environ, start_response)


def add_cors_headers(response: Response) -> Response:
    """Let scripts on the origins of ``API_CORS_ORIGINS`` read the API (an ``after_request``).
    Every API answer says it varies by ``Origin`` when the list is not empty."""
    allowed = current_app.config["API_CORS_ORIGINS"]
    if not allowed or not is_api_request():
        return response
    response.vary.add("Origin")
    origin = request.headers.get("Origin", "")
    if origin.lower() not in allowed:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = _EXPOSED
    if request.method == "OPTIONS":
        # The preflight of a GET that sends a validator (If-None-Match is not safelisted).
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        response.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def add_rate_limit_headers(response: Response) -> Response:
    """The limit this request counted against, as ``RateLimit-Limit``, ``-Remaining`` and
    ``-Reset`` (seconds until it lets up), on the API's answers (its blueprint's
    ``after_request``; Flask-Limiter's own headers would go on the sign-in forms too)."""
    from cms.rate_limits import current_request_limit

    limit = current_request_limit()
    if limit is not None:
        response.headers["RateLimit-Limit"] = str(limit.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, limit.remaining))
        response.headers["RateLimit-Reset"] = str(max(0, int(limit.reset_at - time.time())))
    return response


def register(app: Flask) -> None:
    app.wsgi_app = WithoutCookies(app.wsgi_app)
    app.after_request(add_cors_headers)
