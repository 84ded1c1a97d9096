"""Full-text search over posts, kept up to date by the database.

Each database indexes the same text (title, slug, summary, body) its own way; the app
reads both through ``cms/posts/search.py`` and the models map neither (``migrations/env.py``
leaves them out of ``flask db check``).

SQLite: ``posts_fts``, an external-content FTS5 table (it stores the index, not a second
copy of the text), folding case and accents (``unicode61 remove_diacritics 2``), with
prefix indexes for two- and three-letter prefixes so the admin's prefix search stays
fast. Triggers after INSERT, DELETE and UPDATE of the text columns keep it in step, and
'rebuild' indexes the posts already there.

    A batch migration that recreates ``posts`` on SQLite (``batch_alter_table`` with a
    type change, a dropped column or constraint...) silently drops these triggers, and
    the index stops following edits. Such a migration must create the three triggers
    again (copy them from here) and run 'rebuild' afterwards.

PostgreSQL: ``posts.search_vector``, a stored generated ``tsvector`` (title weighted A,
summary B, body C, slug D) with a GIN index. Its text search configuration,
``simple_unaccent``, is ``simple`` (no stemming, no stop words: prefixes of partly typed
words match, as in FTS5) with the ``unaccent`` dictionary in front of it for words, so
"creme" finds "Crème" as on SQLite. ``unaccent()`` itself is not immutable and cannot go
into a generated column; ``to_tsvector`` with a configuration can.

    Adding the column rewrites the table (a lock on ``posts`` for the time it takes). A
    later migration that changes the type of a column the expression reads must drop
    the index and the column, alter, then add both back. Changing ``simple_unaccent``
    (or the unaccent rules) does not recompute stored vectors: re-add the column then.
    The ``unaccent`` extension is a trusted one (PostgreSQL 13+): the database's owner
    may create it. Downgrading leaves it installed, since other schemas may use it.

Revision ID: e6f1b3c8a2d4
Revises: d8b4e2a7c1f6
Create Date: 2026-12-03 07:30:00.000000

"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import TSVECTOR

# revision identifiers, used by Alembic.
revision = "e6f1b3c8a2d4"
down_revision = "d8b4e2a7c1f6"
branch_labels = None
depends_on = None

_TEXT = ("title", "slug", "summary", "body")

SQLITE_TRIGGERS = {
    "posts_fts_after_insert": """
        CREATE TRIGGER posts_fts_after_insert AFTER INSERT ON posts BEGIN
            INSERT INTO posts_fts (rowid, title, slug, summary, body)
            VALUES (new.id, new.title, new.slug, new.summary, new.body);
        END""",
    "posts_fts_after_delete": """
        CREATE TRIGGER posts_fts_after_delete AFTER DELETE ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, slug, summary, body)
            VALUES ('delete', old.id, old.title, old.slug, old.summary, old.body);
        END""",
    # Only edits of the text re-index a post: trashing, restoring and publishing do not.
    "posts_fts_after_update": """
        CREATE TRIGGER posts_fts_after_update
        AFTER UPDATE OF title, slug, summary, body ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, slug, summary, body)
            VALUES ('delete', old.id, old.title, old.slug, old.summary, old.body);
            INSERT INTO posts_fts (rowid, title, slug, summary, body)
            VALUES (new.id, new.title, new.slug, new.summary, new.body);
        END""",
}

# Word-like tokens, the kinds that may carry accents (the ascii* kinds cannot).
_ACCENTED_TOKENS = "word, numword, hword, numhword, hword_part, hword_numpart"

_VECTOR = (
    "setweight(to_tsvector('simple_unaccent', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple_unaccent', coalesce(summary, '')), 'B') || "
    "setweight(to_tsvector('simple_unaccent', coalesce(body, '')), 'C') || "
    "setweight(to_tsvector('simple_unaccent', coalesce(slug, '')), 'D')"
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE posts_fts USING fts5("
            f"{', '.join(_TEXT)}, content='posts', content_rowid='id', "
            "tokenize='unicode61 remove_diacritics 2', prefix='2 3')"
        )
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)
        op.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE TEXT SEARCH CONFIGURATION simple_unaccent (COPY = simple)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION simple_unaccent "
        f"ALTER MAPPING FOR {_ACCENTED_TOKENS} WITH unaccent, simple"
    )
    op.add_column(
        "posts",
        sa.Column("search_vector", TSVECTOR(), sa.Computed(_VECTOR, persisted=True)),
    )
    op.create_index("ix_posts_search_vector", "posts", ["search_vector"], postgresql_using="gin")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE posts_fts")
        return
    op.drop_index("ix_posts_search_vector", table_name="posts")
    op.drop_column("posts", "search_vector")
    op.execute("DROP TEXT SEARCH CONFIGURATION simple_unaccent")
