"""Revisions: every save that changes a post's words or tags keeps them; any two can be
compared, any one restored (as a new revision), and old ones pruned.

A revision keeps each tag as its slug and its name then: the name to show, the slug to find
the tag again when restoring, through the tag's old addresses if it was renamed or merged
since."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from cms.accounts.models import User
from cms.audit import service as audit
from cms.extensions import db
from cms.posts.models import Post, PostRevision
from cms.posts.policy import Action, PermissionDenied, require
from cms.posts.slugs import holder_blocking
from cms.tags import service as tag_service

FIELDS = PostRevision.FIELDS


def tags_of(source) -> list[tuple[str, str]] | None:
    """(slug, name) of each tag of ``source`` (a post, a revision), by name; None for
    something that says nothing of tags (a form's words, in a conflict)."""
    if isinstance(source, PostRevision):
        return [tuple(pair) for pair in json.loads(source.tags or "[]")]
    tags = getattr(source, "tags", None)
    if tags is None:
        return None
    return sorted(((tag.slug, tag.name) for tag in tags), key=lambda pair: pair[1].casefold())


def _words(source) -> tuple:
    return (*(getattr(source, name) or "" for name in FIELDS), tags_of(source))


def record(post: Post, actor: User) -> PostRevision | None:
    """Keep the post's current words and tags as a revision, unless the latest has them."""
    # No autoflush: loading the tags or the latest revision must not flush the post (or a
    # revision made here) half-done.
    with db.session.no_autoflush:
        latest = None
        if post.id is not None:
            latest = db.session.scalar(
                select(PostRevision)
                .where(PostRevision.post_id == post.id)
                .order_by(PostRevision.id.desc())
                .limit(1)
            )
        words = _words(post)
        if latest is not None and _words(latest) == words:
            return None
        revision = PostRevision(
            post=post, created_by=actor, created_by_email=getattr(actor, "email", None)
        )
        for name in FIELDS:
            setattr(revision, name, getattr(post, name) or "")
        revision.tags = json.dumps(words[-1], ensure_ascii=False)
    db.session.add(revision)
    return revision


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: list[tuple[str, str]]  # (" ", "+" or "-", a line)


def compare(older, newer) -> list[FieldDiff]:
    """Line by line, what changed in each field from ``older`` to ``newer`` (revisions, or
    a post and a form's words); the tags one name a line, when both say what they were."""
    texts = {name: (getattr(older, name) or "", getattr(newer, name) or "") for name in FIELDS}
    older_tags, newer_tags = tags_of(older), tags_of(newer)
    if older_tags is not None and newer_tags is not None:
        texts["tags"] = tuple(
            "\n".join(name for _, name in tags) for tags in (older_tags, newer_tags)
        )
    diffs = []
    for name, (before_text, after_text) in texts.items():
        before, after = before_text.splitlines(), after_text.splitlines()
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
    warnings += _restore_tags(post, revision)
    audit.record("post.revision_restore", post, {"revision": revision.id}, actor=actor)
    return warnings


def _restore_tags(post: Post, revision: PostRevision) -> list[str]:
    """Put the revision's tags back on ``post``, as they are called now; a tag deleted
    since is not made again (someone chose to delete it): a warning says so."""
    kept = tags_of(revision)
    found = tag_service.by_address([slug for slug, _ in kept])
    tags = list({found[slug].id: found[slug] for slug, _ in kept if slug in found}.values())
    if set(post.tags) != set(tags):
        post.tags = tags
    return [
        f"The tag “{name}” was deleted since; the post no longer has it."
        for slug, name in kept
        if slug not in found
    ]


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
