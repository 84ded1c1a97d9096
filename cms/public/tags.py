"""The readers' tag pages: ``/tags`` (every tag readers may see, with its published count)
and ``/tags/<slug>`` (its posts, newest first, paged like the home page by the post just
above: ``?before=<publish time>_<id>``). Which tags and posts show is the one rule of
``cms.posts.publication``; an old address of a renamed or merged tag is a 301."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from cms import clock
from cms.extensions import db
from cms.posts import publication
from cms.public import caching, paging
from cms.public.site import blueprint
from cms.tags.models import post_tags
from cms.tags.service import tag_for_old_slug

#: A tag's posts, ordered by the publish times copied onto ``post_tags``: each page is one
#: range of ``ix_post_tags_tag_published`` (``publication.published_with_tag``).
TAGGED_POSTS = paging.PostList(
    lambda moment: publication.published_with_tag(publication.TAG_ID, moment),
    position=(post_tags.c.published_at, post_tags.c.post_id),
)


@blueprint.get("/tags")
@caching.cached_page(query_args=())
def tag_index():
    """One statement: the tags and their counts together."""
    rows = db.session.execute(publication.tags_with_published_counts(clock.utcnow())).all()
    return render_template("public/tags.html", tags=rows)


@blueprint.get("/tags/<slug>")
@caching.cached_page(query_args=("before",))
def tag_detail(slug: str):
    """Two statements for the first page (the tag, its posts), three for a later one (and
    the posts above it, for the newer link): the same at any depth."""
    tag = publication.find_published_tag(slug)
    if tag is None:
        if moved_to := new_address_of(slug):
            return redirect(url_for("public.tag_detail", slug=moved_to, **request.args), 301)
        abort(404)
    page, first = TAGGED_POSTS.requested(tag_id=tag.id)
    return render_template("public/tag.html", tag=tag, page=page, first=first)


def new_address_of(old_slug: str) -> str | None:
    """Where the tag page that was at ``old_slug`` is now, if readers may see it there (a
    renamed tag, or the one it was merged into): for the tag's page and its feed."""
    moved = tag_for_old_slug(old_slug)
    if moved is None or publication.find_published_tag(moved.slug) is None:
        return None
    return moved.slug
