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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import NamedTuple

from flask import abort, current_app, request
from sqlalchemy import BindParameter, ColumnElement, Integer, Row, Select, bindparam, case, tuple_
from sqlalchemy.orm import defer, joinedload

from cms import clock, plain_rows
from cms.accounts.models import User
from cms.database import MAX_ID, UTCDateTime
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
    def of(cls, post: Post | ListedPost) -> Cursor:
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

    posts: list[ListedPost]
    newer: dict[str, str] | None
    older: dict[str, str] | None


def listed(query: Select[tuple[Post]]) -> Select[tuple[Post]]:
    """``query`` loading what a list of posts shows: not the bodies, which it does not."""
    return query.options(
        defer(Post.body),
        defer(Post.body_html),
        defer(Post.editor_note),
        joinedload(Post.author).load_only(User.full_name, User.slug),
    )


@dataclass(frozen=True, slots=True)
class ListedPost:
    """What a list shows of a post, read as plain columns: building whole ORM objects (and
    their identity map entries) for a page of them cost a third of the page's time.
    ``body`` is read only for a post with no stored excerpt (``rendered.excerpt``)."""

    id: int
    slug: str
    title: str
    summary: str
    published_at: datetime
    excerpt: str | None
    body: str | None
    author: publication.PublicAuthor

    @classmethod
    def of_row(cls, row: Row) -> ListedPost:
        *post, author_name, author_slug = row
        return cls(*post, publication.PublicAuthor(author_name, author_slug))


def listed_columns(query: Select[tuple[Post]]) -> Select[tuple]:
    """``query`` reading the columns of ``ListedPost``, in its order."""
    return query.with_only_columns(
        Post.id,
        Post.slug,
        Post.title,
        Post.summary,
        Post.published_at,
        Post.excerpt,
        case((Post.excerpt.is_(None), Post.body)),
        User.full_name,
        User.slug,
    ).outerjoin_from(Post, User, Post.author_id == User.id)


@dataclass(frozen=True, eq=False)  # compared and hashed as itself: its statements' cache key
class PostList:
    """A list readers page through this way: the home page's, a tag's, an author's.

    ``published_by(moment)`` is the list's posts readers could see at ``moment`` (a bound
    parameter), newest first, as ``publication.published_posts`` orders them; ``position``
    is the (publish time, id) columns that order says, which the cursor is compared with.
    """

    published_by: Callable[[BindParameter], Select[tuple[Post]]]
    position: tuple[ColumnElement, ColumnElement] = (Post.published_at, Post.id)

    def newest(self, per_page: int, **params) -> PostPage:
        """The first page: the newest posts. One statement."""
        statement = _statements(self, per_page + 1).newest
        rows = _listed(plain_rows.rows(statement, {**params, "now": clock.utcnow()}))
        return with_older_link(rows, per_page, newer=None)

    def before(self, cursor: Cursor, per_page: int, **params) -> PostPage | None:
        """The page of posts published before ``cursor``; None when there is no such page
        (no post before it, or a cursor after now, which no page of ours ever names). Two
        statements, each an index range of at most ``per_page + 1`` rows."""
        now = clock.utcnow()
        if cursor.published_at > now:
            return None
        statements = _statements(self, per_page + 1)
        place = {**params, "cursor_at": cursor.published_at, "cursor_id": cursor.post_id}
        rows = _listed(plain_rows.rows(statements.older, place))
        if not rows:
            return None
        above = plain_rows.rows(statements.above, {**place, "now": now}).all()
        return with_older_link(rows, per_page, newer_link(above, per_page))

    def requested(self, **params) -> tuple[PostPage, bool]:
        """The page the request's ``?before=`` names (the first without it), and whether
        it is the first; 404 for a name that is no page of the list."""
        per_page = current_app.config["POSTS_PER_PAGE"]
        name = request.args.get("before")
        if name is None:
            return self.newest(per_page, **params), True
        cursor = Cursor.parse(name)
        page = self.before(cursor, per_page, **params) if cursor is not None else None
        if page is None:
            abort(404)
        return page, False


def _listed(rows) -> list[ListedPost]:
    return [ListedPost.of_row(row) for row in rows]


class _Statements(NamedTuple):
    newest: Select[tuple]
    older: Select[tuple]
    above: Select[tuple]


# The statements are built once per process, list and page size, with the moment and the
# cursor as parameters: building them (the rule's expressions, the loader options, their
# cache keys) cost as much as running them.
_CURSOR_AT = bindparam("cursor_at", type_=UTCDateTime)
_CURSOR_ID = bindparam("cursor_id", type_=Integer)


@cache
def _statements(posts: PostList, limit: int) -> _Statements:
    position, cursor = tuple_(*posts.position), tuple_(_CURSOR_AT, _CURSOR_ID)
    published_at, post_id = posts.position
    return _Statements(
        newest=listed_columns(posts.published_by(publication.NOW)).limit(limit),
        # What was published by the cursor's moment is what is published now and older
        # than the cursor (it is not in the future). Said that way, the only upper bound
        # on the publish time is the cursor's: the index range starts there, where
        # "published by now" would start it at the newest post and filter its way down.
        older=listed_columns(posts.published_by(_CURSOR_AT)).where(position < cursor).limit(limit),
        # The posts from the cursor up, nearest first: their place only, for the newer link.
        above=posts.published_by(publication.NOW)
        .with_only_columns(published_at, post_id)
        .where(position >= cursor)
        .order_by(None)
        .order_by(published_at.asc(), post_id.asc())
        .limit(limit),
    )


#: The home page's list: every post readers may see.
EVERY_POST = PostList(publication.published_posts)


def with_older_link(
    rows: list[ListedPost], per_page: int, newer: dict[str, str] | None
) -> PostPage:
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
