"""Timestamps are UTC on every database, whatever time zone the server runs in."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cms.accounts.models import Role
from cms.extensions import db


@contextmanager
def server_time_zone(database_url: str, zone: str):
    """Make new PostgreSQL sessions on this database start in ``zone`` (SQLite has none)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        yield
        return
    engine = create_engine(url)
    statement = 'ALTER DATABASE "{}" {}'.format
    try:
        with engine.begin() as connection:
            connection.execute(text(statement(url.database, f"SET timezone TO '{zone}'")))
        yield
    finally:
        with engine.begin() as connection:
            connection.execute(text(statement(url.database, "RESET timezone")))
        engine.dispose()


def test_database_side_now_is_utc_even_on_a_server_set_elsewhere(make_app, database_url):
    with server_time_zone(database_url, "America/New_York"):
        other = make_app({"SQLALCHEMY_DATABASE_URI": database_url})
        with other.app_context():
            # Flask-Security's timestamps come from server_default=now() into naive columns.
            role = Role(name="timekeeper")
            db.session.add(role)
            db.session.flush()
            db.session.refresh(role)
            stored = role.update_datetime
            db.session.rollback()
    now = datetime.now(UTC).replace(tzinfo=None)
    assert abs(stored - now) < timedelta(minutes=5)
