"""Audit entries name the API token a change came with (the JSON API's door)

Revision ID: c3e7a1f9d2b4
Revises: b8d4f1a7c2e6
Create Date: 2026-12-03 23:40:00.000000

A plain ADD COLUMN on both databases, not a batch operation: recreating the table on
SQLite would drop the triggers that keep the log append-only.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e7a1f9d2b4'
down_revision = 'b8d4f1a7c2e6'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("audit_log", sa.Column("token_name", sa.String(length=100), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a column in place (the triggers stay).
    op.drop_column("audit_log", "token_name")
