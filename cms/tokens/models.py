"""The one table of personal API tokens. It never holds a token itself, only its hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from cms.accounts.models import User
from cms.clock import utcnow
from cms.database import UTCDateTime
from cms.extensions import db

NAME_MAX = 100


class ApiToken(db.Model):
    """A token a user made for a program; it acts as them (``cms.tokens.service``)."""

    __tablename__ = "api_tokens"
    # A name tells the owner which program holds which token, so two of theirs never share
    # one; revoked tokens keep theirs, so the list and the audit log stay unambiguous. Its
    # index, led by user_id, also serves "this user's tokens".
    __table_args__ = (UniqueConstraint("user_id", "name", name="uq_api_tokens_user_id_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    user: Mapped[User] = relationship(
        User, backref=backref("api_tokens", cascade="all, delete-orphan", passive_deletes=True)
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: SHA-256 of the whole token, hex: what a request's token is looked up by.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The token's first characters, shown in lists so the owner can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: To the minute at best: recorded at most once a minute (``service.authenticate``).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __str__(self) -> str:
        return self.name

    def state_at(self, moment: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= moment:
            return "expired"
        return "active"
