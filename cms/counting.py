"""How many rows a list holds, without counting a big table on every page view.

An exact ``COUNT(*)`` reads every row it counts: at a million posts that is most of a
second per page. So a list counts at most ``exact_up_to + 1`` rows (an index range that
stops early) and says the figure exactly when the list is no bigger than that. Past it,
PostgreSQL's planner already keeps an estimate (what ``EXPLAIN`` prints), so the figure is
"about" that; SQLite keeps none worth showing between ``ANALYZE`` runs, so the figure is
"more than" the bound. Paging never depends on the figure: it reaches every row either way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ClauseElement, Executable, Select, func, literal_column, select
from sqlalchemy.ext.compiler import compiles

from cms.extensions import db

#: Below this, a list's figure is exact; counting this many index entries takes a few ms.
EXACT_UP_TO = 10_000


class Precision(StrEnum):
    EXACT = "exact"
    ESTIMATE = "estimate"  # the database's own estimate: "about 1,000,000"
    AT_LEAST = "at least"  # a bounded count reached its bound: "more than 10,000"


@dataclass(frozen=True)
class RowCount:
    value: int
    precision: Precision = Precision.EXACT

    @property
    def exact(self) -> bool:
        return self.precision is Precision.EXACT

    def __str__(self) -> str:
        """The figure as people read it: "1,234", "about 1,000,000", "more than 10,000"."""
        if self.precision is Precision.ESTIMATE:
            return f"about {_rounded(self.value):,}"
        if self.precision is Precision.AT_LEAST:
            return f"more than {self.value:,}"
        return f"{self.value:,}"


def _rounded(value: int) -> int:
    """An estimate keeps two significant figures: more would claim a precision it lacks."""
    if value < 100:
        return value
    digits = len(str(value)) - 2
    return round(value, -digits)


def count_rows(query: Select, *, exact_up_to: int = EXACT_UP_TO) -> RowCount:
    """How many rows ``query`` returns: exact up to ``exact_up_to``, an estimate past it.

    One statement on SQLite (the bounded count); on PostgreSQL the planner's estimate comes
    first (no rows read), and the bounded count runs only when the estimate is small or
    says less than the bound was reached.
    """
    pending = PendingCount(query, exact_up_to=exact_up_to)
    if pending.known is not None:
        return pending.known
    return pending.result(db.session.scalar(select(pending.column)))


class PendingCount:
    """``count_rows`` in two halves, so that its bounded count can ride along in another
    statement (a list page's own SELECT) instead of costing one of its own.

    ``known`` is the figure when no count is needed (PostgreSQL's estimate of a big list);
    otherwise ``column`` is the bounded count as a scalar subquery to select, and
    ``result(value)`` turns what it returned into the figure.
    """

    def __init__(self, query: Select, *, exact_up_to: int = EXACT_UP_TO) -> None:
        query = query.order_by(None).limit(None).offset(None)
        self.exact_up_to = exact_up_to
        self.estimate: int | None = None
        self.known: RowCount | None = None
        self.column = None
        options = query.get_execution_options()
        self.counted_by = options.get(_COUNTED_BY)
        if self.counted_by is not None:
            self.column = self.counted_by
            self.lower_bound = False
            return
        marked = options.get(_BOUNDED_ONLY)
        self.lower_bound = marked == _SAMPLED
        if marked is None and db.session.get_bind().dialect.name == "postgresql":
            given = options.get(_ESTIMATE)
            self.estimate = planner_estimate(query) if given is None else given
            if given is not None:
                self.known = RowCount(given, Precision.ESTIMATE)
                return
            if self.estimate > exact_up_to * 10:
                self.known = RowCount(self.estimate, Precision.ESTIMATE)
                return
        self.column = _bounded_count_query(query, exact_up_to + 1).scalar_subquery()

    def result(self, counted: int) -> RowCount:
        if self.known is not None:
            return self.known
        if self.counted_by is not None:
            return RowCount(counted)
        if self.lower_bound:
            return RowCount(min(counted, self.exact_up_to), Precision.AT_LEAST)
        if counted <= self.exact_up_to:
            return RowCount(counted)
        if self.estimate is not None:
            return RowCount(max(self.estimate, counted), Precision.ESTIMATE)
        return RowCount(self.exact_up_to, Precision.AT_LEAST)


#: The execution option ``estimated`` sets.
_ESTIMATE = "cms_count_estimate"


def estimated(query, estimate: int):
    """``query`` marked with PostgreSQL's estimate of its rows, already obtained (a
    search asks for it to choose its plan), so that counting it does not ask again. The
    figure is that estimate: a bounded count would test each row (for a search, unpack
    each post's vector)."""
    return query.execution_options(**{_ESTIMATE: estimate})


#: The execution option ``counted_by`` sets.
_COUNTED_BY = "cms_counted_by"


def counted_by(query, column):
    """``query`` marked with a column that says exactly how many rows it returns, cheaper
    than counting them (a search knows its matches): the figure is that column's value,
    selected along with the page."""
    return query.execution_options(**{_COUNTED_BY: column})


#: The execution option ``bounded_only`` sets, and its two values.
_BOUNDED_ONLY = "cms_bounded_count_only"
_WHOLE, _SAMPLED = "whole", "sampled"


def bounded_only(query, *, sampled: bool = False):
    """``query`` (a ``Select`` or an ORM ``Query``), marked so that its figure is a
    bounded count only, never PostgreSQL's estimate: for a list whose estimate would be a
    guess (a search for a word the planner's statistics lack) and whose bounded count is
    cheap. It saves the statement the estimate costs.

    ``sampled``: the query reads only some of the rows (the first that an index holds),
    so what it counts is a lower bound: "more than 630"."""
    return query.execution_options(**{_BOUNDED_ONLY: _SAMPLED if sampled else _WHOLE})


def bounded_count(query: Select, *, exact_up_to: int = EXACT_UP_TO):
    """``query``'s figure as a bounded count only (no estimate): a scalar subquery whose
    value ``bounded_figure`` reads, for counting several lists in one statement."""
    return _bounded_count_query(query.order_by(None), exact_up_to + 1).scalar_subquery()


def bounded_figure(counted: int, *, exact_up_to: int = EXACT_UP_TO) -> RowCount:
    if counted <= exact_up_to:
        return RowCount(counted)
    return RowCount(exact_up_to, Precision.AT_LEAST)


def _bounded_count_query(query: Select, bound: int) -> Select:
    """Counts at most ``bound`` rows: the database stops reading there."""
    rows = query.with_only_columns(literal_column("1"), maintain_column_froms=True)
    limited = rows.limit(bound).subquery()
    return select(func.count()).select_from(limited)


class _Explain(Executable, ClauseElement):
    """``EXPLAIN (FORMAT JSON)`` of a query, its parameters bound as the query's own are."""

    inherit_cache = False

    def __init__(self, query: Select) -> None:
        self.query = query


@compiles(_Explain, "postgresql")
def _compile_explain(element: _Explain, compiler, **kwargs) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.query, **kwargs)


def planner_estimate(query: Select) -> int:
    """PostgreSQL's estimate of the rows ``query`` returns, from its statistics (the
    "rows=" that EXPLAIN prints); reads no table rows."""
    return _plan_rows(query)


def planner_estimates(*queries: Select) -> list[int]:
    """``planner_estimate`` of each query (of one column), in one statement: each is a
    subquery of one SELECT (EXPLAIN runs none of them), whose plan's rows it gives."""
    if len(queries) == 1:
        return [_plan_rows(queries[0])]
    plan = db.session.execute(_Explain(select(*(q.scalar_subquery() for q in queries))))
    plan = plan.scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    subplans = [node for node in plan[0]["Plan"]["Plans"] if "Subplan Name" in node]
    return [int(node["Plan Rows"]) for node in subplans]


def _plan_rows(query: Select) -> int:
    plan = db.session.execute(_Explain(query)).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
