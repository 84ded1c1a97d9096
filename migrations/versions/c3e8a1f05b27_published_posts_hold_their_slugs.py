"""Only published and scheduled posts hold their slugs.

The unique constraint on posts.slug becomes a unique index on the slugs of published posts
(scheduled ones are stored as published). Drafts and posts in review may share a slug: an
author saving a draft must not learn from "already exists", or a "-2" suffix, that a post
they cannot see holds the address. A plain index keeps slug lookups fast.

Downgrading restores the unique constraint, and so must first give every post but one of
each shared slug an address of its own: published posts keep theirs, then the oldest post.

Revision ID: c3e8a1f05b27
Revises: b7d2e41c9a05
Create Date: 2026-12-03 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3e8a1f05b27'
down_revision = 'b7d2e41c9a05'
branch_labels = None
depends_on = None


PUBLISHED_ONLY = sa.text("status = 'published'")
SLUG_MAX = 200
SUFFIX_ROOM = 8  # as cms.posts.slugs leaves for "-123"


def upgrade():
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_posts_slug"), type_="unique")
        batch_op.create_index(batch_op.f("ix_posts_slug"), ["slug"], unique=False)
    # Outside the batch: on SQLite a table rebuild would not carry the WHERE over.
    op.create_index(
        "uq_posts_published_slug",
        "posts",
        ["slug"],
        unique=True,
        sqlite_where=PUBLISHED_ONLY,
        postgresql_where=PUBLISHED_ONLY,
    )


def _give_shared_slugs_their_own():
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, slug FROM posts "
            "ORDER BY CASE WHEN status = 'published' THEN 0 ELSE 1 END, id"
        )
    ).all()
    in_use = {slug for _, slug in rows}
    kept = set()
    for post_id, slug in rows:
        if slug not in kept:
            kept.add(slug)
            continue
        base, number = slug[: SLUG_MAX - SUFFIX_ROOM], 2
        while f"{base}-{number}" in in_use:
            number += 1
        new_slug = f"{base}-{number}"
        in_use.add(new_slug)
        connection.execute(
            sa.text("UPDATE posts SET slug = :slug WHERE id = :id"), {"slug": new_slug, "id": post_id}
        )


def downgrade():
    op.drop_index("uq_posts_published_slug", table_name="posts")
    _give_shared_slugs_their_own()
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_posts_slug"))
        batch_op.create_unique_constraint(batch_op.f("uq_posts_slug"), ["slug"])
