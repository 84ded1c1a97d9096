"""Helpers of the editorial API's tests: tokens, and what a refusal must leave alone."""

from __future__ import annotations

from sqlalchemy import func, select

from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts.models import Post
from cms.tags.models import Tag
from cms.tokens import service as tokens


def bearer(user, name: str = "program") -> dict[str, str]:
    """Authorization headers with a new token of ``user``'s, named ``name``."""
    _, raw = tokens.create(user, name, by=user)
    db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def database_state() -> tuple:
    """What any change would show in: every post's row and tags, the tags, the log."""
    db.session.expire_all()
    posts = tuple(
        (p.id, p.title, p.slug, p.body, p.summary, p.status, p.published_at, p.deleted_at,
         p.version, p.author_id, tuple(sorted(t.id for t in p.tags)))
        for p in db.session.scalars(select(Post).order_by(Post.id))
    )  # fmt: skip
    tags = tuple(db.session.execute(select(Tag.id, Tag.name, Tag.slug).order_by(Tag.id)).all())
    return posts, tags, db.session.scalar(select(func.count()).select_from(AuditEntry))


def last_audit() -> AuditEntry:
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
