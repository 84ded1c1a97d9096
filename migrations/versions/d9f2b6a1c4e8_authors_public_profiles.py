"""Authors' public profiles: an address (users.slug, unique) and a short bio

Existing users get an address made from their name (or "author" when they have none),
with a number added where two would be the same; never from the e-mail address.

Revision ID: d9f2b6a1c4e8
Revises: c5e8a1f4d7b2
Create Date: 2026-12-03 15:15:00.000000

"""

from alembic import op
import sqlalchemy as sa
from slugify import slugify


# revision identifiers, used by Alembic.
revision = "d9f2b6a1c4e8"
down_revision = "c5e8a1f4d7b2"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN on both databases: no batch copy of users on SQLite.
    op.add_column("users", sa.Column("slug", sa.String(length=100), nullable=True))
    op.add_column("users", sa.Column("bio", sa.String(length=500), nullable=True))
    users = sa.table(
        "users",
        sa.column("id", sa.Integer),
        sa.column("full_name", sa.String),
        sa.column("slug", sa.String),
    )
    connection = op.get_bind()
    taken = set()
    for user_id, name in connection.execute(
        sa.select(users.c.id, users.c.full_name).order_by(users.c.id)
    ):
        base = slugify(name or "", max_length=90, word_boundary=True) or "author"
        slug, number = base, 1
        while slug in taken:
            number += 1
            slug = f"{base}-{number}"
        taken.add(slug)
        connection.execute(users.update().where(users.c.id == user_id).values(slug=slug))
    op.create_index("ix_users_slug", "users", ["slug"], unique=True)


def downgrade():
    op.drop_index("ix_users_slug", table_name="users")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("bio")
        batch_op.drop_column("slug")
