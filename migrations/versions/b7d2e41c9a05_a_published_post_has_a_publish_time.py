"""A published post has a publish time.

A CHECK constraint on posts: status 'published' needs published_at. Without one a post is
in no state anyone can name (neither live nor scheduled). Any such row left by older code
gets the time it was last updated, when it was most likely published.

Revision ID: b7d2e41c9a05
Revises: 83533e52b77c
Create Date: 2026-12-02 20:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7d2e41c9a05'
down_revision = '83533e52b77c'
branch_labels = None
depends_on = None


CHECK = "published_has_time"


def upgrade():
    op.execute(
        "UPDATE posts SET published_at = updated_at "
        "WHERE status = 'published' AND published_at IS NULL"
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_check_constraint(CHECK, "status <> 'published' OR published_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"ck_posts_{CHECK}"), type_="check")
