"""The authors readers can reach, at ``/authors/<slug>``: people with a post readers may see.

Their feeds and their lines in the sitemap ask here. An author's address is their public
slug (``users.slug``) when the accounts have one, else their id: the slug column is
guarded so the feeds and sitemap work on both sides of the migration that adds it.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Integer, Select, bindparam, case, func, select
from sqlalchemy.orm import load_only

from cms import clock
from cms.accounts import profiles
from cms.accounts.models import User
from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post

#: The author of a statement built once: each run passes ``author_id=...``.
AUTHOR_ID = bindparam("author_id", type_=Integer)


def post_changed_at():
    """When readers last saw a post change, in SQL: its last edit, or its publication when
    that came later (a scheduled post). Sitemaps' ``lastmod`` and feeds' ``updated``."""
    return case((Post.updated_at > Post.published_at, Post.updated_at), else_=Post.published_at)


def public_authors(moment: datetime | None = None) -> Select[tuple[str, datetime]]:
    """(slug, lastmod) of every author with a post readers may see, by slug: lastmod is
    the latest change (edit or publication) among those posts. One grouped statement."""
    moment = clock.utcnow() if moment is None else moment
    return (
        select(
            User.slug.label("slug"),
            func.max(post_changed_at()).label("lastmod"),
        )
        .join(Post, Post.author_id == User.id)
        .where(Post.is_published_at(moment))
        .group_by(User.id)
        .order_by(User.slug)
    )


def find_public_author(slug: str) -> User | None:
    """The author at ``/authors/<slug>``, if readers may see one of their posts."""
    return db.session.scalar(_author_by_slug(), {"now": clock.utcnow(), "slug": slug})


def new_address_of(old_slug: str) -> str | None:
    """Where the author page that was at ``old_slug`` is now, if readers may see it there
    (an author who changed their address, ``profiles.author_for_old_slug``)."""
    moved = profiles.author_for_old_slug(old_slug)
    if moved is None or find_public_author(moved.slug) is None:
        return None
    return moved.slug


# Built once per process, as the lists' statements are (cms.public.paging). Only what the
# author's page and feed show is loaded: an account row also holds login and 2FA columns.
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


def published_by(author_id: int | None = None) -> Select[tuple[Post]]:
    """The author's posts readers may see now, newest first (``published_posts``' order);
    without ``author_id``, bound at each run as ``author_id=...``."""
    return publication.published_posts(publication.NOW).where(
        Post.author_id == (AUTHOR_ID if author_id is None else author_id)
    )
