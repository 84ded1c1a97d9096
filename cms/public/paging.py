"""The readers' list of posts in pages that cost the same at any depth.

A page is named by the post just above it: ``/?before=2026-01-15T09:30:00Z_1234`` lists the
posts published before post 1234 (published at that moment), newest first. Reading it is an
index range from that point, the same few rows at page 2 or page 20,000, where OFFSET reads
and skips every post above. New posts go above every page but the first, so the address
keeps naming the same posts: readers can bookmark it. The moment comes first in the name
because that is what a reader can make sense of; the id breaks ties between posts
published in the same microsecond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from sqlalchemy import Integer, Select, bindparam, tuple_
from sqlalchemy.orm import defer, joinedload

from cms import clock
from cms.accounts.models import User
from cms.database import MAX_ID, UTCDateTime
from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post

_NAME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{6}))?Z_(\d{1,10})", re.ASCII
)


@dataclass(frozen=True)
class Cursor:
    """A post's place in the list: its publish time, then its id."""

    published_at: datetime
    post_id: int

    @classmethod
    def of(cls, post: Post) -> Cursor:
        return cls(post.published_at, post.id)

    @classmethod
    def parse(cls, name: str) -> Cursor | None:
        """The cursor ``name`` spells, or None for anything that is not one."""
        match = _NAME.fullmatch(name)
        if match is None:
            return None
        *fields, microsecond, post_id = match.groups()
        try:
            moment = datetime(*map(int, fields), int(microsecond or 0), tzinfo=UTC)
        except ValueError:  # month 13, 30 February, year 0
            return None
        if int(post_id) > MAX_ID:
            return None
        return cls(moment, int(post_id))

    def __str__(self) -> str:
        moment = self.published_at.astimezone(UTC)
        # By hand: strftime("%Y") does not pad years before 1000 on every platform.
        name = (
            f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
        )
        if moment.microsecond:
            name += f".{moment.microsecond:06d}"
        return f"{name}Z_{self.post_id}"


@dataclass(frozen=True)
class PostPage:
    """One page of the list. ``newer`` and ``older`` are the query arguments of the pages
    either side (``{}`` is the first page, at ``/``), or None where there is none."""

    posts: list[Post]
    newer: dict[str, str] | None
    older: dict[str, str] | None


# The statements are built once per process and page size, with the moment and the cursor
# as parameters: building them (the rule's expressions, the loader options, their cache
# keys) cost as much as running them.
_CURSOR_AT = bindparam("cursor_at", type_=UTCDateTime)
_CURSOR_ID = bindparam("cursor_id", type_=Integer)


def _position():
    return tuple_(Post.published_at, Post.id)


def listed(query: Select[tuple[Post]]) -> Select[tuple[Post]]:
    """``query`` loading what a list of posts shows: not the bodies, which it does not."""
    return query.options(
        defer(Post.body),
        defer(Post.body_html),
        defer(Post.editor_note),
        joinedload(Post.author).load_only(User.full_name, User.slug),
    )


def _listed(moment) -> Select[tuple[Post]]:
    return listed(publication.published_posts(moment))


@cache
def _newest(limit: int) -> Select[tuple[Post]]:
    return _listed(publication.NOW).limit(limit)


@cache
def _older(limit: int) -> Select[tuple[Post]]:
    # What was published by the cursor's moment is what is published now and older than
    # the cursor (it is not in the future). Said that way, the only upper bound on the
    # publish time is the cursor's: SQLite starts its index range there, where "published
    # by now" would start it at the newest post and filter its way down to the page.
    cursor = tuple_(_CURSOR_AT, _CURSOR_ID)
    return _listed(_CURSOR_AT).where(_position() < cursor).limit(limit)


@cache
def _above(limit: int) -> Select[tuple]:
    """The published posts from the cursor up, nearest first: their place only."""
    return (
        publication.published_posts(publication.NOW)
        .with_only_columns(Post.published_at, Post.id)
        .where(_position() >= tuple_(_CURSOR_AT, _CURSOR_ID))
        .order_by(None)
        .order_by(Post.published_at.asc(), Post.id.asc())
        .limit(limit)
    )


def with_older_link(rows: list[Post], per_page: int, newer: dict[str, str] | None) -> PostPage:
    """``rows`` is up to one more than a page: the extra row says an older page exists."""
    posts = rows[:per_page]
    older = {"before": str(Cursor.of(posts[-1]))} if len(rows) > per_page else None
    return PostPage(posts, newer, older)


def newer_link(above: list, per_page: int) -> dict[str, str] | None:
    """The newer page's arguments, from the (publish time, id) of up to ``per_page + 1``
    posts just above a page, nearest first: the page before the post above them, or the
    first page when they are fewer than a page."""
    if not above:
        return None
    if len(above) <= per_page:
        return {}
    return {"before": str(Cursor(*above[per_page]))}


def newest(per_page: int) -> PostPage:
    """The first page: the newest posts. One statement."""
    rows = list(db.session.scalars(_newest(per_page + 1), {"now": clock.utcnow()}))
    return with_older_link(rows, per_page, newer=None)


def before(cursor: Cursor, per_page: int) -> PostPage | None:
    """The page of posts published before ``cursor``; None when there is no such page (no
    post before it, or a cursor after now, which no page of ours ever names). Two
    statements, each an index range of at most ``per_page + 1`` rows."""
    now = clock.utcnow()
    if cursor.published_at > now:
        return None
    place = {"cursor_at": cursor.published_at, "cursor_id": cursor.post_id}
    rows = list(db.session.scalars(_older(per_page + 1), place))
    if not rows:
        return None
    # The posts just above this page, nearest first: the newer page is the one before the
    # post above them, or the first page when they are fewer than a page.
    above = db.session.execute(_above(per_page + 1), {**place, "now": now}).all()
    return with_older_link(rows, per_page, newer_link(above, per_page))
