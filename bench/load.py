"""Bulk loading of the posts' rows, each database its fastest way, into a database that
ends exactly as the app's migrations and saves would leave it.

What the database maintains row by row, and can build faster in one pass once the rows
are in, is set aside for the load and rebuilt from the database's own definitions (read
from its catalog just before, so they cannot drift from the migrations that made them):

- the secondary indexes of ``posts``, on both databases: a bulk build is several times
  faster than a million single inserts into each;
- on SQLite, the triggers that keep a full-text index of ``posts`` (an external-content
  FTS5 table) in step: fired per row they cost most of the load; FTS5's 'rebuild' then
  indexes every post in one pass, which is what the migration that created the table
  does for the posts already there.

Whatever else the database does on insert (generated columns, checks, other triggers)
it still does during the load.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from itertools import islice

import psycopg

#: An external-content FTS5 table over posts (``content='posts'`` or ``content=posts``).
_FTS_OVER_POSTS = re.compile(
    r"using\s+fts5\s*\(.*\bcontent\s*=\s*['\"]?posts['\"]?\s*[,)]", re.IGNORECASE | re.DOTALL
)


def load_sqlite(url, columns: list[str], rows: Iterator[tuple], steps: dict) -> None:
    connection = sqlite3.connect(url.database, isolation_level=None)
    try:
        journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
        connection.execute("PRAGMA journal_mode=OFF")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-524288")  # 512 MB
        started = time.perf_counter()
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'index' AND tbl_name = 'posts' AND sql IS NOT NULL"
        ).fetchall()
        search_indexes, triggers = sqlite_search_indexes(connection)
        connection.execute("BEGIN")
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        for name, _ in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO posts ({names}) VALUES ({marks})"
        for chunk in batched(rows, 20_000):
            connection.executemany(statement, chunk)
        steps["rows (executemany)"] = time.perf_counter() - started
        started = time.perf_counter()
        for name in search_indexes:
            connection.execute(f'INSERT INTO "{name}" ("{name}") VALUES (\'rebuild\')')
        for _, sql in triggers:
            connection.execute(sql)
        steps["search index (FTS5 rebuild)"] = time.perf_counter() - started
        started = time.perf_counter()
        for _, sql in indexes:
            connection.execute(sql)
        connection.execute("COMMIT")
        steps["indexes"] = time.perf_counter() - started
        started = time.perf_counter()
        connection.execute("ANALYZE")
        steps["ANALYZE"] = time.perf_counter() - started
        connection.execute(f"PRAGMA journal_mode={journal}")
    finally:
        connection.close()


def sqlite_search_indexes(connection) -> tuple[list[str], list[tuple[str, str]]]:
    """The FTS5 tables whose content is ``posts``, and (name, SQL) of the triggers on
    ``posts`` that write to them, in the order they were created."""
    tables = [
        name
        for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL"
        )
        if _FTS_OVER_POSTS.search(sql)
    ]
    triggers = [
        (name, sql)
        for name, sql in connection.execute(
            "SELECT name, sql FROM sqlite_master "
            "WHERE type = 'trigger' AND tbl_name = 'posts' ORDER BY rowid"
        )
        if any(re.search(rf"\b{re.escape(table)}\b", sql) for table in tables)
    ]
    return tables, triggers


def load_postgresql(url, columns: list[str], rows: Iterator[tuple], steps: dict) -> None:
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        connection.execute("SET maintenance_work_mem = '1GB'")
        connection.execute("SET synchronous_commit = off")
        started = time.perf_counter()
        # Indexes that back a constraint (the primary key) stay; the others are rebuilt.
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = 'posts' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'posts'::regclass)"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        names = ", ".join(f'"{name}"' for name in columns)
        with connection.cursor().copy(f"COPY posts ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        steps["rows (COPY)"] = time.perf_counter() - started
        started = time.perf_counter()
        for _, sql in indexes:
            connection.execute(sql)
        connection.commit()
        steps["indexes"] = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as connection:
        # VACUUM too: a table that has only ever been bulk-loaded has no visibility map, and
        # index-only scans would visit the heap until autovacuum came by.
        connection.execute("VACUUM ANALYZE")
    steps["VACUUM ANALYZE"] = time.perf_counter() - started


def batched(items, size: int) -> Iterator[list]:
    # itertools.batched arrived in Python 3.12.
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
