"""The readers' author pages: ``/authors/<slug>``, an author's public name, bio and published
posts, newest first, paged like the home page (``?before=<publish time>_<id>``). Only an
author with a post readers may see (the one rule, ``cms.posts.publication``) has a page;
nothing of the account but the name, the address and the bio is read."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from cms.posts import publication
from cms.posts.models import Post
from cms.public import caching, paging, public_authors
from cms.public.site import blueprint

#: An author's posts, in the home page's order.
AUTHORED_POSTS = paging.PostList(
    lambda moment: publication.published_posts(moment).where(
        Post.author_id == public_authors.AUTHOR_ID
    )
)


@blueprint.get("/authors/<slug>")
@caching.cached_page(query_args=("before",))
def author_detail(slug: str):
    """Two statements for the first page (the author, their posts), three for a later one
    (and the posts above it, for the newer link): the same at any depth."""
    author = public_authors.find_public_author(slug)
    if author is None:
        if moved_to := public_authors.new_address_of(slug):
            return redirect(url_for("public.author_detail", slug=moved_to, **request.args), 301)
        abort(404)
    page, first = AUTHORED_POSTS.requested(author_id=author.id)
    return render_template("public/author.html", author=author, page=page, first=first)
