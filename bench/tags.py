"""Tags on the seeded posts, as ``make bench`` and ``make bench-http`` measure them: a tag's
page lists some posts, ``/tags`` counts them, the sitemap lists the tags' pages."""

from __future__ import annotations

from sqlalchemy import func, select, text

from cms.accounts.models import User
from cms.extensions import db
from cms.posts import publication
from cms.tags.models import Tag
from cms.tags.service import create_tag

from .seed import ADMIN_EMAIL

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
