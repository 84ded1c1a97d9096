"""Locking an account after repeated failed logins, and unlocking it.

After ``LOGIN_LOCKOUT_ATTEMPTS`` failed password logins in a row, logging in is refused for
``LOGIN_LOCKOUT_MINUTES``, whatever the password. A locked account gets exactly the answer a
wrong password gets, so the answer never tells a stranger that the account exists or that
it is locked. The count and the lock are columns of the user, so every app instance sees
them. Rate limits (``cms.rate_limits``) slow the guessing down; the lock caps it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from cms import clock
from cms.accounts.models import User
from cms.audit import service as audit
from cms.extensions import db


def locked_until(user: User) -> datetime | None:
    """When the user's lock ends, or None when the account is not locked now."""
    until = user.locked_until
    return until if until is not None and until > clock.utcnow() else None


def is_locked(user: User) -> bool:
    return locked_until(user) is not None


def allows_login(user: User, *, password_correct: bool) -> bool:
    """Whether ``user`` may log in after a password check; counts a failure, and locks the
    account on the one too many. While locked, attempts are neither counted nor let in."""
    if is_locked(user):
        return False
    if not password_correct:
        _count_failure(user)
        return False
    if user.failed_login_count or user.locked_until is not None:
        user.failed_login_count = 0
        user.locked_until = None
    return True


def _count_failure(user: User) -> None:
    # Incremented in SQL: parallel attempts on several app instances all count.
    user.failed_login_count = User.failed_login_count + 1
    db.session.flush()
    failures = user.failed_login_count
    if failures < current_app.config["LOGIN_LOCKOUT_ATTEMPTS"]:
        return
    until = clock.utcnow() + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    user.locked_until = until
    user.failed_login_count = 0  # a fresh count once the lock ends
    audit.record("user.lock", user, {"failed_logins": failures, "locked_until": until})


def unlock(user: User, *, by: User | None) -> bool:
    """End the user's lock and forget their failed logins (not committed); ``by`` is the
    admin (None for the CLI). Returns whether the account was locked."""
    was_locked = is_locked(user)
    user.locked_until = None
    user.failed_login_count = 0
    if was_locked:
        audit.record("user.unlock", user, actor=by)
    return was_locked
