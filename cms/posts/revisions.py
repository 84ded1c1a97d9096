"""Revisions: every save that changes a post's words keeps them; any two can be compared,
any one restored (as a new revision), and old ones pruned."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from cms.accounts.models import User
from cms.audit import service as audit
from cms.extensions import db
from cms.posts.models import Post, PostRevision
from cms.posts.policy import Action, PermissionDenied, require
from cms.posts.slugs import holder_blocking

FIELDS = PostRevision.FIELDS


def _words(source) -> tuple:
    return tuple(getattr(source, name) or "" for name in FIELDS)


def record(post: Post, actor: User) -> PostRevision | None:
    """Keep the post's current words as a revision, unless the latest already has them."""
    latest = None
    if post.id is not None:
        with db.session.no_autoflush:
            latest = db.session.scalar(
                select(PostRevision)
                .where(PostRevision.post_id == post.id)
                .order_by(PostRevision.id.desc())
                .limit(1)
            )
    if latest is not None and _words(latest) == _words(post):
        return None
    revision = PostRevision(
        post=post, created_by=actor, created_by_email=getattr(actor, "email", None)
    )
    for name in FIELDS:
        setattr(revision, name, getattr(post, name) or "")
    db.session.add(revision)
    return revision


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: list[tuple[str, str]]  # (" ", "+" or "-", a line)


def compare(older: PostRevision, newer: PostRevision) -> list[FieldDiff]:
    """Line by line, what changed in each field from ``older`` to ``newer``."""
    diffs = []
    for name in FIELDS:
        before = (getattr(older, name) or "").splitlines()
        after = (getattr(newer, name) or "").splitlines()
        if before == after:
            continue
        lines = [
            (line[0], line[2:])
            for line in difflib.ndiff(before, after)
            if not line.startswith("?")  # ndiff's intraline hints
        ]
        diffs.append(FieldDiff(name, lines))
    return diffs


def restore(post: Post, revision: PostRevision, actor: User) -> list[str]:
    """Put ``revision``'s words back on ``post`` (the caller saves, which records a new
    revision). Returns warnings for what could not be restored.

    :raise PermissionDenied: when the actor may not edit the post.
    """
    require(actor, Action.EDIT, post)
    if revision.post_id != post.id:
        raise PermissionDenied("That revision belongs to another post.")
    warnings = []
    for name in FIELDS:
        value = getattr(revision, name)
        if name == "slug" and value != post.slug and holder_blocking(post, value, actor):
            warnings.append(
                f"The address /posts/{value} now belongs to another post; kept /posts/{post.slug}."
            )
            continue
        setattr(post, name, value)
    audit.record("post.revision_restore", post, {"revision": revision.id}, actor=actor)
    return warnings


def prune(keep: int) -> int:
    """Delete all but the ``keep`` newest revisions of every post; returns how many went."""
    ranked = select(
        PostRevision.id,
        func.row_number()
        .over(partition_by=PostRevision.post_id, order_by=PostRevision.id.desc())
        .label("rank"),
    ).subquery()
    doomed = select(ranked.c.id).where(ranked.c.rank > keep)
    result = db.session.execute(delete(PostRevision).where(PostRevision.id.in_(doomed)))
    return result.rowcount
