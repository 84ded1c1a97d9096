"""Users and roles, on Flask-Security-Too's SQLAlchemy mixins (model version 3)."""

from __future__ import annotations

from datetime import datetime

from flask_security.models import fsqla_v3 as fsqla
from sqlalchemy import Column, ForeignKey, String
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

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


class Invitation(db.Model):
    """The invitation that brought a user in: at most one per user, renewed on each re-send.

    The link carries this row's id and ``nonce``, signed with the app's secret. A new nonce on
    each re-send, and none once accepted or revoked, is what makes a link work only once.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True, index=True
    )
    user: Mapped[User] = relationship(
        User,
        foreign_keys=[user_id],
        backref=backref("invitation", uselist=False, cascade="all, delete-orphan"),
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    invited_by: Mapped[User | None] = relationship(User, foreign_keys=[invited_by_id])
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    nonce: Mapped[str | None] = mapped_column(String(32), nullable=True)

    def state_at(self, moment: datetime) -> str:
        """``pending``, ``expired``, ``accepted`` or ``revoked``.

        A password set another way (a reset link) counts as accepting: the person has shown
        they read the mail sent to the address.
        """
        if self.accepted_at is not None or self.user.password:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "pending" if moment < self.expires_at else "expired"
