"""Two-factor sign-in: who must use it, who has it, and an admin's reset.

Flask-Security-Too runs the sign-in itself (an authenticator app, recovery codes); it asks
the user model, which asks this module, whether a user must give a code.
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


def has_two_factor(user: User) -> bool:
    """Whether ``user`` has set up an authenticator (Flask-Security's own test)."""
    return bool(user.tf_totp_secret and user.tf_primary_method)


def must_enroll(user: User) -> bool:
    """Required but not set up: such a user is sent to set it up before anything else."""
    return is_required_for(user) and not has_two_factor(user)


def reset(user: User, *, by: User | None) -> None:
    """Remove ``user``'s authenticator and recovery codes (they lost their phone), and sign
    them out everywhere: a session on the lost phone must not outlive its second factor.
    Recorded in the audit log; not committed. ``by`` is the admin (None for the CLI).

    :raise service.AccountError: when ``user`` has nothing to reset.
    """
    if not has_two_factor(user) and not user.mf_recovery_codes:
        raise service.AccountError(f"{user.email} has no two-factor sign-in to reset.")
    _datastore.tf_reset(user)
    user.mf_recovery_codes = None
    service.end_sessions(user)
    audit.record("user.two_factor_reset", user, {"two_factor": ["on", "off"]}, actor=by)
