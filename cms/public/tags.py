"""The readers' tag pages: ``/tags`` (every tag readers may see, with its published count)
and ``/tags/<slug>`` (its posts, newest first, paged like the home page by the post just
above: ``?before=<publish time>_<id>``). Which tags and posts show is the one rule of
``cms.posts.publication``; an old address of a renamed or merged tag is a 301."""

from __future__ import annotations

from functools import cache

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import Integer, Select, bindparam, tuple_

from cms import clock
from cms.database import UTCDateTime
from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post
from cms.public import caching, paging
from cms.public.site import blueprint
from cms.tags.models import Tag, post_tags
from cms.tags.service import tag_for_old_slug

_CURSOR_AT = bindparam("cursor_at", type_=UTCDateTime)
_CURSOR_ID = bindparam("cursor_id", type_=Integer)


@blueprint.get("/tags")
@caching.cached_page(query_args=())
def tag_index():
    """One statement: the tags and their counts together."""
    rows = db.session.execute(publication.tags_with_published_counts(clock.utcnow())).all()
    return render_template("public/tags.html", tags=rows)


@blueprint.get("/tags/<slug>")
@caching.cached_page(query_args=("before",))
def tag_detail(slug: str):
    """Two statements for the first page (the tag, its posts), three for a later one (and
    the posts above it, for the newer link): the same at any depth."""
    tag = publication.find_published_tag(slug)
    if tag is None:
        moved = tag_for_old_slug(slug)
        if moved is not None and publication.find_published_tag(moved.slug) is not None:
            return redirect(url_for("public.tag_detail", slug=moved.slug, **request.args), 301)
        abort(404)
    per_page = current_app.config["POSTS_PER_PAGE"]
    name = request.args.get("before")
    if name is None:
        page = _newest(tag, per_page)
    else:
        cursor = paging.Cursor.parse(name)
        page = _before(tag, cursor, per_page) if cursor is not None else None
        if page is None:
            abort(404)
    return render_template("public/tag.html", tag=tag, page=page, first=name is None)


def _newest(tag: Tag, per_page: int) -> paging.PostPage:
    params = {"tag_id": tag.id, "now": clock.utcnow()}
    rows = list(db.session.scalars(_newest_of_tag(per_page + 1), params))
    return paging.with_older_link(rows, per_page, newer=None)


def _before(tag: Tag, cursor: paging.Cursor, per_page: int) -> paging.PostPage | None:
    now = clock.utcnow()
    if cursor.published_at > now:
        return None
    place = {"tag_id": tag.id, "cursor_at": cursor.published_at, "cursor_id": cursor.post_id}
    rows = list(db.session.scalars(_older_of_tag(per_page + 1), place))
    if not rows:
        return None
    above = db.session.execute(_above_in_tag(per_page + 1), {**place, "now": now}).all()
    return paging.with_older_link(rows, per_page, paging.newer_link(above, per_page))


# Built once per process and page size, as the home page's statements are (cms.public.paging).
@cache
def _newest_of_tag(limit: int) -> Select[tuple[Post]]:
    return paging.listed(publication.published_with_tag(publication.TAG_ID, publication.NOW)).limit(
        limit
    )


@cache
def _older_of_tag(limit: int) -> Select[tuple[Post]]:
    query = publication.published_with_tag(
        publication.TAG_ID, _CURSOR_AT, before=(_CURSOR_AT, _CURSOR_ID)
    )
    return paging.listed(query).limit(limit)


@cache
def _above_in_tag(limit: int) -> Select[tuple]:
    """The tag's published posts from the cursor up, nearest first: their place only."""
    position = tuple_(post_tags.c.published_at, post_tags.c.post_id)
    return (
        publication.published_with_tag(publication.TAG_ID, publication.NOW)
        .with_only_columns(post_tags.c.published_at, post_tags.c.post_id)
        .where(position >= tuple_(_CURSOR_AT, _CURSOR_ID))
        .order_by(None)
        .order_by(post_tags.c.published_at.asc(), post_tags.c.post_id.asc())
        .limit(limit)
    )
