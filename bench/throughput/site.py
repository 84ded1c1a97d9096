"""The site the load runs on: ``make bench``'s seeding (``bench.seed``), plus tags on the
posts so that a tag's page lists some, and the addresses of the pages to load."""

from __future__ import annotations

from sqlalchemy import func, select, text

from cms import clock
from cms.accounts.models import User
from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post
from cms.public.paging import Cursor
from cms.tags.models import Tag
from cms.tags.service import create_tag

from ..seed import ADMIN_EMAIL

#: Tags on the site; each post gets two of them, so a tag has a tenth of the posts.
TAG_NAMES = (
    "Architecture",
    "Birds",
    "Cooking",
    "Design",
    "Economics",
    "Film",
    "Gardening",
    "History",
    "Music",
    "Travel",
)
#: How deep the "deep page" is: this share of the way down the list.
DEEP_SHARE = 0.5


def add_tags(app) -> int:
    """Two of ``TAG_NAMES`` on every post, made by the tag service and tied to the posts
    in one statement (the database copies each post's publish time). Returns how many
    posts a tag has; a database that has tags already is left as it is."""
    with app.app_context():
        if db.session.scalar(select(func.count()).select_from(Tag)):
            return _posts_per_tag()
        admin = db.session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        for name in TAG_NAMES:
            create_tag(admin, name)
        db.session.commit()
        ids = list(db.session.scalars(select(Tag.id).order_by(Tag.id)))
        count = len(ids)
        # Post n gets tags n mod 10 and (n + 3) mod 10: every tag an even share.
        cases = " ".join(f"WHEN {i} THEN {tag_id}" for i, tag_id in enumerate(ids))
        for shift in (0, 3):
            db.session.execute(
                text(
                    "INSERT INTO post_tags (post_id, tag_id) SELECT id, "
                    f"CASE (id + {shift}) % {count} {cases} END FROM posts"
                )
            )
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        return _posts_per_tag()


def _posts_per_tag() -> int:
    first = db.session.scalar(select(Tag.id).order_by(Tag.id).limit(1))
    return publication.published_count(first)


def pages(app) -> dict[str, str]:
    """The paths loaded, by label: home page 1, a page half-way down the list, a post of
    that page, the first tag's page, the site's feed."""
    with app.app_context():
        now = clock.utcnow()
        published = db.session.scalar(
            select(func.count()).select_from(publication.published_posts(now).subquery())
        )
        per_page = app.config["POSTS_PER_PAGE"]
        depth = int(published * DEEP_SHARE) // per_page * per_page
        above = db.session.execute(
            publication.published_posts(now)
            .with_only_columns(Post.published_at, Post.id, Post.slug)
            .offset(depth - 1)
            .limit(2)
        ).all()
        tag = db.session.scalar(select(Tag.slug).order_by(Tag.id).limit(1))
        db.session.rollback()
    cursor = str(Cursor(above[0].published_at, above[0].id))
    return {
        "home page 1": "/",
        f"page {depth // per_page + 1} of {-(-published // per_page)}": f"/?before={cursor}",
        "a post": f"/posts/{above[1].slug}",
        "a tag's page": f"/tags/{tag}",
        "Atom feed": "/feed.xml",
    }
