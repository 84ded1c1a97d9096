"""Noticing every change readers can see, whatever code makes it, so the public pages are
made fresh when it commits (``cms.public.freshness`` starts a new generation).

Session events do it, not the callers: the workflow's steps, saving a published post, the
trash, renaming an author, bulk statements (``flask cms rerender``), and tables added later
(tags...), which count unless ``UNSEEN_TABLES`` names them. A table whose rows the pages
never show is named there; a change the events cannot see (SQL text) calls
``public_content_changed()`` in its transaction.
"""

from __future__ import annotations

from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session

from cms.accounts.models import User
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from cms.public.freshness import site_version

#: Tables whose rows no public page shows: changing them leaves the pages as they are.
#: Any other table counts, so a table added later refreshes the pages until it is named here.
UNSEEN_TABLES = frozenset(
    {
        "audit_log",
        "post_revisions",
        "preview_links",
        "roles",
        "roles_users",
        "webauthn",
        "invitations",
        "api_tokens",
    }
)
_CHANGED = "cms_public_content_changed"


def public_content_changed() -> None:
    """Say that the current transaction changes what readers see, in a way the session
    events cannot notice (raw SQL, a file): the pages are refreshed when it commits."""
    db.session.info[_CHANGED] = True


def _post_shows(post: Post) -> bool:
    """Whether readers see or will see the post before or after this change: published
    or scheduled, then or now (a draft's save changes no public page). An unloaded status
    counts as shown: no query may run inside a flush."""
    history = inspect(post).attrs.status.history
    statuses = (*history.added, *history.unchanged, *history.deleted)
    return not statuses or PostStatus.PUBLISHED in statuses


def _row_shows(row: object, *, updated: bool) -> bool:
    table = getattr(getattr(row, "__table__", None), "name", None)
    if table in UNSEEN_TABLES:
        return False
    if isinstance(row, Post):
        return _post_shows(row)
    if isinstance(row, User):
        # Readers see an author's name, address and bio, nothing else (a sign-in updates
        # the row too).
        state = inspect(row)
        return updated and any(
            state.attrs[name].history.has_changes() for name in ("full_name", "slug", "bio")
        )
    return True


@event.listens_for(Session, "after_flush")
def _note_flushed_rows(session: Session, flush_context) -> None:
    # The session's lists and the rows' histories still show what this flush wrote.
    if session.info.get(_CHANGED):
        return
    changed = (
        any(_row_shows(row, updated=False) for row in session.new)
        or any(_row_shows(row, updated=True) for row in session.dirty)
        or any(_row_shows(row, updated=False) for row in session.deleted)
    )
    if changed:
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_statements(state: ORMExecuteState) -> None:
    # An UPDATE or DELETE written as a statement (``flask cms rerender``) changes no object.
    if state.is_select or not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table not in UNSEEN_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _refresh_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False) and has_app_context():
        version = site_version()
        if version is not None:
            version.content_changed()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_CHANGED, None)
