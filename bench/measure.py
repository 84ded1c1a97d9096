"""Timing a request (and its reference query) over repeated runs, counting its SQL."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event

from cms.extensions import db

from .pages import Page

# What SQLAlchemy sends around statements, not the page's queries (as tests/statements.py).
_HOUSEKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


@dataclass(frozen=True)
class Runs:
    """How many times something ran (after the warm-up) and how long each took."""

    warmups: int
    runs: int
    #: Seconds after which a slow request stops being repeated (once measured at least once).
    budget: float


@dataclass
class Timing:
    milliseconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.milliseconds)

    @property
    def p95(self) -> float:
        if len(self.milliseconds) < 2:
            return self.milliseconds[0]
        return statistics.quantiles(self.milliseconds, n=20, method="inclusive")[18]


@dataclass
class Measured:
    page: Page
    request: Timing | None = None
    statuses: tuple[int, ...] = ()
    statements: int | None = None
    reference: Timing | None = None
    reference_rows: int | None = None

    @property
    def ratio(self) -> float | None:
        if self.request is None or self.reference is None or self.reference.median == 0:
            return None
        return self.request.median / self.reference.median


def _timed(action: Callable[[], None]) -> float:
    begun = time.perf_counter()
    action()
    return (time.perf_counter() - begun) * 1000


def _repeat(action: Callable[[], None], runs: Runs) -> Timing:
    """Warm up, then time ``action``. A slow one is repeated less: warming up stops after
    a quarter of ``runs.budget`` seconds and timing after the budget; a first run longer
    than the whole budget is the only one (a page of a minute is not worth 25 minutes)."""
    budget_ms = runs.budget * 1000
    warm = 0.0
    for _ in range(runs.warmups):
        took = _timed(action)
        if took > budget_ms:
            return Timing([took])
        warm += took
        if warm > budget_ms / 4:
            break
    times: list[float] = []
    while len(times) < runs.runs and sum(times) < budget_ms:
        times.append(_timed(action))
    return Timing(times)


@contextmanager
def _statements(app):
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(_HOUSEKEEPING):
            sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def measure(app, client, page: Page, runs: Runs) -> Measured:
    measured = Measured(page)
    if page.url is None:
        return measured
    statuses: list[int] = []
    counts: list[int] = []

    def request() -> None:
        with _statements(app) as sent:
            response = client.get(page.url)
            response.get_data()
        statuses.append(response.status_code)
        counts.append(len(sent))

    measured.request = _repeat(request, runs)
    measured.statuses = tuple(sorted(set(statuses)))
    measured.statements = counts[-1]

    if page.reference is not None:
        rows: list[int] = []

        def reference() -> None:
            with app.app_context():
                rows.append(len(db.session.scalars(page.reference()).unique().all()))
                db.session.remove()

        measured.reference = _repeat(reference, runs)
        measured.reference_rows = rows[-1]
    return measured
