"""Review state and the editor's note.

Posts gain the "review" status (the CHECK constraint of the non-native enum is rebuilt) and
a column for the editor's comment when returning a post to its author.

Revision ID: 5acb4240375f
Revises: 10f3ca05093c
Create Date: 2026-11-21 16:09:37.263222

"""
from alembic import op
import sqlalchemy as sa
import flask_security  # noqa: F401 - autogenerate writes flask_security.datastore.AsaList


# revision identifiers, used by Alembic.
revision = '5acb4240375f'
down_revision = '10f3ca05093c'
branch_labels = None
depends_on = None


STATUS_CHECK = "post_status"


def _replace_status_check(allowed: tuple[str, ...]) -> None:
    values = ", ".join(f"'{value}'" for value in allowed)
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f(f"ck_posts_{STATUS_CHECK}"), type_="check")
        batch_op.create_check_constraint(STATUS_CHECK, f"status IN ({values})")


def upgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("editor_note", sa.Text(), nullable=True))
    _replace_status_check(("draft", "review", "published"))


def downgrade():
    # Posts in review go back to draft: the older schema has no review state.
    op.execute("UPDATE posts SET status = 'draft' WHERE status = 'review'")
    _replace_status_check(("draft", "published"))
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("editor_note")
