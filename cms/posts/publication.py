"""What readers may see: the public site and the admin's "view on site" links ask here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select

from cms import clock
from cms.extensions import db
from cms.posts.models import Post


def is_published(post: Post) -> bool:
    """Whether readers may see ``post`` now."""
    return post.is_published_at(clock.utcnow())


def find_published(slug: str) -> Post | None:
    """The post readers reach at ``/posts/<slug>``, if they may see it now."""
    return db.session.scalar(published_posts().where(Post.slug == slug))


def published_posts(moment: datetime | None = None) -> Select[tuple[Post]]:
    """Posts readers may see now, newest first; with ``moment``, those they could see then
    as the posts stand now (status, trash), for reading back from a point in the list."""
    return (
        select(Post)
        .where(Post.is_published_at(clock.utcnow() if moment is None else moment))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )
