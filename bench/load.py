"""Bulk loading of the posts' rows, each database its fastest way, into a database that
ends exactly as the app's migrations and saves would leave it.

What the database maintains row by row, and can build faster in one pass once the rows
are in, is set aside for the load and rebuilt from the database's own definitions (read
from its catalog just before, so they cannot drift from the migrations that made them):

- on SQLite, the triggers that keep a full-text index of ``posts`` (an external-content
  FTS5 table) in step: fired per row they cost most of the load (4 min 42 s of 6 min
  26 s at 100,000 posts, 63 min at a million); FTS5's 'rebuild' then indexes every post
  in one pass (about 35 s of CPU per 100,000 posts), which is what the migration that
  created the table does for the posts already there;
- on PostgreSQL, the secondary indexes of ``posts``: a bulk build is several times
  faster than a million single inserts into each (and writes far less WAL);
- on PostgreSQL, the foreign keys of ``posts`` (one query per row; re-adding a key
  checks all rows in one).

SQLite keeps its B-tree indexes during the load: it stores each row whole (a 2 KB body
and its HTML, 5 KB a post), so each CREATE INDEX reads the whole table, overflow pages
and all; 18 builds at a million posts read some 90 GB (13 min in a run on this
machine). Updated row by row from a cache that holds them, they cost about what the
builds cost in CPU at 100,000 posts (10 s against 11 s) and read nothing.

Whatever else the database does on insert (generated columns, checks, other triggers)
it still does during the load. On PostgreSQL most of the load is the database's own
work for search, which no setting removes: at 100,000 posts the server spent about 31 s
of CPU computing the stored ``search_vector`` of the rows during COPY (out of 44 s for
the COPY; the foreign key took 3 s), then 35 to 45 s building its GIN index (whatever
maintenance_work_mem, from 64 MB to 4 GB), against under 2 s for the 18 B-tree indexes.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator
from itertools import islice

import psycopg

#: PostgreSQL's maintenance_work_mem for the index builds after the load.
_INDEX_BUILD_MEMORY = "1GB"

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
        # Enough for the B-tree indexes of a million posts (~0.5 GB) to stay in memory.
        connection.execute("PRAGMA cache_size=-1048576")  # 1 GB
        started = time.perf_counter()
        search_indexes, triggers = sqlite_search_indexes(connection)
        connection.execute("BEGIN")
        for name, _ in triggers:
            connection.execute(f'DROP TRIGGER "{name}"')
        names = ", ".join(f'"{name}"' for name in columns)
        marks = ", ".join("?" for _ in columns)
        statement = f"INSERT INTO posts ({names}) VALUES ({marks})"
        for chunk in batched(rows, 20_000):
            connection.executemany(statement, chunk)
        steps["rows and B-tree indexes (executemany)"] = time.perf_counter() - started
        started = time.perf_counter()
        for name in search_indexes:
            connection.execute(f'INSERT INTO "{name}" ("{name}") VALUES (\'rebuild\')')
        for _, sql in triggers:
            connection.execute(sql)
        connection.execute("COMMIT")
        steps["search index (FTS5 rebuild)"] = time.perf_counter() - started
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
        connection.execute(f"SET maintenance_work_mem = '{_INDEX_BUILD_MEMORY}'")
        connection.execute("SET synchronous_commit = off")
        started = time.perf_counter()
        # Indexes that back a constraint (the primary key) stay; the others are rebuilt.
        indexes = connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = 'posts' AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = 'posts'::regclass) "
            "ORDER BY indexname"
        ).fetchall()
        # A foreign key checks each row by a query of its own; re-adding it checks them
        # all in one.
        foreign_keys = connection.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'posts'::regclass AND contype = 'f' ORDER BY conname"
        ).fetchall()
        for name, _ in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        for name, _ in foreign_keys:
            connection.execute(f'ALTER TABLE posts DROP CONSTRAINT "{name}"')
        _truncate_empty_posts(connection)
        names = ", ".join(f'"{name}"' for name in columns)
        # FREEZE (allowed into a table truncated in the same transaction) writes the rows
        # frozen and all-visible, so the VACUUM below has no page left to rewrite.
        statement = f"COPY posts ({names}) FROM STDIN WITH (FREEZE)"
        with connection.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
        steps["rows (COPY)"] = time.perf_counter() - started
        started = time.perf_counter()
        for _, sql in indexes:
            if " USING gin " in sql:
                connection.execute(sql)
        steps["search index (GIN)"] = time.perf_counter() - started
        started = time.perf_counter()
        for _, sql in indexes:
            if " USING gin " not in sql:
                connection.execute(sql)
        for name, definition in foreign_keys:
            connection.execute(f'ALTER TABLE posts ADD CONSTRAINT "{name}" {definition}')
        connection.commit()
        steps["indexes and foreign keys"] = time.perf_counter() - started
    started = time.perf_counter()
    with psycopg.connect(dsn, autocommit=True) as connection:
        # VACUUM too: a table that has only ever been bulk-loaded has no visibility map, and
        # index-only scans would visit the heap until autovacuum came by.
        connection.execute("VACUUM ANALYZE")
    steps["VACUUM ANALYZE"] = time.perf_counter() - started


def _truncate_empty_posts(connection) -> None:
    """TRUNCATE the (empty) posts table, so COPY may FREEZE; with it the tables whose
    foreign keys point at posts, which TRUNCATE requires, after checking that they are
    empty too (a nullable key could hold rows with no post)."""
    tables = [
        name
        for (name,) in connection.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE confrelid = 'posts'::regclass AND contype = 'f'"
        )
    ]
    for table in ["posts", *tables]:
        if connection.execute(f"SELECT EXISTS (SELECT FROM {table})").fetchone()[0]:
            raise RuntimeError(f"{table} holds rows: the seeding needs an empty posts table")
    connection.execute(f"TRUNCATE {', '.join(['posts', *tables])}")


def batched(items, size: int) -> Iterator[list]:
    # itertools.batched arrived in Python 3.12.
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
