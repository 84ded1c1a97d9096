"""The audit log's one table. No foreign keys: an entry must outlive the user and the post
it names (a cascading SET NULL would be an UPDATE, which the table refuses)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cms.clock import utcnow
from cms.database import UTCDateTime
from cms.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    # The log's list, newest first: its order (time, then id) read straight off an index.
    __table_args__ = (Index("ix_audit_log_at_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    #: Who it was, as they were known then (the account may be renamed or deleted since).
    actor_email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    action: Mapped[str] = mapped_column(String(50), index=True)
    target_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    target_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    target_label: Mapped[str | None] = mapped_column(String(255), nullable=True)
    #: JSON: {field: [before, after]} for edits, or the details of the action.
    changes: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(10), default="admin")  # admin, cli, site, api
    #: The API token it came with, by its name as it was then (``source`` "api" only).
    token_name: Mapped[str | None] = mapped_column(String(100), nullable=True)

    @property
    def changes_dict(self) -> dict:
        return json.loads(self.changes or "{}")
