"""``GET /api/v1/tags`` and ``GET /api/v1/authors/<slug>``: the tags and authors readers may
see, as the site's ``/tags`` and ``/authors/<slug>`` find them."""

from __future__ import annotations

from flask import abort

from cms import clock
from cms.api import representations
from cms.api.blueprint import moved_permanently, public_read
from cms.api.schemas import AuthorSchema, NoArguments, TagListSchema
from cms.extensions import db
from cms.posts import publication
from cms.public import addresses, public_authors


@public_read("/tags", NoArguments, TagListSchema)
def tag_list(_arguments):
    """Every tag on a published post, by name, with how many published posts have it."""
    rows = db.session.execute(publication.tags_with_published_counts(clock.utcnow())).all()
    return {
        "tags": [
            {
                "name": tag.name,
                "slug": tag.slug,
                "published_posts": count,
                "url": addresses.tag_url(tag.slug),
                "posts_url": representations.api_url("api_v1.post_list", tag=tag.slug),
            }
            for tag, count in rows
        ]
    }


@public_read("/authors/<slug>", NoArguments, AuthorSchema, 301, 404)
def author_detail(_arguments, slug: str):
    """An author with a published post: their public name and bio."""
    author = public_authors.find_public_author(slug)
    if author is None:
        if moved_to := public_authors.new_address_of(slug):
            return moved_permanently(slug=moved_to)
        abort(404, "No author with a published post has this slug.")
    return {
        "name": author.display_name,
        "slug": author.slug,
        "bio": author.bio,
        "url": addresses.author_url(author.slug),
        "posts_url": representations.api_url("api_v1.post_list", author=author.slug),
    }
