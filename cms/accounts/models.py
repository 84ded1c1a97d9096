"""Users and roles, on Flask-Security-Too's SQLAlchemy mixins (model version 3)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_security.models import fsqla_v3 as fsqla
from flask_security.utils import get_message
from sqlalchemy import Column, ForeignKey, Integer, String, case, exists, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, aliased, backref, mapped_column, relationship

from cms.clock import utcnow
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
    #: The author page's address, /authors/<slug> (``cms.accounts.profiles``): made from the
    #: name when the account is made, then kept, so that links to it keep working.
    slug = Column(String(100), nullable=True, unique=True, index=True)
    #: A few plain-text sentences on the author page (escaped like any text on the site).
    bio = Column(String(500), nullable=True)
    #: Failed sign-in attempts since the last success or lock (``cms.accounts.lockout``).
    failed_login_count = Column(Integer, nullable=False, default=0, server_default="0")
    #: Until when logging in is refused, whatever the password; in the database so that
    #: every app instance sees it.
    locked_until = Column(UTCDateTime, nullable=True)
    #: The 30-second step of the last authenticator code accepted (``cms.accounts.totp``):
    #: a code of that step or an earlier one is refused, so each works once.
    totp_last_counter = Column(Integer, nullable=True)

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or ""

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset(role.name for role in self.roles)

    # Flask-Security calls these two on every failed attempt (password, authenticator code;
    # ours add recovery codes) and before letting anyone in or mailing a reset link; the
    # rules are in cms.accounts.lockout and cms.accounts.invitations (imported late: they
    # import this module).
    def track_failed_authn(self, auth_type: str, tfa: bool = False) -> None:
        from cms.accounts import lockout

        super().track_failed_authn(auth_type, tfa)
        lockout.count_failure(self)

    def is_locked(self, form_error: list[str] | None = None) -> bool:
        """Locked after too many failures, or invited and not (or no longer) able to accept:
        refused with the answer a wrong password gets, and no reset link is mailed."""
        from cms.accounts import invitations, lockout

        if invitations.signs_in(self) and not lockout.refuses(self):
            return False
        if form_error is not None:  # replaced by the generic answer (RETURN_GENERIC_RESPONSES)
            form_error.append(get_message("INVALID_PASSWORD")[0])
        return True

    # Flask-Security asks these two whether this user must give a second factor; the rule
    # is in cms.accounts.two_factor (imported late: it imports this module).
    def check_tf_required(self, tf_setup_methods, tf_fresh):
        from cms.accounts import two_factor

        required, methods = super().check_tf_required(tf_setup_methods, tf_fresh)
        if two_factor.is_required_for(self) and (
            current_app.config["SECURITY_TWO_FACTOR_ALWAYS_VALIDATE"] or not tf_fresh
        ):
            required = True
        return required, methods

    def check_tf_required_setup(self) -> bool:
        """Required users are not offered to turn two-factor off."""
        from cms.accounts import two_factor

        return two_factor.is_required_for(self)


class AuthorSlugRedirect(db.Model):
    """An address an author page had before its author changed it: /authors/<old_slug>
    answers 301 to the current one, unless another author has taken that address since
    (``cms.accounts.profiles``)."""

    __tablename__ = "author_slug_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(User.__table__.c.slug.type.length), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    user: Mapped[User] = relationship(
        User, backref=backref("old_slugs", cascade="all, delete-orphan", passive_deletes=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WebAuthn(db.Model, fsqla.FsWebAuthnMixin):
    """A user's security keys and passkeys (``user.webauthn``), a second factor instead of
    the authenticator app's code (see ``cms.accounts.two_factor``)."""

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

    @hybrid_method
    def state_at(self, moment: datetime) -> str:
        """``pending``, ``expired``, ``accepted`` or ``revoked``; in SQL, the same string.

        A password set another way (a reset link) counts as accepting: the person has shown
        they read the mail sent to the address.
        """
        if self.accepted_at is not None or self.user.password:
            return "accepted"
        if self.revoked_at is not None:
            return "revoked"
        return "pending" if moment < self.expires_at else "expired"

    @state_at.expression
    def state_at(cls, moment: datetime):  # noqa: N805 - SQL side of the hybrid
        # An alias, so that inside a query on users it does not correlate to the outer row.
        owner = aliased(User)
        has_password = exists().where(owner.id == cls.user_id, owner.password.is_not(None))
        return case(
            (or_(cls.accepted_at.is_not(None), has_password), "accepted"),
            (cls.revoked_at.is_not(None), "revoked"),
            (cls.expires_at > moment, "pending"),
            else_="expired",
        )
