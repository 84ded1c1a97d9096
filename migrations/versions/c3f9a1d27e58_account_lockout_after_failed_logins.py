"""Account lockout after failed logins.

How many password logins failed in a row, and until when the account is locked. Kept in
the database so that every app instance counts the same failures and sees the same lock.

Revision ID: c3f9a1d27e58
Revises: c3e8a1f05b27
Create Date: 2026-12-03 04:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f9a1d27e58'
down_revision = 'c3e8a1f05b27'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_login_count', sa.Integer(), server_default='0', nullable=False)
        )
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_login_count')
