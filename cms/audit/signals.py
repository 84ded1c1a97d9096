"""Logins, logouts, password changes and failed logins, from Flask-Security, into the log."""

from __future__ import annotations

from flask_login import user_logged_out
from flask_security import LoginForm
from flask_security.signals import password_changed, password_reset, user_authenticated
from flask_security.utils import get_message

from cms.accounts import lockout
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


def record_failed_login(attempted: str) -> None:
    """Log a failed login for the email typed (none typed: nothing to say)."""
    attempted = attempted.strip()
    if attempted:
        record("auth.login_failed", None, {"email": attempted}, target_label=attempted)
        db.session.commit()


class AuditedLoginForm(LoginForm):
    """Flask-Security's login form, recording failed attempts (there is no signal for it)
    and refusing locked accounts with the answer a wrong password gets."""

    def validate(self, **kwargs) -> bool:
        valid = super().validate(**kwargs)
        permitted = self.user is None or lockout.allows_login(
            self.user, password_correct=self.user_authenticated
        )
        if valid and not permitted:  # the right password for a locked account: say it's wrong
            self.password.errors.append(get_message("INVALID_PASSWORD")[0])
            self.user_authenticated = valid = False
        if not valid and self.email and isinstance(self.email.data, str):
            record_failed_login(self.email.data)
        return valid
