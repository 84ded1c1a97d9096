"""Posts keep their rendered body and excerpt.

A post page no longer renders Markdown on every view: the sanitized HTML and the plain-text
excerpt are stored at each save (cms/posts/rendered.py). NULL means "not rendered yet":
readers still get the right page, rendered as they ask.

This migration only adds the columns, which is instant on both databases (a nullable column
without a default), so no lock on ``posts`` outlives the release's first seconds. Rendering
the posts already there is slow (minutes at a million posts) and happens afterwards, outside
the migration's transaction: the Procfile's release step runs ``flask cms rerender
--missing`` after ``flask db upgrade``, committing a batch at a time.

The database forgets the stored HTML when an UPDATE changes ``body`` without setting
``body_html`` too (raw SQL, a script, a bulk tool, the previous release's code still
serving during the release): such an UPDATE cannot render Markdown, and stale HTML would be
served forever. The app sets both at once (cms/posts/rendered.py), so its saves keep their
HTML. SQLite: a trigger after the UPDATE; PostgreSQL: a BEFORE UPDATE trigger and its
function. ``migrations/env.py`` needs no exclusion: autogenerate compares neither triggers
nor functions.

    A batch migration that recreates ``posts`` on SQLite (``batch_alter_table`` with a
    type change, a dropped column or constraint...) silently drops the trigger: such a
    migration must create it again (copy it from here), as it must the full-text ones of
    e6f1b3c8a2d4.

Revision ID: a7c3e9d2b5f1
Revises: e6f1b3c8a2d4
Create Date: 2026-12-03 07:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e9d2b5f1'
down_revision = 'e6f1b3c8a2d4'
branch_labels = None
depends_on = None

_FORGET = 'posts_forget_html_of_old_body'

# `IS` / `IS DISTINCT FROM` so that NULLs compare as values: a body set from NULL, or HTML
# left NULL, still counts.
_SQLITE_TRIGGER = f"""
    CREATE TRIGGER {_FORGET} AFTER UPDATE OF body ON posts
    WHEN new.body IS NOT old.body AND new.body_html IS old.body_html
    BEGIN
        UPDATE posts SET body_html = NULL, excerpt = NULL WHERE id = new.id;
    END"""

_POSTGRESQL_FUNCTION = f"""
    CREATE FUNCTION {_FORGET}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.body_html := NULL;
        NEW.excerpt := NULL;
        RETURN NEW;
    END
    $$"""

_POSTGRESQL_TRIGGER = f"""
    CREATE TRIGGER {_FORGET} BEFORE UPDATE OF body ON posts FOR EACH ROW
    WHEN (NEW.body IS DISTINCT FROM OLD.body
          AND NEW.body_html IS NOT DISTINCT FROM OLD.body_html)
    EXECUTE FUNCTION {_FORGET}()"""


def upgrade():
    # Not a batch operation: on SQLite that recreates `posts` and drops the full-text
    # triggers of e6f1b3c8a2d4. Both databases add a column in place.
    op.add_column('posts', sa.Column('body_html', sa.Text(), nullable=True))
    op.add_column('posts', sa.Column('excerpt', sa.Text(), nullable=True))
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(_SQLITE_TRIGGER)
    else:
        op.execute(_POSTGRESQL_FUNCTION)
        op.execute(_POSTGRESQL_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute(f'DROP TRIGGER {_FORGET}')
    else:
        op.execute(f'DROP TRIGGER {_FORGET} ON posts')
        op.execute(f'DROP FUNCTION {_FORGET}()')
    # In place, as in the upgrade (SQLite 3.35+ drops a plain column without a rebuild).
    op.drop_column('posts', 'excerpt')
    op.drop_column('posts', 'body_html')
