"""The migrations as ops run them: ``flask db upgrade`` on an empty database, no drift from
the models, and a full downgrade and upgrade again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.databases import fresh_database

ROOT = Path(__file__).resolve().parents[1]


def flask_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ["PATH"],
        "CMS_CONFIG": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "x",
        "SECURITY_PASSWORD_SALT": "y",
    }
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def empty_database(tmp_path):
    with fresh_database(tmp_path) as url:
        yield url


def _tables(database_url: str) -> set[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_check_downgrade_upgrade(empty_database):
    for step in (("upgrade",), ("check",), ("downgrade", "base"), ("upgrade",), ("check",)):
        result = flask_db(empty_database, *step)
        assert result.returncode == 0, f"flask db {' '.join(step)}:\n{result.stderr}"
        if step == ("downgrade", "base"):
            assert _tables(empty_database) == set()
    assert {"users", "roles", "roles_users", "posts", "webauthn"} <= _tables(empty_database)


def test_upgrade_creates_the_built_in_roles(app):
    from cms.accounts.models import Role
    from cms.extensions import db

    names = set(db.session.scalars(db.select(Role.name)))
    assert names == {"admin", "editor", "author"}


def test_existing_posts_get_their_first_revision_on_upgrade(empty_database):
    from sqlalchemy import create_engine, text

    assert flask_db(empty_database, "upgrade", "878373a968d1").returncode == 0
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO users (email, active, fs_uniquifier) "
                    "VALUES ('old@example.com', true, 'u1')"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO posts (title, slug, summary, body, status, author_id, "
                    "created_at, updated_at) SELECT 'Old post', 'old-post', '', 'Old words', "
                    "'draft', id, '2025-01-01 10:00:00', '2025-02-01 10:00:00' FROM users"
                )
            )
        result = flask_db(empty_database, "upgrade")
        assert result.returncode == 0, result.stderr
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT title, body, created_by_id IS NOT NULL FROM post_revisions")
            ).all()
        assert [tuple(row) for row in rows] == [("Old post", "Old words", True)]
    finally:
        engine.dispose()


def test_downgrading_through_a_table_rebuild_keeps_the_rows_that_point_at_it(empty_database):
    """On SQLite a batch migration rebuilds posts; with foreign keys on, dropping the old
    table would cascade-delete every revision, link and redirect."""
    from sqlalchemy import create_engine, text

    assert flask_db(empty_database, "upgrade").returncode == 0
    engine = create_engine(empty_database)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO users (email, active, fs_uniquifier) VALUES ('a@b.c', true, 'u')")
            )
            connection.execute(
                text(
                    "INSERT INTO posts (title, slug, summary, body, status, author_id, created_at, "
                    "updated_at) SELECT 'P', 'p', '', 'b', 'draft', id, '2025-01-01', "
                    "'2025-01-01' FROM users"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO post_revisions (post_id, title, slug, summary, body, created_at) "
                    "SELECT id, 'P', 'p', '', 'b', '2025-01-01' FROM posts"
                )
            )
        # Down past the migration that added posts.version (a rebuild of posts on SQLite).
        result = flask_db(empty_database, "downgrade", "34660face098")
        assert result.returncode == 0, result.stderr
        with engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM post_revisions")).scalar() == 1
    finally:
        engine.dispose()


def test_drafts_may_share_a_slug_and_downgrading_gives_each_its_own(empty_database):
    """After the upgrade only published (and scheduled) posts hold a slug; the downgrade
    puts the unique constraint back, so shared slugs are told apart first."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import IntegrityError

    assert flask_db(empty_database, "upgrade").returncode == 0
    engine = create_engine(empty_database)

    def add_post(connection, slug: str, status: str) -> None:
        connection.execute(
            text(
                "INSERT INTO posts (title, slug, summary, body, status, author_id, created_at, "
                "updated_at, published_at) SELECT 'T', :slug, '', '', :status, id, "
                "'2025-01-01', '2025-01-01', :at FROM users"
            ),
            {"slug": slug, "status": status, "at": "2025-01-01" if status == "published" else None},
        )

    try:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO users (email, active, fs_uniquifier) VALUES ('a@b.c', true, 'u')")
            )
            add_post(connection, "shared", "draft")
            add_post(connection, "shared", "review")
            add_post(connection, "shared", "published")
            add_post(connection, "shared-2", "draft")
        with pytest.raises(IntegrityError), engine.begin() as connection:
            add_post(connection, "shared", "published")  # a second live post at one address

        result = flask_db(empty_database, "downgrade", "b7d2e41c9a05")
        assert result.returncode == 0, result.stderr
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT status, slug FROM posts ORDER BY id")).all()
        assert [tuple(row) for row in rows] == [
            ("draft", "shared-3"),
            ("review", "shared-4"),
            ("published", "shared"),  # the post readers reach keeps its address
            ("draft", "shared-2"),
        ]
        with pytest.raises(IntegrityError), engine.begin() as connection:
            add_post(connection, "shared-2", "draft")
    finally:
        engine.dispose()


def test_existing_revisions_get_who_saved_them_on_upgrade(empty_database):
    """From the account while it exists, else from the audit entry of the same save."""
    from sqlalchemy import create_engine, text

    assert flask_db(empty_database, "upgrade", "c3f9a1d27e58").returncode == 0
    engine = create_engine(empty_database)
    statements = [
        "INSERT INTO users (id, email, active, fs_uniquifier) VALUES "
        "(1, 'kept@example.com', true, 'u1')",
        "INSERT INTO posts (id, title, slug, summary, body, status, author_id, created_at, "
        "updated_at, version) VALUES (1, 'P', 'p', '', 'b', 'draft', 1, '2025-01-01 10:00:00', "
        "'2025-01-01 10:00:00', 1)",
        "INSERT INTO post_revisions (post_id, title, slug, summary, body, created_by_id, "
        "created_at) VALUES (1, 'P', 'p', '', 'a', 1, '2025-01-01 10:00:00'), "
        "(1, 'P', 'p', '', 'b', NULL, '2025-01-02 10:00:00'), "
        "(1, 'P', 'p', '', 'c', NULL, '2025-01-03 10:00:00')",
        # The deleted account's save left its name in the log; the last save left none.
        "INSERT INTO audit_log (at, actor_id, actor_email, action, target_type, target_id, "
        "changes, source) VALUES ('2025-01-02 10:00:00.002', NULL, 'gone@example.com', "
        "'post.edit', 'post', 1, '{}', 'admin'), ('2025-01-02 10:00:30', NULL, "
        "'later@example.com', 'post.edit', 'post', 1, '{}', 'admin')",
    ]
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
        result = flask_db(empty_database, "upgrade")
        assert result.returncode == 0, result.stderr
        with engine.connect() as connection:
            emails = connection.execute(
                text("SELECT created_by_email FROM post_revisions ORDER BY id")
            ).scalars()
            assert list(emails) == ["kept@example.com", "gone@example.com", None]
    finally:
        engine.dispose()
