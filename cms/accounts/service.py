"""Creating and changing accounts: the admin views and the CLI share these."""

from __future__ import annotations

import secrets
import uuid

from flask_security import hash_password
from flask_security.proxies import _security

from cms.accounts.models import Role, User
from cms.audit import service as audit
from cms.extensions import db


class AccountError(ValueError):
    """Input that cannot make a valid account; the message says why, for one field."""


def normalise_email(email: str) -> str:
    """The canonical form of an address: validated, and lower case throughout.

    Flask-Security finds users by e-mail ignoring case at login, so two addresses that
    differ only in case would be two accounts of which one can never log in.

    :raise AccountError: when it is not an e-mail address.
    """
    try:
        return _security._mail_util.validate(email.strip()).lower()
    except ValueError as error:
        raise AccountError(f"{email!r} is not a valid e-mail address.") from error


def check_password(password: str, user: User | None = None) -> str:
    """The password as Flask-Security will compare it at login (Unicode-normalised).

    :raise AccountError: when the password is too weak for Flask-Security's rules.
    """
    problems, normalised = _security._password_util.validate(
        password, is_register=user is None, user=user
    )
    if problems:
        raise AccountError(" ".join(str(problem) for problem in problems))
    return normalised


def set_password(user: User, password: str) -> None:
    """Hash and store a new password, and end the user's other sessions."""
    # Hash the normalised form: login normalises what is typed before comparing, so a
    # password with accents hashed as typed would never match.
    user.password = hash_password(check_password(password, user))
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Invalidate every session and remember-me cookie the user holds."""
    user.fs_uniquifier = uuid.uuid4().hex


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def find_user(email: str) -> User | None:
    """The user with this address, ignoring case (as Flask-Security's login does)."""
    return db.session.scalar(
        db.select(User).where(db.func.lower(User.email) == email.strip().lower())
    )


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
    audit.record("user.create", user, {"email": email, "roles": [r.name for r in found]})
    return user
