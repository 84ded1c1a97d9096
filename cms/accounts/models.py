"""Users and roles, on Flask-Security-Too's SQLAlchemy mixins (model version 3)."""

from __future__ import annotations

from flask_security.models import fsqla_v3 as fsqla
from sqlalchemy import Column, Integer, String

from cms.database import UTCDateTime
from cms.extensions import db

# Plural table names: `user` is a reserved word in PostgreSQL and trips up raw SQL.
fsqla.FsModels.set_db_info(db, user_table_name="users", role_table_name="roles")


class Role(db.Model, fsqla.FsRoleMixin):
    __tablename__ = "roles"

    def __str__(self) -> str:
        return self.name


class User(db.Model, fsqla.FsUserMixin):
    __tablename__ = "users"

    #: How the public site names an author; readers never see an email address.
    full_name = Column(String(120), nullable=True)
    #: Failed password logins since the last success or lock (``cms.accounts.lockout``).
    failed_login_count = Column(Integer, nullable=False, default=0, server_default="0")
    #: Until when logging in is refused, whatever the password; in the database so that
    #: every app instance sees it.
    locked_until = Column(UTCDateTime, nullable=True)

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or ""

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(role.name for role in self.roles)


class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
    """Passkeys. Unused until two-factor sign-in is switched on, but Flask-Security's user
    model gains a relationship to this class as soon as its `mfa` extra is installed."""

    __tablename__ = "webauthn"
