"""``/healthz``: for load balancers and uptime checks. 200 while the database answers."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cms.extensions import db

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("health check: the database does not answer")
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200, {"Cache-Control": "no-store"}
