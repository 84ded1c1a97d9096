"""Each author's posts in id order, in and out of the trash, for the lists sorted by author

The lists sorted by author read a page of each author's posts in id order (a LATERAL
subquery on PostgreSQL, ``cms/admin/join_sorts.py``); without these partial indexes on
(author_id, id) PostgreSQL reads every post of the first author, or walks the primary key
past other authors' posts, for each page. Built without CONCURRENTLY, like the list
indexes before them: on PostgreSQL each holds a write lock on posts for its build (about
3 s at a million posts on the development machine).

Revision ID: c5e8a1f4d7b2
Revises: b2d6f0c4e8a1
Create Date: 2026-12-03 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e8a1f4d7b2'
down_revision = 'b2d6f0c4e8a1'
branch_labels = None
depends_on = None

_INDEXES = {
    "ix_posts_live_author_id": "deleted_at IS NULL",
    "ix_posts_trashed_author_id": "deleted_at IS NOT NULL",
}


def upgrade():
    for name, where in _INDEXES.items():
        op.create_index(
            name,
            "posts",
            ["author_id", "id", "deleted_at"],
            unique=False,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def downgrade():
    for name in _INDEXES:
        op.drop_index(name, table_name="posts")
