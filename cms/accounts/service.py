"""Creating and changing accounts: the admin views and the CLI share these."""

from __future__ import annotations

import secrets
import uuid

from flask_security import hash_password
from flask_security.proxies import _security

from cms.accounts.models import Role, User
from cms.extensions import db


class AccountError(ValueError):
    """Input that cannot make a valid account; the message says why, for one field."""


def normalise_email(email: str) -> str:
    """The canonical form of an address, as Flask-Security will look it up at login.

    :raise AccountError: when it is not an e-mail address.
    """
    try:
        return _security._mail_util.validate(email.strip())
    except ValueError as error:
        raise AccountError(f"{email!r} is not a valid e-mail address.") from error


def check_password(password: str, user: User | None = None) -> None:
    """:raise AccountError: when the password is too weak for Flask-Security's rules."""
    problems, _normalised = _security._password_util.validate(
        password, is_register=user is None, user=user
    )
    if problems:
        raise AccountError(" ".join(str(problem) for problem in problems))


def set_password(user: User, password: str) -> None:
    """Hash and store a new password, and end the user's other sessions."""
    check_password(password, user)
    user.password = hash_password(password)
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie the user holds."""
    user.fs_uniquifier = uuid.uuid4().hex


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def find_user(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == email))


def create_user(
    email: str, password: str, roles: list[str], *, full_name: str | None = None
) -> User:
    """Add an active user with the given role names (not committed).

    :raise AccountError: for an invalid or taken address, a weak password or an unknown role.
    """
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError(f"A user with the address {email} already exists.")
    found = db.session.scalars(db.select(Role).where(Role.name.in_(roles))).all()
    unknown = set(roles) - {role.name for role in found}
    if unknown:
        raise AccountError(f"No such role: {', '.join(sorted(unknown))}.")
    user = User(email=email, full_name=full_name, active=True, roles=list(found))
    set_password(user, password)
    db.session.add(user)
    return user
