"""Slugs: the readable, unique part of a post's URL."""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import select

from cms.extensions import db
from cms.posts.models import SLUG_MAX, Post, PostSlugRedirect

# Room for a "-123" suffix when a slug is taken.
_BASE_MAX = SLUG_MAX - 8


def normalise_slug(text: str | None) -> str:
    """A URL-safe slug from any text: transliterated to ASCII, lower case, hyphenated.

    "Grüße aus Köln" gives "grusse-aus-koln" and "你好" gives "ni-hao", so every title in
    any script yields a slug that works in every browser, feed reader and mail client.
    """
    return slugify(text or "", max_length=_BASE_MAX, word_boundary=True)


def slug_taken(slug: str, exclude_post_id: int | None = None) -> bool:
    """Whether another post has ``slug``, now or as an old address that still redirects."""
    current = select(Post.id).where(Post.slug == slug)
    old = select(PostSlugRedirect.post_id).where(PostSlugRedirect.old_slug == slug)
    if exclude_post_id is not None:
        current = current.where(Post.id != exclude_post_id)
        old = old.where(PostSlugRedirect.post_id != exclude_post_id)
    # No autoflush: the post being saved may be pending with its slug not yet filled in.
    with db.session.no_autoflush:
        return any(db.session.execute(q.limit(1)).first() for q in (current, old))


def unique_slug_from(title: str, exclude_post_id: int | None = None) -> str:
    """A slug for ``title`` that no other post uses, with a numeric suffix if needed."""
    base = normalise_slug(title) or "post"
    candidate, suffix = base, 2
    while slug_taken(candidate, exclude_post_id):
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def old_address_of_another_post(slug: str, exclude_post_id: int | None = None) -> bool:
    """Whether ``slug`` is an old address that still redirects to some other post."""
    query = select(PostSlugRedirect.id).where(PostSlugRedirect.old_slug == slug)
    if exclude_post_id is not None:
        query = query.where(PostSlugRedirect.post_id != exclude_post_id)
    with db.session.no_autoflush:
        return db.session.execute(query.limit(1)).first() is not None


def remember_old_slug(post: Post, old_slug: str) -> None:
    """Keep ``old_slug`` as an address of ``post`` (it is changing to ``post.slug``)."""
    with db.session.no_autoflush:
        # Going back to an address it had: that address is the post again, not a redirect.
        for redirect in list(post.old_slugs):
            if redirect.old_slug == post.slug:
                post.old_slugs.remove(redirect)
        existing = db.session.scalar(
            select(PostSlugRedirect).where(PostSlugRedirect.old_slug == old_slug)
        )
    if existing is not None:
        existing.post = post  # the address now leads here
    else:
        post.old_slugs.append(PostSlugRedirect(old_slug=old_slug))


def post_for_old_slug(slug: str) -> Post | None:
    """The post that had ``slug`` as its address before, if any."""
    return db.session.scalar(
        select(Post).join(PostSlugRedirect).where(PostSlugRedirect.old_slug == slug)
    )
