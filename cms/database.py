"""Column types, engine settings and the bound on row ids shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, event
from sqlalchemy.types import TypeDecorator

#: The largest row id: primary keys are 32-bit INTEGERs on PostgreSQL, which refuses to
#: compare one with a larger value bound as one. A larger number in a URL is no row.
MAX_ID = 2**31 - 1


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC on every database and read back as aware UTC.

    SQLite keeps no time zone, so storing naive UTC everywhere gives one convention on
    both databases; the application only ever sees aware datetimes.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column; use cms.clock.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


#: How long a write waits for another connection's write to finish before it fails.
SQLITE_BUSY_TIMEOUT_MS = 5_000


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite behave like the database the app is written for.

    Foreign keys are off by default in SQLite; and pysqlite's own transaction handling
    breaks SAVEPOINTs, so SQLAlchemy is left to emit BEGIN itself (the recipe from the
    SQLAlchemy SQLite dialect documentation).

    A database file runs in WAL mode: readers and the writer no longer block each other, so
    a long read (a big list, a report) never makes a save fail with "database is locked",
    as it would in the default rollback-journal mode once the busy timeout ran out. The
    mode is kept in the file; every process on this machine that opens it (the web
    workers, the CLI) uses it. Writers still take turns: one waits up to the busy timeout
    for another. An in-memory database has no WAL and keeps its "memory" journal.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def configure_postgresql(engine: Engine) -> None:
    """Run every session in UTC, so database-side defaults such as Flask-Security's
    ``server_default=now()`` store UTC like everything else, whatever the server's zone."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
        dbapi_connection.commit()
