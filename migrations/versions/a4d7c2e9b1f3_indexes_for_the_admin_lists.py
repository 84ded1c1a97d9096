"""Indexes for the admin's lists: each sort of the posts list and the trash, for everyone
and for one author, the posts' states, everyone's and one author's (the dashboard's counts), and the audit log's
newest-first order.

Partial indexes (outside the trash, in the trash) on (column, id) and (author_id, column,
id), so a page and a keyset cursor read only the rows shown; each also holds deleted_at, so
SQLite counts a list from the index alone. They replace the plain index
on ``deleted_at`` (the trash's now covers it) and the audit log's index on ``at`` alone.

Revision ID: a4d7c2e9b1f3
Revises: a7c3e9d2b5f1
Create Date: 2026-12-03 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d7c2e9b1f3'
down_revision = 'a7c3e9d2b5f1'
branch_labels = None
depends_on = None

# A copy of cms.posts.list_indexes as it is at this revision: a migration never follows
# later changes to the models.
_SLICES = {
    "live": ("deleted_at IS NULL", ("updated_at", "title", "status", "published_at")),
    "trashed": ("deleted_at IS NOT NULL", ("deleted_at", "title")),
}


def _list_indexes():
    for slice_name, (where, columns) in _SLICES.items():
        for column in columns:
            # deleted_at last, so that SQLite can count from the index alone.
            key = [column, "id"] if column == "deleted_at" else [column, "id", "deleted_at"]
            yield f"ix_posts_{slice_name}_{column}", key, where
            yield f"ix_posts_{slice_name}_author_{column}", ["author_id", *key], where
    # The states: the dashboard's counts and the list's state filter.
    live = _SLICES["live"][0]
    yield "ix_posts_live_state", ["status", "published_at", "id", "deleted_at"], live
    yield (
        "ix_posts_live_author_state",
        ["author_id", "status", "published_at", "id", "deleted_at"],
        live,
    )
    yield "ix_posts_live_state_updated_at", ["status", "updated_at", "id", "deleted_at"], live


def upgrade():
    for name, columns, where in _list_indexes():
        op.create_index(
            name,
            "posts",
            columns,
            unique=False,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )
    op.drop_index("ix_posts_deleted_at", table_name="posts")
    # The public list (published, newest first) reads ix_posts_live_state now, which also
    # holds the id that breaks ties: PostgreSQL no longer sorts the rows of one moment.
    op.drop_index("ix_posts_status_published_at", table_name="posts")
    op.create_index("ix_audit_log_at_id", "audit_log", ["at", "id"], unique=False)
    op.drop_index("ix_audit_log_at", table_name="audit_log")


def downgrade():
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.drop_index("ix_audit_log_at_id", table_name="audit_log")
    op.create_index("ix_posts_deleted_at", "posts", ["deleted_at"], unique=False)
    op.create_index(
        "ix_posts_status_published_at", "posts", ["status", "published_at"], unique=False
    )
    for name, _columns, _where in _list_indexes():
        op.drop_index(name, table_name="posts")
