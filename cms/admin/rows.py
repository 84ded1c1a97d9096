"""The buttons of each row of the admin's big lists (posts, trash, audit log), built once
per page instead of once per row.

Flask-Admin renders every row's buttons through Jinja macros: a ``url_for`` per link and,
for the delete button, a WTForms form whose hidden fields are rendered one by one. On a
page of 20 posts that was most of the page's time. What is the same on every row (each
URL but for the id, the delete form but for the id, the CSRF token) is built here once,
and a row only puts its id in. The markup is that of our copy of Flask-Admin's macros
(``templates/admin/model/row_actions.html``), less the delete form's ``id="id"`` and
``id="url"``, which repeated on every row (an id must be unique in a page).
"""

from __future__ import annotations

from collections.abc import Callable

from flask_admin.babel import gettext
from flask_admin.model.template import DeleteRowAction, EditRowAction, ViewRowAction
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

#: A row's share of the buttons cell: the row's id (escaped) and the row give its HTML.
RowPart = Callable[[str, object], str]

# The white space between and inside the buttons is Flask-Admin's: it spaces the icons.
_LINK = '<a class="icon" href="{url}" title="{title}">\n  <span class="{icon}"></span>\n</a>'

#: Flask-Admin's row links: the endpoint each opens, and its icon.
_LINKS = {
    ViewRowAction: (".details_view", "fa fa-eye glyphicon glyphicon-eye-open"),
    EditRowAction: (".edit_view", "fa fa-pencil glyphicon glyphicon-pencil"),
}


def url_for_each(build: Callable[..., str], /, **args) -> Callable[[str], str]:
    """``build(id=row_id, **args)`` for any row id, from one call of ``build``: the id is
    the first argument of the query (Werkzeug keeps their order), so what stands before
    and after it is the same for every row. An id other than digits is built as usual."""
    built = build(id=0, **args)
    head, marker, tail = built.partition("?id=0")
    if not marker or (tail and not tail.startswith("&")):  # not the shape relied on
        return lambda row_id: build(id=row_id, **args)
    return lambda row_id: (
        f"{head}?id={row_id}{tail}" if row_id.isdigit() else build(id=row_id, **args)
    )


def _link_part(view, action, return_url: str) -> RowPart:
    endpoint, icon = _LINKS[type(action)]
    url = url_for_each(lambda **args: view.get_url(endpoint, **args), url=return_url)
    head, _, tail = _LINK.partition("{url}")
    tail = tail.format(title=escape(action.title or ""), icon=icon)
    return lambda row_id, row: f"{head}{escape(url(row_id))}{tail}"


def _delete_part(view, return_url: str) -> RowPart:
    # The delete view reads the id, the page to return to and the CSRF token (Flask-Admin's
    # own delete form has no token field: the app's CSRFProtect checks it).
    head = (
        f'<form class="icon" method="POST" action="{escape(view.get_url(".delete_view"))}" '
        f'data-confirm="{escape(gettext("Are you sure you want to delete this record?"))}">'
        '\n  <input name="id" type="hidden" value="'
    )
    tail = (
        f'">\n  <input name="url" type="hidden" value="{escape(return_url)}">'
        f'\n  <input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        f'\n  <button title="{escape(gettext("Delete Record"))}">'
        '\n    <span class="fa fa-trash glyphicon glyphicon-trash"></span>\n  </button>\n</form>'
    )
    return lambda row_id, row: f"{head}{row_id}{tail}"


class RowActions:
    """The buttons cell of any row of ``view``'s list page, as ``Markup``: Flask-Admin's
    view, edit and delete buttons as the view allows them, then the view's own
    (``extra_row_parts``). A row action of another kind is refused at the first page
    rather than left out."""

    def __init__(self, view, return_url: str) -> None:
        parts: list[RowPart] = []
        for action in view.get_list_row_actions():
            if type(action) in _LINKS:
                parts.append(_link_part(view, action, return_url))
            elif type(action) is DeleteRowAction:
                parts.append(_delete_part(view, return_url))
            else:
                raise TypeError(f"{type(action).__name__}: no such row action in this list")
        self._parts = [*parts, *view.extra_row_parts()]
        self._id_of = view.get_pk_value

    def __call__(self, row) -> Markup:
        row_id = str(escape(self._id_of(row)))
        # Each part escapes what it puts in.
        return Markup("\n".join(part(row_id, row) for part in self._parts))  # noqa: S704
