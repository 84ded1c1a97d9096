"""Old addresses of author pages: /authors/<old slug> answers 301 to the current one

Revision ID: a3c8e1f6b9d2
Revises: f7a2c9e4b1d3
Create Date: 2026-12-03 17:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c8e1f6b9d2'
down_revision = 'f7a2c9e4b1d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('author_slug_redirects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_slug', sa.String(length=100), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_author_slug_redirects_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_author_slug_redirects')),
    sa.UniqueConstraint('old_slug', name=op.f('uq_author_slug_redirects_old_slug'))
    )
    op.create_index(op.f('ix_author_slug_redirects_user_id'), 'author_slug_redirects', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_author_slug_redirects_user_id'), table_name='author_slug_redirects')
    op.drop_table('author_slug_redirects')
