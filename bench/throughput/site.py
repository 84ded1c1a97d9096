"""The site the load runs on: ``make bench``'s seeding (``bench.seed``) with its tags
(``bench.tags``), and the addresses of the pages to load."""

from __future__ import annotations

from sqlalchemy import func, select

from cms import clock
from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post
from cms.public.paging import Cursor
from cms.tags.models import Tag

#: How deep the "deep page" is: this share of the way down the list.
DEEP_SHARE = 0.5


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
