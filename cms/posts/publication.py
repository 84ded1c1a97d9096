"""What readers may see. The public site, feeds and search all ask here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, select

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostState, PostStatus


def is_published(post: Post) -> bool:
    """Whether readers may see ``post`` now."""
    return post.is_published_at(clock.utcnow())


def find_published(slug: str) -> Post | None:
    """The post readers reach at ``/posts/<slug>``, if they may see it now."""
    return db.session.scalar(published_posts().where(Post.slug == slug))


def published_posts() -> Select[tuple[Post]]:
    """Posts readers may see now, newest first."""
    return (
        select(Post)
        .where(Post.is_published_at(clock.utcnow()))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def in_state(state: PostState, moment: datetime) -> ColumnElement[bool]:
    """Posts in ``state`` at ``moment``, as SQL: the twin of ``Post.state_at``."""
    if state is PostState.TRASHED:
        return Post.deleted_at.is_not(None)
    if state is PostState.PUBLISHED:
        return Post.is_published_at(moment)
    live = Post.deleted_at.is_(None)
    if state is PostState.SCHEDULED:
        return and_(live, Post.status == PostStatus.PUBLISHED, Post.published_at > moment)
    return and_(live, Post.status == PostStatus(state.value))
