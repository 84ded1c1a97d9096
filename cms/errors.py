"""Error pages: HTML for people, JSON for programs that ask for it."""

from __future__ import annotations

from flask import Flask, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import (
    Conflict,
    HTTPException,
    InternalServerError,
    RequestEntityTooLarge,
)

from cms.api import problems
from cms.extensions import db

_TEMPLATES = {403: "errors/403.html", 404: "errors/404.html", 500: "errors/500.html"}


def wants_json() -> bool:
    # Browsers send */* or text/html first and never a JSON body; a client that prefers
    # JSON, or sent JSON, gets JSON.
    return request.is_json or (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


def _respond(error: HTTPException):
    if problems.is_api_request():
        return problems.from_http_exception(error)
    code = error.code or 500
    if wants_json():
        return {"error": error.name, "message": error.description}, code
    template = _TEMPLATES.get(code, "errors/generic.html")
    return render_template(template, error=error), code


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        return _respond(error)

    @app.errorhandler(RequestEntityTooLarge)
    def handle_too_large(error: RequestEntityTooLarge):
        megabytes = app.config["MAX_CONTENT_LENGTH"] / (1024 * 1024)
        return _respond(
            RequestEntityTooLarge(
                f"This request is larger than the {megabytes:g} MB the site accepts, so "
                "nothing was saved. Go back: your browser may still have your text in the "
                "form. Shorten it (or split it into several posts) and try again."
            )
        )

    @app.errorhandler(StaleDataError)
    def handle_concurrent_change(error: StaleDataError):
        # Someone changed the same row between this request's read and its write.
        db.session.rollback()
        return _respond(
            Conflict(
                "Someone else changed this at the same moment, so nothing was saved. "
                "Go back, reload the page and try again."
            )
        )

    @app.errorhandler(InternalServerError)
    def handle_server_error(error: InternalServerError):
        # Whatever failed may have left the session mid-transaction.
        db.session.rollback()
        return _respond(error)
