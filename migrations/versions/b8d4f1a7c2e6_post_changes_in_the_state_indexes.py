"""When readers last saw a post change, in the state indexes: the sitemap's and authors'
grouped reads over every published post take it from the index, not from the table

Revision ID: b8d4f1a7c2e6
Revises: 6669b7d8795e
Create Date: 2026-12-03 20:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d4f1a7c2e6'
down_revision = '6669b7d8795e'
branch_labels = None
depends_on = None

LIVE = "deleted_at IS NULL"
#: (name, columns before, columns after): updated_at joins the key before deleted_at,
#: which stays last (SQLite checks a partial index's condition from the index then).
CHANGED = (
    (
        "ix_posts_live_state",
        ["status", "published_at", "id", "deleted_at"],
        ["status", "published_at", "id", "updated_at", "deleted_at"],
    ),
    (
        "ix_posts_live_author_state",
        ["author_id", "status", "published_at", "id", "deleted_at"],
        ["author_id", "status", "published_at", "id", "updated_at", "deleted_at"],
    ),
)


def _recreate(name, columns):
    op.drop_index(name, table_name="posts")
    op.create_index(
        name,
        "posts",
        columns,
        unique=False,
        sqlite_where=sa.text(LIVE),
        postgresql_where=sa.text(LIVE),
    )


def upgrade():
    for name, _before, after in CHANGED:
        _recreate(name, after)


def downgrade():
    for name, before, _after in CHANGED:
        _recreate(name, before)
