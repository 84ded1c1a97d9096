"""Changing posts. Every write path (admin forms, bulk actions, the CLI) goes through here,
so the policy is checked and derived fields are filled the same way everywhere."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import inspect, select

from cms import clock
from cms.accounts.models import User
from cms.audit import service as audit
from cms.extensions import db
from cms.posts import revisions
from cms.posts.models import Post, PostStatus
from cms.posts.policy import Action, PermissionDenied, require
from cms.posts.slugs import holder_blocking, normalise_slug, remember_old_slug, unique_slug_from

#: The fields whose before and after the audit log keeps for every save.
AUDITED_FIELDS = (
    "title", "slug", "summary", "body", "cover_image_url", "seo_title", "seo_description",
    "tags", "author", "status", "published_at",
)  # fmt: skip

#: What moving a post into or out of the trash needs, and what deleting it for good needs:
#: these functions check them, and whoever offers the steps (bulk actions) asks the same.
TRASH_NEEDS = Action.DELETE
PURGE_NEEDS = Action.PURGE


class SlugTaken(ValueError):
    """Another post holds the address; the message names it (only to whoever may know)."""


# Fields whose change is publishing, whatever form or request it arrives through.
_PUBLISHING_FIELDS = ("status", "published_at")


class PostTooLong(ValueError):
    """The post's body is longer than ``POST_BODY_MAX_CHARS``; nothing was saved."""


def body_too_long(body: str | None) -> str | None:
    """Why ``body`` is too long to save, or None. Every save checks it (``prepare_for_save``);
    forms ask first so the author gets a field error with the text kept."""
    limit = current_app.config["POST_BODY_MAX_CHARS"]
    if body is None or len(body) <= limit:
        return None
    return (
        f"The text is {len(body):,} characters long; a post holds at most {limit:,}. "
        "Shorten it (or split it into several posts) and save again."
    )


def _changes_publishing(post: Post, is_new: bool) -> bool:
    if is_new:
        return post.status not in (None, PostStatus.DRAFT) or post.published_at is not None
    state = inspect(post)
    return any(state.attrs[name].history.has_changes() for name in _PUBLISHING_FIELDS)


def prepare_for_save(post: Post, actor: User, *, is_new: bool) -> None:
    """Check ``actor`` may save ``post`` as it now stands and fill its derived fields.

    Call it after the new values are set and before the commit.

    :raise PermissionDenied: when the change is not the actor's to make; the caller rolls back.
    :raise SlugTaken: when another post holds the slug as its address (see ``holder_blocking``).
    :raise PostTooLong: when the body is over the limit; the caller rolls back.
    """
    # The post may already be pending in the session with fields not yet derived (Flask-Admin
    # adds it before calling us): no query below may flush it half-filled.
    with db.session.no_autoflush:
        _check_and_fill(post, actor, is_new)


def _check_and_fill(post: Post, actor: User, is_new: bool) -> None:
    if is_new and post.author is None and post.author_id is None:
        post.author = actor
    # The post as it will be saved must still be the actor's to edit: an author cannot
    # hand a post to someone else or take over another's.
    require(actor, Action.CREATE if is_new else Action.EDIT, post)
    if _changes_publishing(post, is_new):
        require(actor, Action.PUBLISH, post)

    post.title = post.title.strip()
    post.summary = (post.summary or "").strip()
    post.body = post.body or ""
    if problem := body_too_long(post.body):
        raise PostTooLong(problem)
    post.slug = normalise_slug(post.slug) or unique_slug_from(post.title, post.id, actor)
    holder = holder_blocking(post, post.slug, actor)
    if holder is not None:
        raise SlugTaken(holder.explain(post.slug))
    if post.status is None:
        post.status = PostStatus.DRAFT
    if post.status == PostStatus.PUBLISHED and post.published_at is None:
        post.published_at = clock.utcnow()
    if not is_new:
        _keep_readers_links(post)
        _count_tags_as_a_change(post)
    # Last, once every field is final: what the revision and the log keep is what is saved.
    revisions.record(post, actor)
    changes = audit.changed_fields(post, AUDITED_FIELDS)
    if is_new or changes:
        audit.record("post.create" if is_new else "post.edit", post, changes, actor=actor)


def _count_tags_as_a_change(post: Post) -> None:
    """Tags live in another table, so changing only them would not UPDATE the post: its
    version would stay, and someone who opened the post before would save over them
    unwarned. Changed tags change the post."""
    if inspect(post).attrs.tags.history.has_changes():
        post.updated_at = clock.utcnow()


def _keep_readers_links(post: Post) -> None:
    """A post readers can see keeps its old address when its slug changes."""
    history = inspect(post).attrs.slug.history
    old_slug = history.deleted[0] if history.deleted else None
    if old_slug and old_slug != post.slug and post.is_published_at(clock.utcnow()):
        remember_old_slug(post, old_slug)


def create_post(actor: User, **fields: Any) -> Post:
    """Create and commit a post written by ``actor`` (or by ``fields["author"]``)."""
    post = Post(**fields)
    db.session.add(post)
    try:
        prepare_for_save(post, actor, is_new=True)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return post


def trash(post: Post, actor: User) -> bool:
    """Move ``post`` to the trash: off the site and out of the lists, but restorable.
    Its share links die for good (restoring the post does not revive them). Returns
    whether anything changed (False: it was in the trash already)."""
    require(actor, TRASH_NEEDS, post)
    if post.in_trash:
        return False
    now = clock.utcnow()
    post.deleted_at = now
    live = [link for link in post.preview_links if link.revoked_at is None]
    for link in live:
        link.revoked_at = now
    details = {"links_revoked": [link.id for link in live]} if live else None
    audit.record("post.trash", post, details, actor=actor)
    return True


def restore(post: Post, actor: User) -> bool:
    """Take ``post`` out of the trash, in the state it had. Returns whether anything
    changed (False: it was not in the trash)."""
    require(actor, TRASH_NEEDS, post)
    if not post.in_trash:
        return False
    post.deleted_at = None
    audit.record("post.restore", post, actor=actor)
    return True


def purge(post: Post, actor: User) -> bool:
    """Delete a trashed post for good (admins only)."""
    require(actor, PURGE_NEEDS, post)
    if not post.in_trash:
        raise PermissionDenied("Only posts in the trash can be deleted for good.")
    audit.record("post.purge", post, actor=actor)
    db.session.delete(post)
    return True


def purge_trash(older_than: datetime | None = None) -> int:
    """Delete for good every trashed post (trashed before ``older_than``, if given); for
    operators' commands, which act as the system, not as a user. Returns how many."""
    query = select(Post).where(Post.in_trash)
    if older_than is not None:
        query = query.where(Post.deleted_at < older_than)
    posts = db.session.scalars(query).all()
    for post in posts:
        audit.record("post.purge", post, {"trashed_at": post.deleted_at})
        db.session.delete(post)
    return len(posts)
