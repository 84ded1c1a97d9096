"""SQLite, the embedded default, in WAL mode: a long read never makes a save fail.

These tests open their own database file with two real connections; the suite's usual
single rolled-back connection could not show two transactions at once.
"""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import select, text

from cms.extensions import db
from cms.posts.models import Post
from tests.factories import PostFactory, UserFactory


@pytest.fixture
def file_app(make_app, tmp_path):
    """The app on a SQLite file of its own, migrated as ops would."""
    app = make_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.sqlite3'}"})
    with app.app_context():
        flask_migrate.upgrade()
        db.session.remove()
    return app


def test_a_save_succeeds_while_another_connection_holds_a_read_transaction(file_app):
    with file_app.app_context():
        post = PostFactory(UserFactory(roles=["author"]), title="Before")
        with db.engine.connect() as reader, reader.begin():
            # A long read (a big list, a report) is still open on its own connection.
            assert reader.execute(select(Post.title)).scalars().all() == ["Before"]

            post.title = "After"
            db.session.commit()  # in rollback-journal mode: "database is locked"

            # The reader keeps the snapshot it started with, as WAL promises.
            assert reader.execute(select(Post.title)).scalars().all() == ["Before"]
        with db.engine.connect() as later:
            assert later.execute(select(Post.title)).scalars().all() == ["After"]


def test_every_connection_to_a_file_uses_wal_and_waits_for_a_busy_writer(file_app):
    with file_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_an_in_memory_database_still_works(make_app):
    """WAL needs a file; SQLite keeps its in-memory journal and nothing fails."""
    app = make_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "memory"
        assert connection.execute(text("SELECT 1")).scalar() == 1
