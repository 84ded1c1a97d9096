"""Many posts at once, for the tests that pin plans and statement counts: one bulk INSERT
(the factories' one post per commit would take minutes for thousands)."""

from __future__ import annotations

import functools
import random
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import insert, text

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostStatus


def seed_posts(authors, count: int, *, seed: int = 9, trashed_share: float = 0.05) -> None:
    """``count`` posts by ``authors``: mostly published over the past five years, some
    drafts, posts in review and scheduled posts, a few in the trash; bodies of 1.5 KB so
    the table is as wide as real posts make it."""
    _clear_dead_rows()
    now = clock.utcnow()
    rows = [
        {
            "title": draw.title,
            "slug": f"seeded-{seed}-{number}",
            "summary": "",
            "body": draw.body,
            "status": draw.status,
            "author_id": authors[draw.author].id,
            "created_at": (created := now - timedelta(days=draw.created_days_ago)),
            "updated_at": created + timedelta(days=draw.updated_days_later),
            "published_at": None
            if draw.published is None
            else created + timedelta(hours=1)
            if draw.published == "hour after"
            else now + timedelta(days=draw.published),
            "deleted_at": None
            if draw.deleted_days_ago is None
            else now - timedelta(days=draw.deleted_days_ago),
            "version": 1,
        }
        for number, draw in enumerate(_draws(count, seed, trashed_share, len(authors)))
    ]
    db.session.execute(insert(Post.__table__), rows)
    db.session.commit()


class _Draw(NamedTuple):
    """One post's random parts, relative to "now" and to the list of authors."""

    title: str
    body: str
    status: PostStatus
    author: int
    created_days_ago: float
    updated_days_later: float
    published: float | str | None  # days ahead (scheduled), "hour after" created, or None
    deleted_days_ago: float | None


@functools.cache
def _draws(count: int, seed: int, trashed_share: float, authors: int) -> tuple[_Draw, ...]:
    """The random draws of ``seed_posts``, made once per process: the 1.5 KB bodies alone
    take seconds to draw, and a dozen tests seed the same 3000 posts. The draws are taken
    from the generator in the same order as ever, so the posts are the same ones."""
    rng = random.Random(seed)
    draws = []
    for _ in range(count):
        roll = rng.random()
        created_days_ago = 5 * 365 * rng.random()
        status, published = PostStatus.PUBLISHED, "hour after"
        if roll < 0.06:
            status, published = PostStatus.DRAFT, None
        elif roll < 0.10:
            status, published = PostStatus.REVIEW, None
        elif roll < 0.12:
            published = 1 + 30 * rng.random()
        title = f"Post {len(draws)} on {rng.choice(['tea', 'rust', 'cats', 'sql'])}"
        body = "".join(rng.choice("abcdefgh ") for _ in range(1500))
        author = rng.choice(range(authors))  # the same draw as rng.choice(authors)
        updated_days_later = 10 * rng.random()
        deleted_days_ago = rng.random() if roll > 1 - trashed_share else None
        draws.append(
            _Draw(
                title,
                body,
                status,
                author,
                created_days_ago,
                updated_days_later,
                published,
                deleted_days_ago,
            )
        )
    return tuple(draws)


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
