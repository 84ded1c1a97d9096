"""Tags: tags with their old addresses, the posts of each tag, and tags in revisions

``post_tags`` keeps a copy of each post's publish time, so that a tag's posts newest first
are one range of ``ix_post_tags_tag_published`` (see ``cms/tags/models.py``). The
database keeps the copy with triggers:

- a new ``post_tags`` row takes its post's publish time (SQLite: after the insert, with an
  UPDATE of that row; PostgreSQL: before it, in the row itself);
- a change of a post's ``published_at`` is copied to all of its rows.

    A batch migration that recreates ``posts`` or ``post_tags`` on SQLite (a type change,
    a dropped column or constraint...) silently drops these triggers, and the copies stop
    following the posts. Such a migration must create them again (copy them from here)
    and refresh the copies: ``UPDATE post_tags SET published_at = (SELECT published_at
    FROM posts WHERE posts.id = post_tags.post_id)``.

Revisions made before tags existed kept a post with no tags: their ``tags`` is ``[]``.

Revision ID: b2d6f0c4e8a1
Revises: a4d7c2e9b1f3
Create Date: 2026-12-03 13:42:19.459518

"""
from alembic import op
import sqlalchemy as sa
import flask_security  # noqa: F401 - autogenerate writes flask_security.datastore.AsaList


# revision identifiers, used by Alembic.
revision = 'b2d6f0c4e8a1'
down_revision = 'a4d7c2e9b1f3'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = {
    "post_tags_take_published_at": """
        CREATE TRIGGER post_tags_take_published_at AFTER INSERT ON post_tags BEGIN
            UPDATE post_tags
            SET published_at = (SELECT published_at FROM posts WHERE id = new.post_id)
            WHERE post_id = new.post_id AND tag_id = new.tag_id;
        END""",
    "posts_published_at_to_post_tags": """
        CREATE TRIGGER posts_published_at_to_post_tags
        AFTER UPDATE OF published_at ON posts
        WHEN old.published_at IS NOT new.published_at BEGIN
            UPDATE post_tags SET published_at = new.published_at WHERE post_id = new.id;
        END""",
}

POSTGRESQL_FUNCTIONS = {
    "post_tags_take_published_at": """
        CREATE FUNCTION post_tags_take_published_at() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.published_at := (SELECT published_at FROM posts WHERE id = NEW.post_id);
            RETURN NEW;
        END $$""",
    "posts_published_at_to_post_tags": """
        CREATE FUNCTION posts_published_at_to_post_tags() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE post_tags SET published_at = NEW.published_at WHERE post_id = NEW.id;
            RETURN NULL;
        END $$""",
}

POSTGRESQL_TRIGGERS = {
    "post_tags_take_published_at": """
        CREATE TRIGGER post_tags_take_published_at BEFORE INSERT ON post_tags
        FOR EACH ROW EXECUTE FUNCTION post_tags_take_published_at()""",
    "posts_published_at_to_post_tags": """
        CREATE TRIGGER posts_published_at_to_post_tags AFTER UPDATE OF published_at ON posts
        FOR EACH ROW WHEN (OLD.published_at IS DISTINCT FROM NEW.published_at)
        EXECUTE FUNCTION posts_published_at_to_post_tags()""",
}

#: The table each trigger is on, for dropping them.
_TRIGGER_TABLES = {
    "post_tags_take_published_at": "post_tags",
    "posts_published_at_to_post_tags": "posts",
}


def upgrade():
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags')),
    sa.UniqueConstraint('slug', name=op.f('uq_tags_slug'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index('ix_tags_name_id', ['name', 'id'], unique=False)

    op.create_table('tag_slug_redirects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('old_slug', sa.String(length=100), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_tag_slug_redirects_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_slug_redirects')),
    sa.UniqueConstraint('old_slug', name=op.f('uq_tag_slug_redirects_old_slug'))
    )
    with op.batch_alter_table('tag_slug_redirects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_slug_redirects_tag_id'), ['tag_id'], unique=False)

    op.create_table('post_tags',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_tags_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_post_tags_tag_id_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('post_id', 'tag_id', name=op.f('pk_post_tags'))
    )
    with op.batch_alter_table('post_tags', schema=None) as batch_op:
        batch_op.create_index('ix_post_tags_tag_published', ['tag_id', 'published_at', 'post_id'], unique=False)

    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tags', sa.Text(), server_default='[]', nullable=False))

    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS.values():
            op.execute(trigger)
        return
    for function in POSTGRESQL_FUNCTIONS.values():
        op.execute(function)
    for trigger in POSTGRESQL_TRIGGERS.values():
        op.execute(trigger)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, table in _TRIGGER_TABLES.items():
        op.execute(f"DROP TRIGGER {name}" if sqlite else f"DROP TRIGGER {name} ON {table}")
    if not sqlite:
        for name in POSTGRESQL_FUNCTIONS:
            op.execute(f"DROP FUNCTION {name}()")

    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.drop_column('tags')

    with op.batch_alter_table('post_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_post_tags_tag_published')

    op.drop_table('post_tags')
    with op.batch_alter_table('tag_slug_redirects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tag_slug_redirects_tag_id'))

    op.drop_table('tag_slug_redirects')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index('ix_tags_name_id')

    op.drop_table('tags')
