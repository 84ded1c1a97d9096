"""Test data through the same services the app uses, so it is valid by the app's rules."""

from __future__ import annotations

import itertools

from cms import clock
from cms.accounts import service as accounts
from cms.accounts.models import User
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from cms.posts.slugs import unique_slug_from

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


class UserFactory:
    def __new__(
        cls,
        *,
        roles: list[str] = (),
        email: str | None = None,
        password: str = PASSWORD,
        active: bool = True,
        full_name: str | None = None,
    ) -> User:
        email = email or f"user{next(_numbers)}@example.com"
        user = accounts.create_user(email, password, list(roles), full_name=full_name)
        user.active = active
        db.session.commit()
        return user


def stored_user(email: str) -> User | None:
    """The user as the database has it now (views commit in sessions of their own)."""
    db.session.expire_all()
    return db.session.scalar(db.select(User).where(User.email == email))


class PostFactory:
    """Arrange a post row directly: the rules about who may write it are under test elsewhere."""

    def __new__(cls, author: User, **fields) -> Post:
        fields.setdefault("title", f"Post number {next(_numbers)}")
        fields.setdefault("body", "Some *Markdown* text.")
        fields.setdefault("status", PostStatus.DRAFT)
        if fields["status"] is PostStatus.PUBLISHED:
            fields.setdefault("published_at", clock.utcnow())
        post = Post(author=author, **fields)
        with db.session.no_autoflush:
            post.slug = post.slug or unique_slug_from(post.title)
        db.session.add(post)
        db.session.commit()
        return post
