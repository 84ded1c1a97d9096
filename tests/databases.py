"""A fresh, migrated database for one test run, on SQLite or PostgreSQL.

``TEST_DATABASE_URL`` picks the server: unset means SQLite in a temporary file; a
PostgreSQL URL names a server on which the run creates its own database and drops it
afterwards, so no run depends on what another left behind.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from config.settings import normalise_database_url


def configured_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    return normalise_database_url(url) if url else None


@contextmanager
def fresh_database(tmp_dir: Path) -> Iterator[str]:
    """Yield the SQLAlchemy URL of a new, empty database; remove it afterwards."""
    server_url = configured_url()
    if server_url is None:
        yield f"sqlite:///{tmp_dir / 'test.sqlite3'}"
        return
    url = make_url(server_url)
    if url.get_backend_name() != "postgresql":
        raise RuntimeError(f"TEST_DATABASE_URL must be PostgreSQL, not {url.get_backend_name()}")
    name = f"cms_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_answers(url: str) -> bool:
    """Whether the PostgreSQL server in ``url`` accepts a connection."""
    dsn = make_url(normalise_database_url(url)).set(drivername="postgresql")
    try:
        with psycopg.connect(dsn.render_as_string(hide_password=False), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


if __name__ == "__main__":
    # `python -m tests.databases URL`: exit 0 when the server answers (used by the Makefile).
    import sys

    raise SystemExit(0 if server_answers(sys.argv[1]) else 1)
