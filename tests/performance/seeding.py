"""Many posts at once, for the tests that pin plans and statement counts: one bulk INSERT
(the factories' one post per commit would take minutes for thousands)."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, text

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostStatus


def seed_posts(authors, count: int, *, seed: int = 9, trashed_share: float = 0.05) -> None:
    """``count`` posts by ``authors``: mostly published over the past five years, some
    drafts, posts in review and scheduled posts, a few in the trash; bodies of 1.5 KB so
    the table is as wide as real posts make it."""
    _clear_dead_rows()
    rng = random.Random(seed)
    now = clock.utcnow()
    rows = []
    for number in range(count):
        roll = rng.random()
        created = now - timedelta(days=5 * 365 * rng.random())
        status, published = PostStatus.PUBLISHED, created + timedelta(hours=1)
        if roll < 0.06:
            status, published = PostStatus.DRAFT, None
        elif roll < 0.10:
            status, published = PostStatus.REVIEW, None
        elif roll < 0.12:
            published = now + timedelta(days=1 + 30 * rng.random())
        rows.append(
            {
                "title": f"Post {number} on {rng.choice(['tea', 'rust', 'cats', 'sql'])}",
                "slug": f"seeded-{seed}-{number}",
                "summary": "",
                "body": "".join(rng.choice("abcdefgh ") for _ in range(1500)),
                "status": status,
                "author_id": rng.choice(authors).id,
                "created_at": created,
                "updated_at": created + timedelta(days=10 * rng.random()),
                "published_at": published,
                "deleted_at": now - timedelta(days=rng.random())
                if roll > 1 - trashed_share
                else None,
                "version": 1,
            }
        )
    db.session.execute(insert(Post.__table__), rows)
    db.session.commit()


def _clear_dead_rows() -> None:
    """PostgreSQL: VACUUM the posts table, outside the test's transaction. Each test's
    rows are rolled back, but stay in the table and its indexes as dead rows until a
    VACUUM, which autovacuum runs when it will: the planner's picture of the table (its
    pages, what is all-visible) then depends on which tests ran before and on timing,
    and so do its plans for a few thousand rows."""
    if db.engine.dialect.name != "postgresql":
        return
    engine = db.engine.engine  # the test binds the session to a Connection; its Engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM posts")


def refresh_statistics() -> None:
    """What the planners know about the tables (inside the test's transaction: allowed on
    both databases, and rolled back with it)."""
    db.session.execute(text("ANALYZE"))
