"""The migration that stores rendered bodies: it only adds the columns and the database's
trigger, readers get existing posts rendered all the same, the release step fills them in,
and the downgrade gives the columns back without losing a post."""

from __future__ import annotations

import os
import subprocess

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.databases import fresh_database
from tests.test_migrations import ROOT, flask_db
from tests.test_procfile import procfile

REVISION = "a7c3e9d2b5f1"


@pytest.fixture
def engine_before_the_migration(tmp_path):
    """A database migrated to just before it, holding two posts written then (the first
    one published)."""
    with fresh_database(tmp_path) as url:
        result = flask_db(url, "upgrade", f"{REVISION}-1")
        assert result.returncode == 0, result.stderr
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO users (email, active, fs_uniquifier) VALUES ('a@b.c', true, 'u')")
            )
            bodies = {
                "marked-up": ("# Title\n\nSome *Markdown* & <script>x</script>", "published"),
                "empty": ("", "draft"),
            }
            for slug, (body, status) in bodies.items():
                connection.execute(
                    text(
                        "INSERT INTO posts (title, slug, summary, body, status, author_id, "
                        "created_at, updated_at, published_at) SELECT 'T', :slug, '', :body, "
                        ":status, id, '2025-01-01 10:00:00', '2025-01-01 10:00:00', :at FROM users"
                    ),
                    {
                        "slug": slug,
                        "body": body,
                        "status": status,
                        "at": "2025-01-01 10:00:00" if status == "published" else None,
                    },
                )
        try:
            yield url, engine
        finally:
            engine.dispose()


MARKED_UP = "<h2>Title</h2>\n<p>Some <em>Markdown</em> &amp; </p>\n"


def stored(engine) -> list[tuple]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT slug, body_html, excerpt FROM posts ORDER BY id"))
        return [tuple(row) for row in rows]


def release(url: str) -> subprocess.CompletedProcess:
    """The Procfile's release step, as the platform runs it."""
    env = {
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
        "CMS_CONFIG": "testing",
        "DATABASE_URL": url,
        "SECRET_KEY": "x",
        "SECURITY_PASSWORD_SALT": "y",
    }
    return subprocess.run(
        ["bash", "-c", procfile()["release"]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_upgrade_renders_nothing_and_readers_get_the_posts_all_the_same(
    engine_before_the_migration, make_app
):
    """Rendering a million posts inside the migration would hold its lock on posts for
    minutes: it only adds the columns, and the app renders what is not stored yet."""
    url, engine = engine_before_the_migration

    result = flask_db(url, "upgrade")

    assert result.returncode == 0, result.stderr
    assert stored(engine) == [("marked-up", None, None), ("empty", None, None)]
    html = make_app({"SQLALCHEMY_DATABASE_URI": url}).test_client().get("/posts/marked-up")
    assert html.status_code == 200
    assert MARKED_UP.strip() in html.get_data(as_text=True)


def test_the_release_step_stores_the_existing_posts_rendered(engine_before_the_migration):
    url, engine = engine_before_the_migration

    result = release(url)

    assert result.returncode == 0, result.stderr
    assert "Rendered 2 post(s) not rendered yet." in result.stdout
    assert stored(engine) == [
        ("marked-up", MARKED_UP, "Title Some Markdown &"),
        ("empty", "", ""),
    ]


def test_after_the_upgrade_the_database_forgets_the_html_of_a_body_changed_around_the_app(
    engine_before_the_migration,
):
    url, engine = engine_before_the_migration
    assert release(url).returncode == 0

    with engine.begin() as connection:
        connection.execute(text("UPDATE posts SET body = 'New' WHERE slug = 'marked-up'"))
        connection.execute(text("UPDATE posts SET title = 'Retitled' WHERE slug = 'empty'"))

    assert stored(engine) == [("marked-up", None, None), ("empty", "", "")]


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
