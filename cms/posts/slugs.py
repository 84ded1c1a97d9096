"""Slugs: the readable part of a post's URL.

An address is held only by a post that has it in public (published or scheduled, and old
addresses that redirect): those are unique. Drafts and posts in review may share a slug,
so that saving one never tells its author that a post they cannot see holds the address;
the check happens when a post goes live (``holder_of``), done by editors, who see every
post."""

from __future__ import annotations

from dataclasses import dataclass

from slugify import slugify
from sqlalchemy import ColumnElement, or_, select, true

from cms import clock
from cms.accounts.permissions import Someone
from cms.extensions import db
from cms.old_addresses import remember_old_address
from cms.posts import policy
from cms.posts.models import SLUG_MAX, Post, PostSlugRedirect, PostStatus

# Room for a "-123" suffix when a slug is taken.
_BASE_MAX = SLUG_MAX - 8


def normalise_slug(text: str | None) -> str:
    """A URL-safe slug from any text: transliterated to ASCII, lower case, hyphenated.

    "Grüße aus Köln" gives "grusse-aus-koln" and "你好" gives "ni-hao", so every title in
    any script yields a slug that works in every browser, feed reader and mail client.
    """
    return slugify(text or "", max_length=_BASE_MAX, word_boundary=True)


def _seen(seen_by: Someone | None) -> ColumnElement[bool]:
    """The posts ``seen_by`` can see (in the dashboard, or as readers do); all for None."""
    if seen_by is None:
        return true()
    return or_(policy.admin_scope(seen_by), Post.is_published_at(clock.utcnow()))


def slug_taken(
    slug: str, exclude_post_id: int | None = None, seen_by: Someone | None = None
) -> bool:
    """Whether another post that ``seen_by`` can see has ``slug``, now or as an old address
    that still redirects (every post counts when ``seen_by`` is None)."""
    current = select(Post.id).where(Post.slug == slug, _seen(seen_by))
    old = (
        select(PostSlugRedirect.post_id)
        .join(Post)
        .where(PostSlugRedirect.old_slug == slug, _seen(seen_by))
    )
    if exclude_post_id is not None:
        current = current.where(Post.id != exclude_post_id)
        old = old.where(PostSlugRedirect.post_id != exclude_post_id)
    # No autoflush: the post being saved may be pending with its slug not yet filled in.
    with db.session.no_autoflush:
        return any(db.session.execute(q.limit(1)).first() for q in (current, old))


def unique_slug_from(
    title: str, exclude_post_id: int | None = None, seen_by: Someone | None = None
) -> str:
    """A slug for ``title`` that no other post ``seen_by`` can see uses, with a numeric
    suffix if needed. Posts they cannot see are not avoided: the suffix would tell them
    that something holds the address (going live checks those, see ``holder_of``)."""
    base = normalise_slug(title) or "post"
    candidate, suffix = base, 2
    while slug_taken(candidate, exclude_post_id, seen_by):
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


@dataclass(frozen=True)
class Holder:
    """The post that holds an address: as its current slug, or as an old one it redirects."""

    post: Post
    as_old_address: bool

    def explain(self, slug: str) -> str:
        post = self.post
        state = post.state_at(clock.utcnow()).label.lower()
        if self.as_old_address:
            return (
                f"The address /posts/{slug} is an old address of “{post.title}” ({state}), "
                "kept so that links to it keep working."
            )
        return f"The address /posts/{slug} belongs to “{post.title}” ({state})."


def holder_of(
    slug: str, exclude_post_id: int | None = None, seen_by: Someone | None = None
) -> Holder | None:
    """The other post whose public address ``slug`` is, among those ``seen_by`` can see.

    Only posts with a public address hold one: published and scheduled posts (in the trash
    too, since restoring one brings its address back) and the old addresses that redirect
    to a post. Drafts and posts in review may share a slug; the database's unique index on
    published posts' slugs holds the same rule.
    """
    reserved = select(Post).where(
        Post.slug == slug, Post.status == PostStatus.PUBLISHED, _seen(seen_by)
    )
    old = (
        select(Post).join(PostSlugRedirect).where(PostSlugRedirect.old_slug == slug, _seen(seen_by))
    )
    if exclude_post_id is not None:
        reserved = reserved.where(Post.id != exclude_post_id)
        old = old.where(Post.id != exclude_post_id)
    with db.session.no_autoflush:
        if (post := db.session.scalar(reserved.limit(1))) is not None:
            return Holder(post, as_old_address=False)
        if (post := db.session.scalar(old.limit(1))) is not None:
            return Holder(post, as_old_address=True)
    return None


def holder_blocking(post: Post | None, slug: str, actor: Someone) -> Holder | None:
    """What keeps ``post`` (None for a new one) from having ``slug`` when ``actor`` saves
    it. A post that holds its public address shares it with nobody (only editors, who see
    every post, save those); any other post learns only of holders the actor can see anyway."""
    if post is not None and post.status == PostStatus.PUBLISHED:
        return holder_of(slug, post.id)
    return holder_of(slug, post and post.id, seen_by=actor)


def remember_old_slug(post: Post, old_slug: str) -> None:
    """Keep ``old_slug`` as an address of ``post`` (it is changing to ``post.slug``)."""
    remember_old_address(post, old_slug, PostSlugRedirect, "post")


def post_for_old_slug(slug: str) -> Post | None:
    """The post that had ``slug`` as its address before, if any."""
    return db.session.scalar(
        select(Post).join(PostSlugRedirect).where(PostSlugRedirect.old_slug == slug)
    )
