"""Writing the audit log, and keeping it append-only."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from unicodedata import category

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from cms import acting
from cms.accounts.models import User
from cms.audit.models import AuditEntry
from cms.extensions import db

# Long text is kept in full by revisions; the log keeps enough to see what changed.
_TEXT_LIMIT = 2000


class AppendOnlyError(RuntimeError):
    """Something tried to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_the_log(session: Session, flush_context, instances) -> None:
    for entry in (*session.dirty, *session.deleted):
        if isinstance(entry, AuditEntry) and (
            entry in session.deleted or session.is_modified(entry)
        ):
            raise AppendOnlyError("The audit log is append-only.")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and len(value) > _TEXT_LIMIT:
        return value[:_TEXT_LIMIT] + f"… ({len(value)} characters)"
    if hasattr(value, "email"):
        return value.email
    if isinstance(value, set | frozenset):
        return sorted(str(_plain(item)) for item in value)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]  # order matters: [before, after]
    return value if value is None or isinstance(value, int | float | bool | str) else str(value)


def changed_fields(obj: Any, names: tuple[str, ...]) -> dict[str, list]:
    """{name: [before, after]} for the attributes of ``obj`` changed since it was loaded
    (a list of related rows, such as a user's roles, compares as a set of names)."""
    state = inspect(obj)
    changes = {}
    for name in names:
        history = state.attrs[name].history
        if not history.has_changes():
            continue
        if getattr(state.mapper.attrs[name], "uselist", False):
            before = {*history.unchanged, *history.deleted}
            after = {*history.unchanged, *history.added}
        else:
            before = history.deleted[0] if history.deleted else None
            after = getattr(obj, name)
        changes[name] = [_plain(before), _plain(after)]
    return changes


def storable(text: str) -> str:
    """``text`` with control characters written out (``\\x00``): PostgreSQL cannot store a
    NUL, and a log shows what was sent rather than dropping it."""
    return "".join(repr(char)[1:-1] if category(char) == "Cc" else char for char in text)


def record(
    action: str,
    target: Any = None,
    changes: dict | None = None,
    *,
    actor: User | None = None,
    target_label: str | None = None,
) -> AuditEntry:
    """Add an entry to the log (committed with the change it describes). Who did it, from
    where and through which door come from ``cms.acting``; ``actor`` names the user when
    the context cannot know it yet (a login, say)."""
    context = acting.current()
    who = actor if actor is not None else context.user
    if target is not None and getattr(target, "id", 0) is None:
        db.session.flush()  # a new row: its id goes into the entry
    entry = AuditEntry(
        actor_id=getattr(who, "id", None),
        actor_email=getattr(who, "email", None),
        action=action,
        target_type=type(target).__name__.lower() if target is not None else None,
        target_id=getattr(target, "id", None),
        target_label=storable(target_label or (str(target) if target is not None else ""))[:255]
        or None,
        changes=json.dumps({key: _plain(value) for key, value in (changes or {}).items()}),
        ip=context.ip,
        source=context.door.value,
        token_name=context.token_name,
    )
    db.session.add(entry)
    return entry


def last_entry_about(target: Any) -> AuditEntry | None:
    """The newest entry about ``target``: who last touched it, and how."""
    return db.session.scalar(
        select(AuditEntry)
        .where(
            AuditEntry.target_type == type(target).__name__.lower(),
            AuditEntry.target_id == target.id,
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
