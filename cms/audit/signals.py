"""Logins, logouts, password changes and failed logins, from Flask-Security, into the log."""

from __future__ import annotations

from flask_login import user_logged_out
from flask_security import LoginForm
from flask_security.signals import (
    password_changed,
    password_reset,
    user_authenticated,
    user_confirmed,
    user_registered,
)

from cms.audit.service import record
from cms.extensions import db


@user_authenticated.connect
def _logged_in(app, user, authn_via=None, **extra):
    # Committed by Flask-Security's login view along with the login's own changes.
    record("auth.login", user, {"via": authn_via}, actor=user)


@user_logged_out.connect
def _logged_out(app, user=None, **extra):
    if user is not None:
        record("auth.logout", user, actor=user)
        db.session.commit()


@password_changed.connect
def _password_changed(app, user, **extra):
    record("auth.password_change", user, actor=user)


@password_reset.connect
def _password_reset(app, user, **extra):
    record("auth.password_reset", user, actor=user)


@user_registered.connect
def _registered(app, user, **extra):
    # Committed by Flask-Security's register view. No role: an admin grants one later.
    record("user.register", user, {"email": user.email}, actor=user)


@user_confirmed.connect
def _confirmed(app, user, **extra):
    record("user.confirm", user, actor=user)


class AuditedLoginForm(LoginForm):
    """Flask-Security's login form, recording failed attempts (there is no signal for it)."""

    def validate(self, **kwargs) -> bool:
        valid = super().validate(**kwargs)
        attempted = (self.email.data or "").strip() if self.email else ""
        if not valid and attempted:
            record("auth.login_failed", None, {"email": attempted}, target_label=attempted)
            db.session.commit()
        return valid
