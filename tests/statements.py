"""Counting the SQL statements a request sends, to pin "queries per request" in tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from cms.extensions import db

# What the test fixtures and SQLAlchemy send around a statement, not the request itself.
_HOUSEKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN")


@contextmanager
def _listening(app, record) -> Iterator[None]:
    """Call ``record`` before every statement any connection of ``app``'s engine sends
    (the test's own outer connection included)."""
    with app.app_context():
        engine = db._app_engines[app][None]
    target = engine.engine if hasattr(engine, "engine") else engine
    event.listen(target, "before_cursor_execute", record)
    try:
        yield
    finally:
        event.remove(target, "before_cursor_execute", record)


@contextmanager
def recorded_statements(app) -> Iterator[list[str]]:
    """The SQL statements sent inside the block, in order (savepoints left out)."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(_HOUSEKEEPING):
            statements.append(statement)

    with _listening(app, record):
        yield statements


@contextmanager
def recorded_executions(app) -> Iterator[list[tuple[str, object]]]:
    """The SELECTs (with or without a leading WITH) sent inside the block with their
    parameters, to EXPLAIN them afterwards exactly as they were sent."""
    executions: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            executions.append((statement, parameters))

    with _listening(app, record):
        yield executions
