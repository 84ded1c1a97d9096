"""The readers' author pages: ``/authors/<slug>``, an author's public name, bio and published
posts, newest first, paged like the home page (``?before=<publish time>_<id>``). Only an
author with a post readers may see (the one rule, ``cms.posts.publication``) has a page;
nothing of the account but the name, the address and the bio is read."""

from __future__ import annotations

from functools import cache

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import Integer, Select, bindparam, select, tuple_
from sqlalchemy.orm import load_only

from cms import clock
from cms.accounts.models import User
from cms.database import UTCDateTime
from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post
from cms.public import caching, paging, public_authors
from cms.public.site import blueprint

_AUTHOR_ID = bindparam("author_id", type_=Integer)
_CURSOR_AT = bindparam("cursor_at", type_=UTCDateTime)
_CURSOR_ID = bindparam("cursor_id", type_=Integer)


@blueprint.get("/authors/<slug>")
@caching.cached_page(query_args=("before",))
def author_detail(slug: str):
    """Two statements for the first page (the author, their posts), three for a later one
    (and the posts above it, for the newer link): the same at any depth."""
    author = db.session.scalar(_author_by_slug(), {"slug": slug, "now": clock.utcnow()})
    if author is None:
        if moved_to := public_authors.new_address_of(slug):
            return redirect(url_for("public.author_detail", slug=moved_to, **request.args), 301)
        abort(404)
    per_page = current_app.config["POSTS_PER_PAGE"]
    name = request.args.get("before")
    if name is None:
        params = {"author_id": author.id, "now": clock.utcnow()}
        rows = list(db.session.scalars(_newest_by(per_page + 1), params))
        page = paging.with_older_link(rows, per_page, newer=None)
    else:
        cursor = paging.Cursor.parse(name)
        page = _before(author, cursor, per_page) if cursor is not None else None
        if page is None:
            abort(404)
    return render_template("public/author.html", author=author, page=page, first=name is None)


def _before(author: User, cursor: paging.Cursor, per_page: int) -> paging.PostPage | None:
    now = clock.utcnow()
    if cursor.published_at > now:
        return None
    place = {"author_id": author.id, "cursor_at": cursor.published_at, "cursor_id": cursor.post_id}
    rows = list(db.session.scalars(_older_by(per_page + 1), place))
    if not rows:
        return None
    above = db.session.execute(_above_by(per_page + 1), {**place, "now": now}).all()
    return paging.with_older_link(rows, per_page, paging.newer_link(above, per_page))


# Built once per process and page size, as the home page's statements are (cms.public.paging).
@cache
def _author_by_slug() -> Select[tuple[User]]:
    has_a_published_post = (
        publication.published_posts(publication.NOW)
        .order_by(None)
        .where(Post.author_id == User.id)
        .exists()
    )
    return (
        select(User)
        .where(User.slug == bindparam("slug"), has_a_published_post)
        .options(load_only(User.id, User.full_name, User.slug, User.bio))
    )


def _position():
    return tuple_(Post.published_at, Post.id)


@cache
def _newest_by(limit: int) -> Select[tuple[Post]]:
    query = publication.published_posts(publication.NOW).where(Post.author_id == _AUTHOR_ID)
    return paging.listed(query).limit(limit)


@cache
def _older_by(limit: int) -> Select[tuple[Post]]:
    query = publication.published_posts(_CURSOR_AT).where(
        Post.author_id == _AUTHOR_ID, _position() < tuple_(_CURSOR_AT, _CURSOR_ID)
    )
    return paging.listed(query).limit(limit)


@cache
def _above_by(limit: int) -> Select[tuple]:
    return (
        publication.published_posts(publication.NOW)
        .with_only_columns(Post.published_at, Post.id)
        .where(Post.author_id == _AUTHOR_ID, _position() >= tuple_(_CURSOR_AT, _CURSOR_ID))
        .order_by(None)
        .order_by(Post.published_at.asc(), Post.id.asc())
        .limit(limit)
    )
