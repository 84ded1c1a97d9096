"""The database of each kind the bench runs on (a fresh one, or one named by a setting),
the app on it, migrated by the app's own migrations."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import psycopg
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from cms import create_app
from cms.extensions import db
from config.settings import normalise_database_url

#: The server on which the bench creates (and afterwards drops) its own database.
DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

#: The "testing" settings (fast password hash, no two-factor requirement, mail kept in
#: memory), but answering errors as production does: a 500 is a status to report.
SETTINGS = {
    "CMS_CONFIG": "testing",
    "SECRET_KEY": "bench-secret-key",
    "SECURITY_PASSWORD_SALT": "bench-password-salt",
    "TWO_FACTOR_REQUIRED": "false",
    "LOG_LEVEL": "WARNING",
}


#: The settings that name a database to use instead of a fresh one, by kind.
NAMED_BY = {"sqlite": "BENCH_SQLITE_PATH", "postgresql": "BENCH_POSTGRESQL_DATABASE"}


def make_app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False}, environ=SETTINGS)


def migrate(app) -> None:
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()


@contextmanager
def bench_database(kind: str, *, keep: bool) -> Iterator[tuple[str, bool]]:
    """(URL, named) of the database to run on: the one that ``NAMED_BY[kind]`` names,
    created if missing and never removed, else a fresh one (see ``fresh_database``)."""
    name = os.environ.get(NAMED_BY[kind], "").strip()
    if name:
        yield named_database(kind, name), True
        return
    with fresh_database(kind, keep=keep) as url:
        yield url, False


def named_database(kind: str, name: str) -> str:
    """The URL of the SQLite file at path ``name``, or of the PostgreSQL database ``name`` on
    ``BENCH_DATABASE_URL``'s server; a missing PostgreSQL database is created (empty)."""
    if kind == "sqlite":
        path = Path(name).expanduser().resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    server = _server()
    with psycopg.connect(_dsn(server), autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


def contents(url: str) -> str:
    """``"posts"`` if the database holds posts; ``"nothing"`` if it holds neither posts nor
    accounts (missing, empty, or only migrated); else ``"accounts"`` (a seeding that
    stopped before its posts, or not the bench's database at all)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database).exists():
        return "nothing"
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())

            def holds(table: str) -> bool:
                found = text(f"SELECT 1 FROM {table} LIMIT 1")
                return table in tables and connection.scalar(found) is not None

            if holds("posts"):
                return "posts"
            if holds("users"):
                return "accounts"
            return "nothing"
    finally:
        engine.dispose()


@contextmanager
def fresh_database(kind: str, *, keep: bool) -> Iterator[str]:
    """The SQLAlchemy URL of a new, empty database of ``kind``; removed afterwards unless
    ``keep`` (then its whereabouts are printed)."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="cms_bench_", dir=os.environ.get("BENCH_DIR")))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            if keep:
                print(f"Kept the SQLite database: {folder / 'bench.sqlite3'}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
        return
    server = _server()
    name = f"cms_bench_{uuid.uuid4().hex[:10]}"
    admin_dsn = _dsn(server)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        if keep:
            print(f"Kept the PostgreSQL database: {name}")
        else:
            with psycopg.connect(admin_dsn, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def size_of(url: str) -> int:
    """The database's size on disk, in bytes."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        return connection.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def server_version(url: str) -> str:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]


def _server():
    return make_url(
        normalise_database_url(os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER_URL))
    )


def _dsn(url) -> str:
    """psycopg's spelling of a SQLAlchemy URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
