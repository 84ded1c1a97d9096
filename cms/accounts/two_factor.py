"""Two-factor sign-in: who must use it, who has it, and an admin's reset.

Flask-Security-Too runs the sign-in itself (an authenticator app, security keys, recovery
codes); it asks the user model, which asks this module, whether a user must give a second
factor. A registered security key is a second factor on its own: Flask-Security counts it
among the user's set-up methods, signs in with it when it is the only one, and lets the
user choose (/tf-select) when there is an app too.
"""

from __future__ import annotations

from flask import current_app
from flask_security.proxies import _datastore

from cms.accounts import service
from cms.accounts.models import User
from cms.audit import service as audit


def is_required_for(user: User) -> bool:
    """Whether ``user`` may not sign in (nor stay signed in) without two-factor: on when
    TWO_FACTOR_REQUIRED is, for anyone holding a role in TWO_FACTOR_REQUIRED_ROLES."""
    config = current_app.config
    return bool(
        config["TWO_FACTOR_REQUIRED"] and user.role_names & config["TWO_FACTOR_REQUIRED_ROLES"]
    )


def has_authenticator(user: User) -> bool:
    """Whether ``user`` has set up an authenticator app (Flask-Security's own test)."""
    return bool(user.tf_totp_secret and user.tf_primary_method)


def has_security_key(user: User) -> bool:
    """Whether ``user`` has registered a security key (all are second-factor keys here)."""
    return bool(user.webauthn)


def has_two_factor(user: User) -> bool:
    """Whether ``user`` has a second factor: an authenticator app or a security key."""
    return has_authenticator(user) or has_security_key(user)


def must_enroll(user: User) -> bool:
    """Required but not set up: such a user is sent to set it up before anything else."""
    return is_required_for(user) and not has_two_factor(user)


def reset(user: User, *, by: User | None) -> None:
    """Remove ``user``'s authenticator, security keys and recovery codes (they lost their
    phone or key), and sign them out everywhere: a session on the lost phone must not
    outlive its second factor.
    Recorded in the audit log; not committed. ``by`` is the admin (None for the CLI).

    :raise service.AccountError: when ``user`` has nothing to reset.
    """
    if not has_two_factor(user) and not user.mf_recovery_codes:
        raise service.AccountError(f"{user.email} has no two-factor sign-in to reset.")
    keys = [key.name for key in user.webauthn]
    _datastore.tf_reset(user)
    for key in list(user.webauthn):
        _datastore.delete_webauthn(key)
    user.mf_recovery_codes = None
    service.end_sessions(user)
    changes = {"two_factor": ["on", "off"]}
    if keys:
        changes["security_keys_removed"] = keys
    audit.record("user.two_factor_reset", user, changes, actor=by)
