"""A post's optional cover image address, SEO title and SEO description, kept by its
revisions too

Empty strings, not NULL, for "none": revisions keep and restore every field the same way.
On PostgreSQL adding a column with a constant default is a catalog change, no rewrite.

Revision ID: f7a2c9e4b1d3
Revises: d9f2b6a1c4e8
Create Date: 2026-12-03 15:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f7a2c9e4b1d3'
down_revision = 'd9f2b6a1c4e8'
branch_labels = None
depends_on = None

_COLUMNS = (("cover_image_url", 2000), ("seo_title", 70), ("seo_description", 160))


def upgrade():
    for table in ("posts", "post_revisions"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, length in _COLUMNS:
                batch_op.add_column(
                    sa.Column(name, sa.String(length=length), server_default="", nullable=False)
                )


def downgrade():
    # ALTER TABLE on both databases (SQLite 3.35+), not batch mode: SQLite's batch mode would
    # copy posts into a new table, which the triggers on post_tags (naming posts) refuse.
    for table in ("post_revisions", "posts"):
        for name, _ in reversed(_COLUMNS):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
