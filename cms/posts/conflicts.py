"""Two people editing one post: whether a save may still go ahead, and, when someone else
saved or stepped the post after the editor opened it, what differs between theirs and
this editor's. The admin shows the result; nothing here needs a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from cms import clock
from cms.accounts.models import User
from cms.audit import service as audit
from cms.posts import revisions
from cms.posts.models import Post, PostRevision
from cms.posts.policy import Action, can


def save_refused(user: User, post: Post) -> str | None:
    """Why ``user``, who could open ``post`` for editing, may no longer save it (it was
    trashed, or changed state, while they edited), or None. The caller gives their text
    back rather than a bare 403."""
    if not can(user, Action.VIEW, post):
        return None  # never theirs to see: a plain refusal, not a conflict
    if post.in_trash:
        return "This post was moved to the trash while you edited it; nothing was saved."
    if not can(user, Action.EDIT, post):
        state = post.state_at(clock.utcnow()).label.lower()
        return f"This post is now {state} and no longer yours to change; nothing was saved."
    return None


@dataclass
class Conflict:
    """Someone else's save that happened after the editor opened the post."""

    who: str
    when: datetime
    diffs: list[revisions.FieldDiff] = field(default_factory=list)


def changed_since(post: Post, seen_version: int | None) -> Conflict | None:
    """Who last changed ``post`` and when, if that happened after its version
    ``seen_version`` was read (or nobody said which version they read); else None."""
    if seen_version is not None and seen_version == post.version:
        return None
    latest = audit.last_entry_about(post)
    who = latest.actor_email if latest and latest.actor_email else "Someone"
    return Conflict(who=who, when=post.updated_at)


def conflict_with(
    post: Post, seen_version: int | None, yours: Mapping, your_author: User | None = None
) -> Conflict | None:
    """The conflict between ``post`` as stored and the editor's form, or None when nobody
    saved it since the editor opened ``seen_version``.

    ``yours`` holds the editor's words (the fields revisions keep); ``your_author`` the
    author they chose, when they may choose one.
    """
    conflict = changed_since(post, seen_version)
    if conflict is None:
        return None
    words = SimpleNamespace(**{name: yours.get(name) for name in PostRevision.FIELDS})
    diffs = revisions.compare(post, words)
    if your_author is not None and your_author != post.author:
        # Saving again would also undo their choice of author: show it.
        theirs, mine = post.author.email, your_author.email
        diffs.append(revisions.FieldDiff("author", [("-", theirs), ("+", mine)]))
    conflict.diffs = diffs
    return conflict
