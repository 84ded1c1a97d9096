"""The two steps of ``create_app`` that take more than a line: logging and the extensions."""

from __future__ import annotations

import logging
import sys

from flask import Flask, Request
from flask_security import SQLAlchemyUserDatastore
from werkzeug.middleware.proxy_fix import ProxyFix

from cms import schema_migrations
from cms.database import configure_postgresql, configure_sqlite
from cms.extensions import csrf, db, mail, security


def configure_logging(app: Flask) -> None:
    """Log to stdout, where a platform's log collector expects it (tests keep pytest's capture)."""
    if app.testing:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(app.config["LOG_LEVEL"])


def register_extensions(app: Flask) -> None:
    from cms.accounts import sessions as _sessions  # noqa: F401 - logout ends every session
    from cms.accounts.lockout import LockedRecoveryCodeForm, LockedTwoFactorCodeForm
    from cms.accounts.models import Role, User, WebAuthn
    from cms.accounts.password_reset import EvenForgotPasswordForm
    from cms.audit import models as _audit_models  # noqa: F401 - registers the table
    from cms.audit.signals import AuditedLoginForm
    from cms.posts import rendered as _rendered  # noqa: F401 - every save stores the HTML
    from cms.public.caching import init_page_cache
    from cms.tags import models as _tag_models  # noqa: F401 - registers the tables, Post.tags
    from cms.tokens import models as _token_models  # noqa: F401 - registers the table

    if app.config["TRUSTED_PROXIES"]:
        hops = app.config["TRUSTED_PROXIES"]
        # Not X-Forwarded-Host: the host comes from SERVER_NAME, never from a header.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # No server can drop a connection to a file: checking each one before use (a
        # statement of its own, on every request) only costs. PostgreSQL's keep the check,
        # for a server restarted under a worker's pool.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_pre_ping": False,
        }
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        elif db.engine.dialect.name == "postgresql":
            configure_postgresql(db.engine)
    schema_migrations.register(app)
    mail.init_app(app)
    # CSRFProtect must come before Flask-Security, which then leaves CSRF to it.
    csrf.init_app(app)
    security.init_app(
        app,
        SQLAlchemyUserDatastore(db, User, Role, WebAuthn),
        login_form=AuditedLoginForm,
        forgot_password_form=EvenForgotPasswordForm,
        two_factor_verify_code_form=LockedTwoFactorCodeForm,
        mf_recovery_form=LockedRecoveryCodeForm,
    )
    # Flask-Security wires its auth-token loader into Flask-Login whatever its settings say
    # (SECURITY_API_ENABLED_METHODS only binds its own decorators), so a token from a JSON
    # login would open every view, never expire, and be read from the query string too.
    # The CMS signs people in by session only.
    app.login_manager.request_loader(_no_token_sign_in)
    init_page_cache(app)


def _no_token_sign_in(request: Request) -> None:
    return None
