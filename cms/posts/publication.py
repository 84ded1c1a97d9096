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
from cms.posts.models import Post

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
