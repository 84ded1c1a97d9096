"""The bench's bulk seeding leaves the database the migrations and the app's saves would:
the same schema objects as a freshly migrated database (the search triggers and indexes
it sets aside during the load are back), a search index that holds every seeded post,
and what measuring needs found again in a database seeded by an earlier run."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from bench.databases import contents, make_app, migrate
from bench.reuse import seeded_before
from bench.seed import ADMIN_EMAIL, seed
from cms.accounts.models import User
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from cms.posts.search import matching
from tests.conftest import dispose_engines
from tests.databases import fresh_database

POSTS = 400

_SQLITE_SCHEMA = """
    SELECT type, name, tbl_name, sql FROM sqlite_master
    WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name
"""
_POSTGRESQL_SCHEMA = """
    SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL
    SELECT 'trigger', tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL
    SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint
    WHERE connamespace = 'public'::regnamespace
    UNION ALL
    SELECT 'column', table_name || '.' || column_name,
           concat_ws(' ', data_type, is_nullable, column_default, generation_expression)
    FROM information_schema.columns WHERE table_schema = 'public'
    ORDER BY 1, 2
"""


def _schema(app) -> list[tuple]:
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            return [tuple(row) for row in db.session.execute(text(_POSTGRESQL_SCHEMA))]
        return [
            (kind, name, table, _lines(sql) if kind == "table" else sql)
            for kind, name, table, sql in db.session.execute(text(_SQLITE_SCHEMA))
        ]


def _lines(sql: str | None) -> list[str] | None:
    # SQLite batch migrations list a table's constraints in no fixed order (two fresh
    # migrations may differ); their set is what counts.
    return sorted(line.strip().rstrip(",") for line in sql.splitlines()) if sql else sql


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("migrated")) as url:
        app = make_app(url)
        migrate(app)
        yield app
        dispose_engines(app)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("seeded")) as url:
        app = make_app(url)
        migrate(app)
        yield app, seed(app, POSTS)
        dispose_engines(app)


def test_the_seeded_schema_is_the_migrated_one(seeded, migrated):
    app, _ = seeded
    assert _schema(app) == _schema(migrated)


def test_the_search_index_holds_every_seeded_post(seeded):
    app, result = seeded
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Post)) == POSTS
        if db.engine.dialect.name == "sqlite":
            # FTS5 compares its index with the posts it was built from; raises if they differ.
            db.session.execute(
                text("INSERT INTO posts_fts (posts_fts, rank) VALUES ('integrity-check', 1)")
            )
        phrase = f'"{result.search_word}"'  # the word itself, not words it begins
        found = db.session.scalar(select(func.count()).where(matching(phrase)))
        assert found == result.search_word_posts > 0
        db.session.rollback()


def test_a_post_saved_after_seeding_is_found(seeded):
    """The search triggers set aside during the load are back in force."""
    app, _ = seeded
    with app.app_context():
        author = db.session.scalar(select(Post.author_id).limit(1))
        post = Post(
            title="Zanzibarian quokkas",
            slug="zanzibarian-quokkas",
            summary="",
            body="Seen after the seeding.",
            status=PostStatus.DRAFT,
            author_id=author,
        )
        db.session.add(post)
        db.session.flush()
        assert db.session.scalars(select(Post.id).where(matching("quokka"))).all() == [post.id]
        db.session.rollback()


def test_a_database_seeded_before_gives_what_measuring_needs(seeded):
    app, result = seeded
    again = seeded_before(app)
    assert (again.posts, again.admin_email) == (POSTS, ADMIN_EMAIL)
    assert (again.search_word, again.search_word_posts) == (
        result.search_word,
        result.search_word_posts,
    )


def test_a_named_database_is_reused_only_when_it_holds_posts(seeded, migrated, tmp_path):
    """A named database that holds posts is measured again; one only migrated (or missing)
    is seeded; one with accounts but no posts (a seeding that stopped) is refused rather
    than seeded a second time over its accounts."""
    app, _ = seeded
    with app.app_context():
        seeded_url = db.engine.url.render_as_string(hide_password=False)
    with migrated.app_context():
        migrated_url = db.engine.url.render_as_string(hide_password=False)
    assert contents(seeded_url) == "posts"
    assert contents(migrated_url) == "nothing"
    assert contents(f"sqlite:///{tmp_path / 'missing.sqlite3'}") == "nothing"
    (tmp_path / "stopped").mkdir()
    with fresh_database(tmp_path / "stopped") as url:
        stopped = make_app(url)
        migrate(stopped)
        with stopped.app_context():
            db.session.add(User(email="left@example.com", fs_uniquifier="left", active=True))
            db.session.commit()
        dispose_engines(stopped)
        assert contents(url) == "accounts"
