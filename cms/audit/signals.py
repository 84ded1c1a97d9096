"""Logins, logouts, password changes, failed logins and two-factor changes (security keys
included), from Flask-Security, into the log."""

from __future__ import annotations

from flask import has_request_context, request, session
from flask_login import user_logged_out
from flask_security import LoginForm
from flask_security.signals import (
    password_changed,
    password_reset,
    tf_code_confirmed,
    tf_disabled,
    tf_profile_changed,
    user_authenticated,
    user_confirmed,
    user_registered,
    wan_deleted,
    wan_registered,
)

from cms.accounts import lockout
from cms.audit.service import record
from cms.extensions import db

#: Flask-Security's views that finish a login with a second factor, and what it was.
_SECOND_FACTOR_VIEWS = {
    "security.two_factor_token_validation": "authenticator",
    "security.mf_recovery": "recovery code",
    "security.wan_signin_response": "security key",
}


@user_authenticated.connect
def _logged_in(app, user, authn_via=None, **extra):
    # Committed by Flask-Security's login view along with the login's own changes.
    second = _SECOND_FACTOR_VIEWS.get(request.endpoint) if has_request_context() else None
    changes = {"via": authn_via} if second is None else {"via": authn_via, "second_factor": second}
    record("auth.login", user, changes, actor=user)
    lockout.forget_failures(user)
    if second == "recovery code":
        # The code is now spent (the view deleted it); how many are left is worth knowing.
        left = len(user.mf_recovery_codes or [])
        record("auth.recovery_code_used", user, {"codes_left": left}, actor=user)


@tf_code_confirmed.connect
def _two_factor_confirmed(app, user, method=None, **extra):
    # Sent for every two-factor login too; only a setup during login validates a new profile.
    if session.get("tf_state") == "validating_profile":
        record("auth.two_factor_setup", user, {"method": method, "during": "login"}, actor=user)


@tf_profile_changed.connect
def _two_factor_changed(app, user, method=None, **extra):
    record("auth.two_factor_setup", user, {"method": method}, actor=user)


@tf_disabled.connect
def _two_factor_disabled(app, user, **extra):
    record("auth.two_factor_disable", user, actor=user)


@wan_registered.connect
def _security_key_registered(app, user, name=None, **extra):
    # Committed by Flask-Security's view along with the new key.
    record("auth.security_key_registered", user, {"name": name}, actor=user)


@wan_deleted.connect
def _security_key_deleted(app, user, name=None, **extra):
    record("auth.security_key_deleted", user, {"name": name}, actor=user)


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


@user_registered.connect
def _registered(app, user, **extra):
    # Committed by Flask-Security's register view. No role: an admin grants one later.
    record("user.register", user, {"email": user.email}, actor=user)


@user_confirmed.connect
def _confirmed(app, user, **extra):
    record("user.confirm", user, actor=user)


class AuditedLoginForm(LoginForm):
    """Flask-Security's login form, recording failed attempts (including unknown addresses,
    for which Flask-Security has no signal). The lock is the user model's
    (``User.is_locked``)."""

    def validate(self, **kwargs) -> bool:
        valid = super().validate(**kwargs)
        if not valid and self.email and isinstance(self.email.data, str):
            record_failed_login(self.email.data)
        return valid
