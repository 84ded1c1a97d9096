"""Posts keep their rendered body and excerpt.

A post page no longer renders Markdown on every view: the sanitized HTML and the plain-text
excerpt are stored at each save (cms/posts/rendered.py). Existing posts are rendered here,
in batches.

Revision ID: a7c3e9d2b5f1
Revises: e6f1b3c8a2d4
Create Date: 2026-12-03 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The app's own renderer, on purpose (migrations otherwise import no application code): the
# stored HTML must be exactly what the running app would store, with today's sanitizer.
# `flask cms rerender` renders every post again whenever the rules change.
from cms.posts.rendering import plain_text, render_markdown


# revision identifiers, used by Alembic.
revision = 'a7c3e9d2b5f1'
down_revision = 'e6f1b3c8a2d4'
branch_labels = None
depends_on = None

BATCH = 500

posts = sa.table(
    'posts',
    sa.column('id', sa.Integer),
    sa.column('body', sa.Text),
    sa.column('body_html', sa.Text),
    sa.column('excerpt', sa.Text),
)


def upgrade():
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_html', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('excerpt', sa.Text(), nullable=True))

    connection = op.get_bind()
    store = (
        posts.update()
        .where(posts.c.id == sa.bindparam('row_id'))
        .values(body_html=sa.bindparam('html'), excerpt=sa.bindparam('text'))
    )
    last_id = 0
    while True:
        # A batch at a time, by id: a big table is never held in memory at once.
        rows = connection.execute(
            sa.select(posts.c.id, posts.c.body)
            .where(posts.c.id > last_id)
            .order_by(posts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            store,
            [
                {
                    'row_id': row.id,
                    'html': str(render_markdown(row.body)),
                    'text': plain_text(row.body),
                }
                for row in rows
            ],
        )
        last_id = rows[-1].id


def downgrade():
    # Not a batch operation: on SQLite that recreates `posts` and silently drops the
    # full-text triggers of e6f1b3c8a2d4. SQLite (3.35+) drops a plain column in place.
    op.drop_column('posts', 'excerpt')
    op.drop_column('posts', 'body_html')
