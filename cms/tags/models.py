"""The Tag model, the old addresses of renamed and merged tags, and the table that ties
posts to tags (``Post.tags``, declared here as a backref like the post's other related
rows).

``post_tags`` carries a copy of each post's publish time, so that a tag's posts, newest
first, are one range of one index (``ix_post_tags_tag_published``): a tag's page reads the
rows it shows at any depth, as the home page does, instead of every post of the tag. The
database keeps the copy, not the app (triggers made by the migration that adds tags), so
no writer can forget it: a row gets its post's time when it is inserted, and every row of
a post follows a change of that post's time. Whether a post is published stays the one
rule of ``cms.posts.publication``, checked on the post itself: the copy only orders.

    A batch migration that recreates ``posts`` or ``post_tags`` on SQLite drops their
    triggers, and the copies stop following: such a migration must create the triggers
    again (migrations/versions/b2d6f0c4e8a1_tags.py has them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import Mapped, backref, mapped_column, query_expression, relationship

from cms.clock import utcnow
from cms.database import UTCDateTime
from cms.extensions import db
from cms.posts.models import Post

NAME_MAX = 80
SLUG_MAX = 100
DESCRIPTION_MAX = 500

post_tags = Table(
    "post_tags",
    db.metadata,
    # The primary key leads with the post: a post's tags are one range of it.
    Column("post_id", Integer, ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    #: The post's publish time, copied by the database (see the module's docstring).
    Column("published_at", UTCDateTime, nullable=True),
    # A tag's posts newest first (the public pages, with a keyset cursor of publish time
    # and id), and everything else that starts from a tag: its counts, the admin's filter,
    # merging and deleting it.
    Index("ix_post_tags_tag_published", "tag_id", "published_at", "post_id"),
)


class Tag(db.Model):
    __tablename__ = "tags"
    # The dashboard's list of tags, by name, read in order with a keyset cursor.
    __table_args__ = (Index("ix_tags_name_id", "name", "id"),)

    # active_history: a change knows the value it replaces even when the tag was not
    # loaded yet, for the old address it keeps and for the audit log's before and after.
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), active_history=True)
    #: Its address, /tags/<slug>: unique, current or old (``TagSlugRedirect``).
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True, active_history=True)
    description: Mapped[str] = mapped_column(
        String(DESCRIPTION_MAX), default="", active_history=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    posts = relationship(
        Post,
        secondary=post_tags,
        # The database removes the rows of a deleted post or tag (ON DELETE CASCADE):
        # purging the trash or deleting a tag loads no collection to empty it first.
        passive_deletes=True,
        backref=backref("tags", order_by="Tag.name", passive_deletes=True),
        lazy="dynamic",
    )

    #: How many posts have the tag, where a query asks for it (the dashboard's list).
    post_count: Mapped[int | None] = query_expression()

    def __str__(self) -> str:
        return self.name


class TagSlugRedirect(db.Model):
    """An address a tag had before it was renamed, or the address of a tag merged into
    this one: /tags/<old_slug> answers 301 to the tag's current address."""

    __tablename__ = "tag_slug_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), index=True)
    tag: Mapped[Tag] = relationship(
        Tag, backref=backref("old_slugs", cascade="all, delete-orphan", passive_deletes=True)
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
