"""Authenticator codes work once.

The 30-second step of the last authenticator code each user gave; a code of that step or
an earlier one is refused.

Revision ID: d8b4e2a7c1f6
Revises: c3a9e5f1d2b7
Create Date: 2026-12-03 05:35:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8b4e2a7c1f6'
down_revision = 'c3a9e5f1d2b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_last_counter', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_counter')
