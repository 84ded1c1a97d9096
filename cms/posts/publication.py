"""What readers may see: the public site and the admin's "view on site" links ask here.
Tags show only through the posts readers may see (below)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Row,
    Select,
    bindparam,
    case,
    func,
    or_,
    select,
    tuple_,
)

from cms import clock, plain_rows
from cms.accounts.models import User
from cms.database import UTCDateTime
from cms.extensions import db
from cms.posts.models import Post, PostState
from cms.tags.models import Tag, post_tags

#: "Now" in a statement built once and run many times: each run passes ``now=clock.utcnow()``.
NOW = bindparam("now", type_=UTCDateTime)


def is_published(post: Post) -> bool:
    """Whether readers may see ``post`` now."""
    return post.is_published_at(clock.utcnow())


@dataclass(frozen=True, slots=True)
class PublicAuthor:
    """What readers see of a post's author: their name, and the address of their page."""

    full_name: str | None
    slug: str | None

    display_name = property(User.display_name.fget)  # the account's own rule for it


@dataclass(frozen=True, slots=True)
class PublishedPost:
    """A post as its public page shows it, read as plain columns: building the ORM object
    (its identity map entry, the joined author, the loader's events) cost a fifth of the
    page's time. ``body`` is read only for a row not rendered yet (``cms.posts.rendered``),
    or when asked for (``find_published(..., with_markdown=True)``)."""

    id: int
    slug: str
    title: str
    summary: str
    seo_title: str | None
    seo_description: str | None
    cover_image_url: str | None
    published_at: datetime
    updated_at: datetime
    body_html: str | None
    excerpt: str | None
    body: str | None
    author: PublicAuthor


def find_published(slug: str, *, with_markdown: bool = False) -> PublishedPost | None:
    """The post readers reach at ``/posts/<slug>``, if they may see it now, with what its
    page shows: its stored HTML, not its Markdown, and its author's name and address.
    ``with_markdown``: its Markdown too, as ``body``, in the same statement (the API's)."""
    statement = _published_by_slug(with_markdown)
    row = plain_rows.rows(statement, {"now": clock.utcnow(), "slug": slug}).first()
    if row is None:
        return None
    *post, author_name, author_slug = row
    return PublishedPost(*post, PublicAuthor(author_name, author_slug))


