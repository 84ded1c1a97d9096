"""What every admin model view shares: staff-only access, ids checked before any query,
and database errors reported without their SQL."""

from __future__ import annotations

import logging

from flask import abort, flash, redirect, request
from flask_admin.contrib.sqla import ModelView
from flask_admin.helpers import get_redirect_target
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from cms.database import MAX_ID
from cms.extensions import db

log = logging.getLogger(__name__)

# Deeper than any list anyone pages through; the offset past it would overflow.
MAX_PAGE = 100_000


def parse_id(value) -> int | None:
    """A row id from a URL or form, or None when it cannot be one."""
    text = str(value).strip()
    if not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


class CMSModelView(ModelView):
    def get_one(self, id):
        """The row, or 404: a bad or unknown id in the URL never reaches the database."""
        number = parse_id(id)
        row = db.session.get(self.model, number) if number is not None else None
        if row is None:
            abort(404)
        return row

    def get_list(self, page, *args, **kwargs):
        """No page before the first (PostgreSQL refuses a negative OFFSET) or past MAX_PAGE."""
        if page is not None and not 0 <= page <= MAX_PAGE:
            abort(404)
        return super().get_list(page, *args, **kwargs)

    def parse_row_ref(self, value):
        """A ticked row as the list sends it (here its id); None when it cannot be one."""
        return parse_id(value)

    def knows_action(self, name: str) -> bool:
        """Whether ``name`` is an action at all here (or one refused here, not unknown)."""
        return name in self._actions_data

    def handle_action(self, return_view=None):
        """Bulk actions get integer ids (Flask-Admin passes the form's strings, which
        PostgreSQL refuses to compare with an integer key); anything else is a bad request."""
        form = self.action_form()
        if not self.validate_form(form):
            return super().handle_action(return_view)
        name = form.action.data
        if not self.knows_action(name):
            abort(400, description=f"No such action: {name!r}.")
        if not self.is_action_allowed(name):
            abort(403)
        handler = self._actions_data[name]
        ids = [self.parse_row_ref(value) for value in request.form.getlist("rowid")]
        if None in ids:
            abort(400, description="The selection names a record that cannot exist.")
        response = handler[0](ids)
        if response is not None:
            return response
        return redirect(get_redirect_target() or self.get_url(".index_view"))

    def handle_view_exception(self, exc: Exception) -> bool:
        """Log database errors in full, but show people a sentence: the raw error carries the
        SQL and its parameters (a password hash among them)."""
        if isinstance(exc, StaleDataError):
            flash(
                "Someone else saved this record at the same moment; yours was not saved. "
                "Your text is still in the form.",
                "error",
            )
            return True
        if isinstance(exc, SQLAlchemyError):
            log.exception("%s: the database refused a change", self.name)
            flash("The database refused this change; nothing was saved.", "error")
            return True
        return super().handle_view_exception(exc)
