"""The Post model."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    and_,
    case,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from cms.accounts.models import User
from cms.clock import utcnow
from cms.database import UTCDateTime
from cms.extensions import db
from cms.posts.list_indexes import admin_list_indexes

TITLE_MAX = 200
SLUG_MAX = 200
SUMMARY_MAX = 500
# What search engines and link previews show, when not the title and summary: about as
# much as they display.
SEO_TITLE_MAX = 70
SEO_DESCRIPTION_MAX = 160
COVER_IMAGE_URL_MAX = 2000


def _optional_text(length: int):
    return mapped_column(String(length), default="", server_default="")


class _Labelled(enum.StrEnum):
    @property
    def label(self) -> str:
        """What people call it: statuses and states share their words."""
        return _LABELS[self.value]


class PostStatus(_Labelled):
    """What is stored. "Scheduled" is not stored: it is a published post whose time has not
    come, so it goes live by itself with no job to run (see ``PostState``)."""

    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"


class PostState(_Labelled):
    """Where a post stands at a given moment, as people talk about it."""

    DRAFT = "draft"
    REVIEW = "review"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    TRASHED = "trashed"


#: The states of posts outside the trash, in the order the dashboard shows them.
LIVE_STATES = (PostState.DRAFT, PostState.REVIEW, PostState.SCHEDULED, PostState.PUBLISHED)

_LABELS = {
    "draft": "Draft",
    "review": "In review",
    "scheduled": "Scheduled",
    "published": "Published",
    "trashed": "In trash",
}


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        # A public address leads to one post: published and scheduled posts (in the trash
        # too, which restoring brings back) never share a slug. Drafts and posts in review
        # may, so that an author's save never reveals a slug held by a post they cannot see.
        Index(
            "uq_posts_published_slug",
            "slug",
            unique=True,
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
        # The admin's lists: each sort of each slice (cms.posts.list_indexes).
        *admin_list_indexes(),
        # Going live needs a moment: a published post with no publish time would be in no
        # state readers or editors could name.
        CheckConstraint(
            "status <> 'published' OR published_at IS NOT NULL", name="published_has_time"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX), index=True)
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Optional; "" is none (cms.public.meta: link previews, search results, JSON-LD).
    cover_image_url: Mapped[str] = _optional_text(COVER_IMAGE_URL_MAX)
    seo_title: Mapped[str] = _optional_text(SEO_TITLE_MAX)
    seo_description: Mapped[str] = _optional_text(SEO_DESCRIPTION_MAX)
    # The body as readers get it, stored at each save (cms.posts.rendered); NULL: not yet.
    body_html: Mapped[str | None] = mapped_column(Text, nullable=True)
    excerpt: Mapped[str | None] = mapped_column(Text, nullable=True)
    # A VARCHAR with a CHECK rather than a native enum: adding a state later is a plain
    # migration on both databases, and PostgreSQL keeps no orphaned type on downgrade.
    status: Mapped[PostStatus] = mapped_column(
        Enum(
            PostStatus,
            name="post_status",
            native_enum=False,
            create_constraint=True,
            length=20,
            values_callable=lambda statuses: [status.value for status in statuses],
        ),
        default=PostStatus.DRAFT,
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author: Mapped[User] = relationship(User, lazy="joined")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: The editor's comment when returning the post to its author; cleared on resubmission.
    editor_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: When the post was moved to the trash; it is gone from every list but the trash's.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Bumped by every UPDATE; a save based on an older version is refused (see __mapper_args__).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.title

    # The post's state, in Python and in SQL side by side so the two cannot drift (a test
    # checks they agree on every combination of status, publish time and trash).

    @hybrid_property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    @in_trash.inplace.expression
    @classmethod
    def _in_trash_expression(cls):
        return cls.deleted_at.is_not(None)

    # What "published" means: readers see a post once it is marked published, its publish
    # time has come, and it is not in the trash.
    @hybrid_method
    def is_published_at(self, moment: datetime) -> bool:
        return (
            self.status == PostStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= moment
            and not self.in_trash
        )

    @is_published_at.expression
    def is_published_at(cls, moment: datetime):  # noqa: N805 - SQL side of the hybrid
        return and_(
            cls.status == PostStatus.PUBLISHED,
            cls.published_at.is_not(None),
            cls.published_at <= moment,
            ~cls.in_trash,
        )

    @hybrid_method
    def state_at(self, moment: datetime) -> PostState:
        """Where the post stands at ``moment``; in SQL, the state's value as a string."""
        if self.in_trash:
            return PostState.TRASHED
        if self.status == PostStatus.PUBLISHED:
            return PostState.PUBLISHED if self.is_published_at(moment) else PostState.SCHEDULED
        return PostState(self.status)

    @state_at.expression
    def state_at(cls, moment: datetime):  # noqa: N805 - SQL side of the hybrid
        return case(
            (cls.in_trash, PostState.TRASHED.value),
            (cls.is_published_at(moment), PostState.PUBLISHED.value),
            (cls.status == PostStatus.PUBLISHED, PostState.SCHEDULED.value),
            else_=cls.status,
        )

    @hybrid_method
    def in_state_at(self, state: PostState, moment: datetime) -> bool:
        return self.state_at(moment) is state

    @in_state_at.expression
    def in_state_at(cls, state: PostState, moment: datetime):  # noqa: N805
        """As a WHERE condition that an index on status and publish time can serve (the
        CASE of ``state_at`` cannot)."""
        if state is PostState.TRASHED:
            return cls.in_trash
        if state is PostState.PUBLISHED:
            return cls.is_published_at(moment)
        live = ~cls.in_trash
        if state is PostState.SCHEDULED:
            # No "published_at IS NULL" branch: the published_has_time constraint rules it
            # out, and the OR made SQLite read every published post instead of a range.
            return and_(live, cls.status == PostStatus.PUBLISHED, cls.published_at > moment)
        return and_(live, cls.status == PostStatus(state.value))


