"""Public pages read outside a transaction on PostgreSQL (cms/public/reading.py): no BEGIN
and ROLLBACK round trips, and statements psycopg can keep prepared.

These tests run an app of their own on the test database, not joined to the test's outer
transaction (the suite's session, bound to that connection, reads inside it).
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from cms.extensions import db


@pytest.fixture
def own_app(make_app, app, database_url):
    """An app on the test database (migrated by ``app``) with its own pool."""
    return make_app({"SQLALCHEMY_DATABASE_URI": database_url})


def isolation_levels(app, path: str, status: int = 200) -> list[str | None]:
    """The isolation level each statement of ``path`` ran under (None: the default)."""
    levels = []

    def record(conn, cursor, statement, parameters, context, executemany):
        levels.append(conn.get_execution_options().get("isolation_level"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert app.test_client().get(path).status_code == status, path
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return levels


def is_postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


@pytest.mark.parametrize(
    ("path", "status"),
    # The second names a cursor below every post: no such page, found out by a read.
    [("/", 200), ("/?before=2000-01-01T00:00:00Z_1", 404)],
)
def test_public_pages_read_in_autocommit_on_postgresql_only(own_app, path, status):
    levels = isolation_levels(own_app, path, status)
    assert levels
    assert set(levels) == {"AUTOCOMMIT" if is_postgresql(own_app) else None}


def test_the_connection_goes_back_to_the_pool_transactional(own_app):
    isolation_levels(own_app, "/")
    # The pool's one connection, reused.
    with own_app.app_context(), db.engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert connection.get_execution_options().get("isolation_level") is None
        if is_postgresql(own_app):
            assert driver.autocommit is False
        else:  # still as configure_sqlite left it: SQLAlchemy, not the driver, begins
            assert driver.isolation_level is None
