"""Keyset paging for the admin's big lists (the posts list, the trash and the audit log).

Flask-Admin pages with OFFSET, which reads and throws away every row before the page: the
last page of a million posts read them all. Here a page starts at a cursor, the sort key
``(column, id)`` of the row next to it, and the database seeks to it in the list's index
(``cms.posts.list_indexes``): the first page and the last cost the same. The links are
First, Previous (``?before=``), Next (``?after=``) and Last (``?last=1``: the first page
of the reversed order); a cursor's token is ``cms.admin.cursors``'. The figure above the
list is ``cms.counting``'s, which counts along with the page's own SELECT.

Search, filters, sorting by any sortable column in either direction and page sizes work as
in Flask-Admin (its ``_apply_search`` and ``_apply_filters`` build the query); the cursor
is dropped from every link that changes them, since it names a place in one order only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g, request
from flask_admin import expose
from sqlalchemy import and_, inspect, select, tuple_

from cms.admin.cursors import Cursor, SortKey
from cms.admin.join_sorts import first_ids_through
from cms.admin.rows import RowActions
from cms.counting import PendingCount, RowCount
from cms.extensions import db

#: The query arguments that name a place in the list.
AFTER, BEFORE, LAST = "after", "before", "last"

#: The execution option that marks the rows a list counts (a view's ``get_count_query``).
_ROWS_TO_COUNT = "cms_rows_to_count"


def rows_to_count(query):
    """``query`` (the rows a list's figure counts) marked as such: Flask-Admin applies
    each filter to the page's query and to this one, and a filter may need to hint the
    planner differently for each (see ``counts_rows``)."""
    return query.execution_options(**{_ROWS_TO_COUNT: True})


def counts_rows(query) -> bool:
    """Whether a filter is applied to the rows a list counts, not to its page."""
    return query.get_execution_options().get(_ROWS_TO_COUNT, False)


@dataclass
class ListPage:
    """One page of a list, and what its pager and figure show."""

    rows: list
    count: RowCount
    first: Cursor | None  # the first row's key (for Previous), None on an empty page
    last: Cursor | None
    has_previous: bool
    has_next: bool


class KeysetPaging:
    """Keyset paging for a Flask-Admin SQLAlchemy model view (before ``ModelView`` in the
    bases). ``counted_noun`` names the rows in the figure: "about 1,000,000 posts"."""

    counted_noun = ("row", "rows")
    list_template = "admin/model/keyset_list.html"
    #: Rows the export reads at a time.
    export_batch = 1000

    def list_loading(self) -> tuple:
        """Loader options for a page of the list."""
        return ()

    def export_loading(self) -> tuple:
        """Loader options for the export: what its columns and formatters read."""
        return ()

    @expose("/")
    def index_view(self):
        if request.args.get("page", 0, type=int) != 0:
            abort(404)  # no numbered pages here: First, Previous, Next and Last
        g.keyset_place = next(
            ((arg, request.args[arg]) for arg in (AFTER, BEFORE, LAST) if arg in request.args),
            None,
        )
        return super().index_view()

    def _get_list_extra_args(self):
        # Sorting, filtering, searching or resizing starts again from the first page.
        view_args = super()._get_list_extra_args()
        for arg in (AFTER, BEFORE, LAST):
            view_args.extra_args.pop(arg, None)
        return view_args

    def sort_key(self, sort_column, sort_desc) -> SortKey:
        if sort_column is not None and sort_column in self._sortable_columns:
            column = self._sortable_columns[sort_column]
            path = tuple(self._sortable_joins.get(sort_column) or ())
            return SortKey(sort_column, column, path, bool(sort_desc))
        column, path, descending = next(iter(self._get_default_order()))
        return SortKey("default", column, tuple(path or ()), bool(descending))

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True, page_size=None):
        key = self.sort_key(sort_column, sort_desc)
        query, count_query, joins, count_joins = self.get_query(), self.get_count_query(), {}, {}
        # Filters first: a search looks its matches up within the list's rows as filtered
        # (see cms.admin.posts.searching).
        if filters and self._filters:
            query, count_query, joins, count_joins = self._apply_filters(
                query, count_query, joins, count_joins, filters
            )
        if self._search_supported and search:
            query, count_query, joins, count_joins = self._apply_search(
                query, count_query, joins, count_joins, search
            )
        # An inner join: every row has the related row it sorts by (a post its author),
        # and only an inner join lets the database read the related table's index first.
        query, joins, alias = self._apply_path_joins(query, joins, key.path, inner_join=True)
        column = key.column if alias is None else getattr(alias, key.column.key)
        if not execute or page_size == 0:  # the export (0: every row), in the list's order
            query = query.order_by(*_order(column, self._id_column(), key.descending))
            query = query.limit(page_size) if page_size else query
            if not execute:
                return None, query
            return None, _streamed(query.options(*self.export_loading()), self.export_batch)
        query = query.options(*self.list_loading())
        place = g.pop("keyset_place", None)
        page_size = page_size or self.page_size
        list_page = self._read_page(query, count_query, key, column, place, page_size)
        g.keyset_page = list_page
        return None, list_page.rows

    def _id_column(self):
        return inspect(self.model).primary_key[0]

    def _read_page(self, query, count_query, key, column, place, page_size) -> ListPage:
        id_column = self._id_column()
        backwards = place is not None and place[0] in (BEFORE, LAST)
        descending = key.descending != backwards
        cursor = Cursor.from_token(place[1], key) if place and place[0] != LAST else None
        counted = count_query.statement.with_only_columns(id_column, maintain_column_froms=True)
        pending = PendingCount(counted)
        extra = [column.label("page_key")]
        if pending.column is not None:
            extra.append(pending.column.label("row_count"))
        ordered = query.add_columns(*extra).order_by(*_order(column, id_column, descending))
        if key.path and not key.nullable and _dialect() == "postgresql":
            # Sorted through a join: the page's ids picked a page per related row (see
            # cms.admin.join_sorts), then the page's rows read and sorted.
            first_ids = first_ids_through(
                query, key.path, column, id_column, cursor, descending, page_size + 1
            )
            segments = [id_column.in_(first_ids)]
        else:
            segments = _segments(column, id_column, cursor, descending, key.nullable)
        results = []
        for condition in segments:
            if len(results) > page_size:
                break
            step = ordered.filter(condition) if condition is not None else ordered
            results += step.limit(page_size + 1 - len(results)).all()
        more = len(results) > page_size
        results = results[:page_size]
        if backwards:
            results.reverse()
        if not more and (place is None or place[0] == LAST):
            # The first page from either end with nothing after it: the whole list, whatever
            # PostgreSQL's statistics (stale after a bulk delete, say) estimate.
            count = RowCount(len(results))
        elif pending.known is not None:
            count = pending.known
        elif results:
            count = pending.result(results[0].row_count)
        else:  # past either end (a stale cursor): the page's own SELECT counted nothing
            count = pending.result(db.session.scalar(select(pending.column)))
        rows = [result[0] for result in results]
        keys = [Cursor(key.name, result.page_key, result[0].id) for result in results]
        return ListPage(
            rows=rows,
            count=count,
            first=keys[0] if keys else None,
            last=keys[-1] if keys else None,
            has_previous=more if backwards else place is not None,
            has_next=(place is not None and place[0] == BEFORE) or (more and not backwards),
        )

    def render(self, template, **kwargs):
        list_page = g.pop("keyset_page", None)
        if template == self.list_template and list_page is not None:
            view_args = self._get_list_extra_args()

            def url(**place):
                extra_args = {**view_args.extra_args, **place}
                return self._get_list_url(view_args.clone(extra_args=extra_args))

            here = {arg: request.args[arg] for arg in (AFTER, BEFORE, LAST) if arg in request.args}
            return_url = url(**here)
            kwargs.update(
                list_page=list_page,
                row_buttons=RowActions(self, return_url),
                list_cell=self.list_cell,
                # The tab's "List (…)": the figure as people read it, none for an empty list.
                count=str(list_page.count) if list_page.count.value else None,
                count_phrase=self.count_phrase(list_page.count),
                return_url=return_url,
                first_url=url(),
                previous_url=list_page.first and url(before=list_page.first.token()),
                next_url=list_page.last and url(after=list_page.last.token()),
                last_url=url(last=1),
            )
        return super().render(template, **kwargs)

    def list_cell(self, row, name: str):
        """What the list shows in column ``name`` of ``row``: Flask-Admin's value, as a
        plain function. Flask-Admin's own asks for the template's context, and Jinja hands
        such a function a fresh copy of the whole context, blocks and all, whenever the
        calling block sets variables (``keyset_list.html``'s does): a copy per cell. The
        formatters of these lists need no context."""
        return self._get_list_value(
            None, row, name, self.column_formatters, self.column_type_formatters
        )

    def row_ref(self, row) -> str:
        """What a row's checkbox sends for a bulk action (``parse_row_ref`` reads it)."""
        return str(self.get_pk_value(row))

    def extra_row_parts(self) -> tuple:
        """Row parts (``cms.admin.rows``) after Flask-Admin's buttons in each row."""
        return ()

    def count_phrase(self, count: RowCount) -> str:
        one, many = self.counted_noun
        return f"{count} {one if count.exact and count.value == 1 else many}"


def _streamed(query, batch: int):
    """The export's rows, read ``batch`` at a time as Flask-Admin's streamed CSV response
    writes them, never the whole list at once. The response runs after the view's session
    is closed, so the rows are read through the session of the context the stream runs
    in, closed when the stream ends (the view's session, used again there, would begin a
    transaction that nothing ends)."""
    yield from query.with_session(db.session()).yield_per(batch)


def _order(column, id_column, descending: bool) -> list:
    return [column.desc(), id_column.desc()] if descending else [column.asc(), id_column.asc()]


def _nulls_last(descending: bool) -> bool:
    """Where the database puts NULLs in this order: PostgreSQL sorts them as larger than
    any value, SQLite as smaller; the indexes hold them the same way."""
    nulls_larger = _dialect() == "postgresql"
    return nulls_larger != descending


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _segments(column, id_column, cursor: Cursor | None, descending: bool, nullable: bool):
    """The conditions that read the rows after ``cursor``, in order: each a range of one
    index. A nullable column's rows with a value and those without are two ranges: a page
    that reaches the end of the first continues at the start of the second."""
    if cursor is None:
        return [None]
    if cursor.value is None:
        after_id = id_column < cursor.id if descending else id_column > cursor.id
        rest = None if _nulls_last(descending) else column.is_not(None)
        return [and_(column.is_(None), after_id)] + ([rest] if rest is not None else [])
    # The row value is the seek; the bound on the column alone says the same for a planner
    # that cannot seek on a row value across a join (the sort by author).
    row, at = tuple_(column, id_column), (cursor.value, cursor.id)
    bound = column <= cursor.value if descending else column >= cursor.value
    after = and_(bound, row < at if descending else row > at)
    if nullable and _nulls_last(descending):
        return [after, column.is_(None)]
    return [after]