class PostSlugRedirect(db.Model):
    """An address a published post had before its slug changed: /posts/<old_slug> answers
    301 to the post's current address, so links and bookmarks keep working."""

    __tablename__ = "post_slug_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(SLUG_MAX), unique=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    post: Mapped[Post] = relationship(
        Post, backref=backref("old_slugs", cascade="all, delete-orphan")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PreviewLink(db.Model):
    """A link that shows a post as readers will see it, to someone without an account.

    The URL carries this row's id, signed with the app's secret; the row says until when
    the link works and whether it was revoked.
    """

    __tablename__ = "preview_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    post: Mapped[Post] = relationship(
        Post, backref=backref("preview_links", cascade="all, delete-orphan")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_by: Mapped[User | None] = relationship(User)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Random, and signed into the URL with the id: a row id the database reuses after a
    #: delete (SQLite does) never makes an old link show another post.
    nonce: Mapped[str | None] = mapped_column(
        String(32), nullable=True, default=lambda: secrets.token_urlsafe(16)
    )

    def works_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and moment < self.expires_at and not self.post.in_trash


class PostRevision(db.Model):
    """A post's words as one save left them. Restoring one makes a new revision: nothing
    is ever overwritten."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    post: Mapped[Post] = relationship(
        Post,
        backref=backref(
            "revisions", cascade="all, delete-orphan", order_by="PostRevision.id.desc()"
        ),
    )
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    slug: Mapped[str] = mapped_column(String(SLUG_MAX))
    summary: Mapped[str] = mapped_column(String(SUMMARY_MAX), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    cover_image_url: Mapped[str] = _optional_text(COVER_IMAGE_URL_MAX)
    seo_title: Mapped[str] = _optional_text(SEO_TITLE_MAX)
    seo_description: Mapped[str] = _optional_text(SEO_DESCRIPTION_MAX)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True
    )
    created_by: Mapped[User | None] = relationship(User)
    #: Kept with the revision: the account may be deleted later, the attribution may not.
    created_by_email: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The post's tags as this save left them: JSON, ``[[slug, name], ...]`` by name
    #: (``cms.posts.revisions``). Slugs find the tags again after a rename or a merge.
    tags: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")

    @property
    def saved_by(self) -> str | None:
        """Who saved it: the account's email, or the one it had if it was deleted since."""
        return self.created_by.email if self.created_by is not None else self.created_by_email

    #: The fields a revision keeps, in the order a comparison shows them.
    FIELDS = ("title", "slug", "summary", "body", "cover_image_url", "seo_title", "seo_description")
