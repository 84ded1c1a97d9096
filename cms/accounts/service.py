"""Creating, changing and deleting accounts, and the rules about them: addresses are
unique ignoring case, an admin cannot lock themselves out, a user who wrote posts is
deactivated rather than deleted, and what the audit log keeps. The dashboard and the CLI
both call these."""

from __future__ import annotations

import secrets
import uuid

from flask_security import hash_password
from flask_security.proxies import _security
from sqlalchemy import func, inspect, select

from cms import clock
from cms.accounts import profiles
from cms.accounts.models import Role, User
from cms.accounts.roles import ADMIN
from cms.audit import service as audit
from cms.extensions import db
from cms.posts.models import Post

#: What the audit log keeps of an account's creation or change (never the password or
#: its hash, only that it changed); the public profile's fields among them.
AUDITED_FIELDS = ("email", "full_name", "slug", "bio", "active", "roles")
#: What readers see of an account, which its owner changes on their profile page.
PROFILE_FIELDS = ("full_name", "slug", "bio")

#: The longest name the users table keeps (PostgreSQL refuses more; SQLite would store it).
NAME_MAX = User.__table__.c.full_name.type.length


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


def check_password(password: str, user: User | None = None, *, email: str | None = None) -> str:
    """The password as Flask-Security will compare it at login (Unicode-normalised).

    The rule is ``cms.accounts.passwords.CMSPasswordUtil``, which Flask-Security's change,
    reset and register forms also run: long enough, and hard to guess by zxcvbn's measure,
    which also refuses a password close to the account's own address or name.

    :raise AccountError: when the password is too weak, with the reason.
    """
    problems, normalised = _security._password_util.validate(
        password,
        False,
        user=user,
        email=email or getattr(user, "email", None),
        full_name=getattr(user, "full_name", None),
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


def check_address_free(email: str, user: User | None = None) -> None:
    """:raise AccountError: when another account than ``user`` has this address."""
    holder = find_user(email)
    if holder is not None and holder is not user:
        raise AccountError(f"A user with the address {holder.email} already exists.")


def check_name(full_name: str | None) -> None:
    """:raise AccountError: when the name is longer than the users table keeps."""
    if full_name is not None and len(full_name) > NAME_MAX:
        raise AccountError(f"The name is too long: at most {NAME_MAX} characters.")


def find_roles(names: list[str]) -> list[Role]:
    """The roles with these names.

    :raise AccountError: when a name is not a role.
    """
    found = db.session.scalars(db.select(Role).where(Role.name.in_(names))).all()
    unknown = set(names) - {role.name for role in found}
    if unknown:
        raise AccountError(f"No such role: {', '.join(sorted(unknown))}.")
    return list(found)


def create_user(
    email: str,
    password: str | None,
    roles: list[str],
    *,
    full_name: str | None = None,
    by: User | None = None,
) -> User:
    """Add an active user with the given role names (not committed). Without a password the
    account cannot log in until its owner chooses one (see ``cms.accounts.invitations``).

    :raise AccountError: for an invalid or taken address, a name too long, a weak password or
        an unknown role.
    """
    email = normalise_email(email)
    check_address_free(email)
    check_name(full_name)
    user = User(email=email, full_name=full_name, active=True, roles=find_roles(roles))
    profiles.give_address(user)
    # Whoever creates an account vouches for its address; without this, switching on
    # self-registration (which requires confirmed addresses) would lock these users out.
    user.confirmed_at = naive_utcnow()
    db.session.add(user)
    changes = audit.changed_fields(user, AUDITED_FIELDS)
    if password is None:
        end_sessions(user)  # gives the account its uniquifier
    else:
        set_password(user, password)
    audit.record("user.create", user, changes, actor=by)
    return user


def naive_utcnow():
    """Now, as Flask-Security's own naive UTC columns (``confirmed_at``) keep it."""
    return clock.utcnow().replace(tzinfo=None)


def save_user(user: User, *, by: User | None) -> list[str]:
    """Finish a changed account whose fields are set (not committed): end the sessions of a
    deactivated user, end an invitation link mailed to an address no longer the user's,
    and record the change. ``by`` is the admin making it.

    Passwords are not changed here: nobody types another person's password. People choose
    their own through an invitation or a reset link.

    :return: what the admin must do next, in sentences (re-send an invitation, say).
    :raise AccountError: when ``by`` would lock themselves out, or the name is too long.
    """
    from cms.accounts import invitations  # it builds on this module

    check_name(user.full_name)
    changes = audit.changed_fields(user, AUDITED_FIELDS)
    if inspect(user).attrs.active.history.deleted == [True]:
        end_sessions(user)
    if by is not None and user.id == by.id and (not user.active or ADMIN not in user.role_names):
        raise AccountError("You cannot deactivate your own account or remove your own admin role.")
    if changes:
        audit.record("user.edit", user, changes, actor=by)
    notices = []
    if "email" in changes:
        notice = invitations.address_changed(user, changes["email"][0], by=by)
        notices += [notice] if notice else []
    return notices


def save_profile(user: User, *, by: User | None) -> None:
    """Finish a change to ``user``'s public profile alone (the name, and the address and bio
    set by ``profiles.set_profile``), made on their own profile page: record it as any
    change to an account is (not committed).

    :raise AccountError: when the name is too long.
    """
    check_name(user.full_name)
    changes = audit.changed_fields(user, PROFILE_FIELDS)
    if changes:
        audit.record("user.edit", user, changes, actor=by)


def allow_deletion(user: User, *, by: User | None) -> None:
    """Check that ``user``'s account may be deleted and record it; the caller deletes the
    row (Flask-Admin's delete does, in the same transaction).

    :raise AccountError: for one's own account, or one with posts (deactivate it instead).
    """
    if by is not None and user.id == by.id:
        raise AccountError("You cannot delete your own account.")
    written = db.session.scalar(select(func.count(Post.id)).where(Post.author_id == user.id))
    if written:
        raise AccountError(
            f"{user.email} has written {written} post(s); deactivate the account instead."
        )
    audit.record("user.delete", user, actor=by)
