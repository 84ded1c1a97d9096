"""What readers may see: the public site and the admin's "view on site" links ask here."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, Select, bindparam, select
from sqlalchemy.orm import defer, joinedload

from cms import clock
from cms.accounts.models import User
from cms.database import UTCDateTime
from cms.extensions import db
from cms.posts.models import Post, PostState

#: "Now" in a statement built once and run many times: each run passes ``now=clock.utcnow()``.
NOW = bindparam("now", type_=UTCDateTime)


def is_published(post: Post) -> bool:
    """Whether readers may see ``post`` now."""
    return post.is_published_at(clock.utcnow())


def find_published(slug: str) -> Post | None:
    """The post readers reach at ``/posts/<slug>``, if they may see it now, with what its
    page shows: its stored HTML, not its Markdown (``body`` loads on first use, for a row
    not rendered yet), and its author's name only."""
    return db.session.scalar(_published_by_slug(), {"now": clock.utcnow(), "slug": slug})


@cache
def _published_by_slug() -> Select[tuple[Post]]:
    # Built once per process: building this statement (the rule's expressions, the loader
    # options, its cache key) took as long as running it, on the busiest public page.
    return (
        published_posts(NOW)
        .where(Post.slug == bindparam("slug"))
        .order_by(None)  # one post at most: a published slug is unique
        .options(
            defer(Post.body),
            defer(Post.editor_note),
            joinedload(Post.author).load_only(User.full_name),
        )
    )


def published_posts(moment: datetime | BindParameter | None = None) -> Select[tuple[Post]]:
    """Posts readers may see now, newest first; with ``moment``, those they could see then
    as the posts stand now (status, trash), for reading back from a point in the list.
    ``moment`` may be a bound parameter (``NOW``), for a statement built once."""
    return (
        select(Post)
        .where(Post.is_published_at(clock.utcnow() if moment is None else moment))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def publication_moments(moment: datetime) -> tuple[datetime | None, datetime | None]:
    """The newest publish time readers can see at ``moment``, and the next moment a post
    becomes visible by itself (a scheduled post's time): in between, what readers see
    changes only when someone changes a post. One statement, two index probes."""
    row = db.session.execute(_publication_moments(), {"now": moment}).one()
    return row[0], row[1]


@cache
def _publication_moments() -> Select[tuple[datetime | None, datetime | None]]:
    # ORDER BY ... LIMIT 1 rather than max() and min(): both databases then stop at the
    # first row of the state index's range (SQLite would read the range for a max() it
    # cannot answer from the index's end).
    newest = (
        select(Post.published_at)
        .where(Post.is_published_at(NOW))
        .order_by(Post.published_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    upcoming = (
        select(Post.published_at)
        .where(Post.in_state_at(PostState.SCHEDULED, NOW))
        .order_by(Post.published_at.asc())
        .limit(1)
        .scalar_subquery()
    )
    return select(newest, upcoming)