@cache
def _published_by_slug(with_markdown: bool) -> Select[tuple]:
    # Built once per process: building this statement (the rule's expressions, its cache
    # key) took as long as running it, on the busiest public page.
    not_rendered = or_(Post.body_html.is_(None), Post.excerpt.is_(None))
    body = Post.body if with_markdown else case((not_rendered, Post.body))
    return (
        published_posts(NOW)
        .where(Post.slug == bindparam("slug"))
        .order_by(None)  # one post at most: a published slug is unique
        .with_only_columns(
            Post.id,
            Post.slug,
            Post.title,
            Post.summary,
            Post.seo_title,
            Post.seo_description,
            Post.cover_image_url,
            Post.published_at,
            Post.updated_at,
            Post.body_html,
            Post.excerpt,
            body,
            User.full_name,
            User.slug,
        )
        .outerjoin_from(Post, User, Post.author_id == User.id)
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


# --- Tags, as readers see them: only through posts they may see. A tag on drafts,
# scheduled or trashed posts alone is on no page and counts nothing. ---

#: The tag of a statement built once: each run passes ``tag_id=...``.
TAG_ID = bindparam("tag_id", type_=Integer)


def _tag_position():
    # post_tags' copy of the publish time (cms.tags.models): the order of its index.
    return tuple_(post_tags.c.published_at, post_tags.c.post_id)


def published_with_tag(
    tag_id: int | BindParameter,
    moment: datetime | BindParameter | None = None,
    *,
    before: tuple[datetime | BindParameter, int | BindParameter] | None = None,
) -> Select[tuple[Post]]:
    """The posts with the tag that readers may see now, newest first (publish time, then
    id), as ``published_posts`` lists them; with ``before`` (a post's publish time and id,
    the keyset cursor of ``cms.public.paging``), only those after it in that order. Each
    page is one range of the tag's rows in ``ix_post_tags_tag_published``, at any depth.
    ``moment`` as for ``published_posts``: with a cursor, pass its time (what was
    published by then is what is published now and older than the cursor), so that the
    range starts at the cursor rather than at now."""
    moment = clock.utcnow() if moment is None else moment
    query = (
        select(Post)
        .join(post_tags, post_tags.c.post_id == Post.id)
        .where(
            post_tags.c.tag_id == tag_id,
            # The rule, on the post; the bound on the copy starts the index range there.
            Post.is_published_at(moment),
            post_tags.c.published_at <= moment,
        )
        .order_by(post_tags.c.published_at.desc(), post_tags.c.post_id.desc())
    )
    if before is not None:
        query = query.where(_tag_position() < tuple_(*before))
    return query


def find_published_tag(slug: str) -> Row[tuple[int, str, str, str | None]] | None:
    """The tag at ``/tags/<slug>`` (its id, name, slug and description), if readers may
    see it: it is on a post they may see.
    (An old address leads to its tag through ``cms.tags.service.tag_for_old_slug``.)"""
    return plain_rows.rows(_published_tag_by_slug(), {"now": clock.utcnow(), "slug": slug}).first()


@cache
def _published_tag_by_slug() -> Select[tuple[int, str, str, str | None]]:
    on_a_published_post = (
        select(post_tags.c.post_id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(
            post_tags.c.tag_id == Tag.id, post_tags.c.published_at <= NOW, Post.is_published_at(NOW)
        )
        .exists()
    )
    return select(Tag.id, Tag.name, Tag.slug, Tag.description).where(
        Tag.slug == bindparam("slug"), on_a_published_post
    )


def tags_with_published_counts(
    moment: datetime | None = None, *per_tag: ColumnElement
) -> Select[tuple[Tag, int]]:
    """Every tag readers may see, by name, with how many posts they may see have it
    (``published_posts``, a column of each row). Tags on no such post are not listed.
    ``per_tag``: more aggregates over each tag's published posts (labelled), as further
    columns of each row in that order (the sitemap's latest change)."""
    moment = clock.utcnow() if moment is None else moment
    counted = (
        select(post_tags.c.tag_id, func.count().label("published_posts"), *per_tag)
        .select_from(Post)
        .join(post_tags, post_tags.c.post_id == Post.id)
        # Not also post_tags' copy of the publish time, as a tag's page filters: every
        # published post is read here, from the state index's range (it holds the id),
        # and each probes post_tags' primary key (post, tag) alone for its tags.
        .where(Post.is_published_at(moment))
        # Grouped by the tag's id alone, the tags joined afterwards: grouping the join by
        # the tag sorted every (post, tag) pair with the whole tag row in it, and looked
        # the tag up for each pair (a third of the time at 100,000 posts on SQLite).
        .group_by(post_tags.c.tag_id)
        .subquery("published_per_tag")
    )
    extra = [counted.c[column.name] for column in per_tag]
    return (
        select(Tag, counted.c.published_posts, *extra)
        .join(counted, counted.c.tag_id == Tag.id)
        .order_by(Tag.name, Tag.id)
    )


def published_count(tag_id: int) -> int:
    """How many posts readers may see have the tag now."""
    query = published_with_tag(tag_id).order_by(None).with_only_columns(func.count(Post.id))
    return db.session.scalar(query)


def tags_of(post_id: int) -> list[Row[tuple[str, str]]]:
    """A post's tags (``name``, ``slug``), by name. Ask only about a post readers may see
    (as its page does): its tags then show, wherever else they are."""
    return plain_rows.rows(_tags_of_post(), {"post_id": post_id}).all()


@cache
def _tags_of_post() -> Select[tuple[str, str]]:
    return (
        select(Tag.name, Tag.slug)
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .where(post_tags.c.post_id == bindparam("post_id", type_=Integer))
        .order_by(Tag.name, Tag.id)
    )


def tags_of_posts(post_ids: list[int]) -> dict[int, list[Tag]]:
    """The tags of each of ``post_ids`` (a page of posts readers may see), by name, in one
    statement: {post id: tags}; a post without tags has an empty list."""
    found: dict[int, list[Tag]] = {post_id: [] for post_id in post_ids}
    if not post_ids:
        return found
    rows = db.session.execute(
        select(post_tags.c.post_id, Tag)
        .join(Tag, Tag.id == post_tags.c.tag_id)
        .where(post_tags.c.post_id.in_(post_ids))
        .order_by(Tag.name, Tag.id)
    )
    for post_id, tag in rows:
        found[post_id].append(tag)
    return found
