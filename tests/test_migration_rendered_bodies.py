"""The migration that stores rendered bodies: existing posts come out of it rendered, and
its downgrade gives the columns back without losing a post."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.databases import fresh_database
from tests.test_migrations import flask_db

REVISION = "a7c3e9d2b5f1"


@pytest.fixture
def engine_before_the_migration(tmp_path):
    """A database migrated to just before it, holding two posts written then."""
    with fresh_database(tmp_path) as url:
        result = flask_db(url, "upgrade", f"{REVISION}-1")
        assert result.returncode == 0, result.stderr
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO users (email, active, fs_uniquifier) VALUES ('a@b.c', true, 'u')")
            )
            bodies = {"marked-up": "# Title\n\nSome *Markdown* & <script>x</script>", "empty": ""}
            for slug, body in bodies.items():
                connection.execute(
                    text(
                        "INSERT INTO posts (title, slug, summary, body, status, author_id, "
                        "created_at, updated_at) SELECT 'T', :slug, '', :body, 'draft', id, "
                        "'2025-01-01 10:00:00', '2025-01-01 10:00:00' FROM users"
                    ),
                    {"slug": slug, "body": body},
                )
        try:
            yield url, engine
        finally:
            engine.dispose()


def test_existing_posts_are_rendered_on_upgrade(engine_before_the_migration):
    url, engine = engine_before_the_migration

    result = flask_db(url, "upgrade", REVISION)

    assert result.returncode == 0, result.stderr
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT slug, body_html, excerpt FROM posts ORDER BY id")
        ).all()
    marked_up = "<h2>Title</h2>\n<p>Some <em>Markdown</em> &amp; </p>\n"
    assert [tuple(row) for row in rows] == [
        ("marked-up", marked_up, "Title Some Markdown &"),
        ("empty", "", ""),
    ]


def test_downgrade_removes_the_columns_and_keeps_the_posts(engine_before_the_migration):
    url, engine = engine_before_the_migration
    assert flask_db(url, "upgrade", REVISION).returncode == 0

    result = flask_db(url, "downgrade", f"{REVISION}-1")

    assert result.returncode == 0, result.stderr
    columns = {column["name"] for column in inspect(engine).get_columns("posts")}
    assert not {"body_html", "excerpt"} & columns
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM posts")).scalar() == 2


def test_search_still_follows_edits_after_the_downgrade(engine_before_the_migration):
    """Dropping the columns must not rebuild `posts` on SQLite: that drops the full-text
    triggers, and the search stops seeing edits."""
    url, engine = engine_before_the_migration
    assert flask_db(url, "upgrade", REVISION).returncode == 0
    assert flask_db(url, "downgrade", f"{REVISION}-1").returncode == 0

    with engine.begin() as connection:
        connection.execute(text("UPDATE posts SET title = 'Zanzibar' WHERE slug = 'empty'"))
        if engine.dialect.name == "sqlite":
            found = "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'zanzibar'"
        else:
            found = (
                "SELECT id FROM posts "
                "WHERE search_vector @@ to_tsquery('simple_unaccent', 'zanzibar')"
            )
        slugs = connection.execute(
            text(f"SELECT slug FROM posts WHERE id IN ({found})")  # noqa: S608 - fixed SQL
        ).scalars()
        assert list(slugs) == ["empty"]
