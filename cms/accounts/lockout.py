"""Locking an account after repeated failed sign-in attempts, and unlocking it.

After ``LOGIN_LOCKOUT_ATTEMPTS`` failures in a row (wrong passwords, authenticator codes or
recovery codes, counted alike), signing in is refused for ``LOGIN_LOCKOUT_MINUTES``, whatever
is typed. Flask-Security asks the user model (``User.track_failed_authn``, ``User.is_locked``),
which asks this module. A locked account gets exactly the answer a wrong password gets, so the
answer never tells a stranger that the account exists or that it is locked.

The count and the lock are columns of the user, changed and read in SQL, so that parallel
attempts on any number of app instances all count and none gets past the lock: a failure is
counted (and the lock set) by one UPDATE, and a right answer is let in only after the lock is
read again with the row locked. Rate limits (``cms.rate_limits``) slow guessing; the lock caps it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_security.forms import TwoFactorVerifyCodeForm
from flask_security.proxies import _security
from flask_security.recovery_codes import MfRecoveryForm
from flask_security.utils import get_message
from sqlalchemy import case, literal, or_, select, update

from cms import clock
from cms.accounts import totp
from cms.accounts.models import User
from cms.audit import service as audit
from cms.extensions import db


def locked_until(user: User) -> datetime | None:
    """When the user's lock ends, or None when the account is not locked now (as loaded)."""
    until = user.locked_until
    return until if until is not None and until > clock.utcnow() else None


def is_locked(user: User) -> bool:
    """Whether the user is locked, as loaded (for display; sign-in asks ``refuses``)."""
    return locked_until(user) is not None


def refuses(user: User) -> bool:
    """Whether sign-in must be refused now: the lock as stored, read with the row locked
    (PostgreSQL; SQLite serialises writers), so a failure counted by a parallel request
    before this one finishes is seen."""
    query = select(User.locked_until).where(User.id == user.id)
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    until = db.session.execute(query).scalar_one_or_none()
    return until is not None and until > clock.utcnow()


def count_failure(user: User) -> None:
    """Count one failed attempt, and lock the account on the one too many. While locked,
    attempts are not counted (they cannot lengthen the lock)."""
    now = clock.utcnow()
    limit = current_app.config["LOGIN_LOCKOUT_ATTEMPTS"]
    until = now + timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])
    reaches_limit = User.failed_login_count + 1 >= limit
    # One statement: the increment and the lock cannot be split by a parallel attempt.
    statement = (
        update(User)
        .where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(
            # A fresh count once the lock ends.
            failed_login_count=case((reaches_limit, 0), else_=User.failed_login_count + 1),
            locked_until=case(
                (reaches_limit, literal(until, User.locked_until.type)), else_=User.locked_until
            ),
        )
        .returning(User.locked_until)
        .execution_options(synchronize_session="fetch")
    )
    row = db.session.execute(statement).one_or_none()
    if row is not None and row.locked_until is not None and row.locked_until > now:
        audit.record("user.lock", user, {"failed_logins": limit, "locked_until": until})
    # Now: Flask-Security's views do not commit a refused attempt, and the row stays locked
    # (PostgreSQL) only until this commit.
    db.session.commit()


def forget_failures(user: User) -> None:
    """After a complete sign-in: the failures before it no longer count."""
    if user.failed_login_count:
        user.failed_login_count = 0


def unlock(user: User, *, by: User | None) -> bool:
    """End the user's lock and forget their failed logins (not committed); ``by`` is the
    admin (None for the CLI). Returns whether the account was locked."""
    was_locked = is_locked(user)
    user.locked_until = None
    user.failed_login_count = 0
    if was_locked:
        audit.record("user.unlock", user, actor=by)
    return was_locked


class LockedTwoFactorCodeForm(TwoFactorVerifyCodeForm):
    """Flask-Security's authenticator-code form (which counts wrong codes), refusing even
    the right code while the account is locked: Flask-Security asks ``is_locked`` only
    before the second factor. A code refused for being used already (``cms.accounts.totp``)
    is counted too, but answered with what to do: wait for the next code."""

    def validate(self, **kwargs) -> bool:
        valid = super().validate(**kwargs)
        if valid and not self.is_setup and self.user.is_locked():
            self.code.errors.append(get_message("TWO_FACTOR_INVALID_TOKEN")[0])
            return False
        if not valid and self._used_already():
            self.code.errors[:] = [totp.USED_ALREADY]
        return valid

    def _used_already(self) -> bool:
        return bool(
            self.user is not None
            and self.code.data
            and _security.totp_factory.used_already(
                self.code.data, self.tf_totp_secret, self.user, self.window
            )
        )


class LockedRecoveryCodeForm(MfRecoveryForm):
    """Flask-Security's recovery-code form, counting wrong codes (Flask-Security does not)
    and refusing even a right one while the account is locked."""

    def validate(self, **kwargs) -> bool:
        valid = super().validate(**kwargs)
        if not valid and self.user is not None and self.code.data:
            self.user.track_failed_authn("recovery_code", True)
        elif valid and self.user.is_locked():
            self.code.errors.append(get_message("INVALID_RECOVERY_CODE")[0])
            return False
        return valid
