"""Published posts for readers: the home page list and one page per post. The tag and
search pages are in ``cms.public.tags`` and ``cms.public.search_page``."""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for

from cms import clock
from cms.posts import previews, publication, rendered
from cms.posts.slugs import post_for_old_slug

# authors, search_page and tags add their routes to the one blueprint: imported here so that
# registering ``blueprint`` (cms.create_app) registers them all.
from cms.public import authors, caching, paging, search_page, tags  # noqa: F401
from cms.public.site import blueprint

__all__ = ["blueprint"]


@blueprint.get("/")
@caching.cached_page(query_args=("before", "page"))
def index():
    if "page" in request.args:
        return _numbered_page(request.args["page"])
    page, first = paging.EVERY_POST.requested()
    return render_template("public/index.html", page=page, first=first)


def _numbered_page(number: str):
    """Addresses from before pages were named by their posts (``/?page=3``): page 1 is
    still the first page; other numbers named posts that have moved down since, and
    finding them again would cost the OFFSET the new addresses avoid."""
    if number == "1":
        return redirect(url_for("public.index"), code=301)
    abort(404)


@blueprint.get("/preview/<token>")
def shared_preview(token: str):
    """A post seen through a share link, by someone who may have no account."""
    link = previews.find_link(token)
    if link is None:
        abort(404)
    if not link.works_at(clock.utcnow()):
        response = make_response(render_template("public/preview_gone.html"), 410)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response
    return previews.preview_response(link.post)


@blueprint.get("/posts/<slug>")
@caching.cached_page(query_args=())
def post_detail(slug: str):
    post = publication.find_published(slug)
    if post is None:
        if moved_to := new_address_of(slug):
            return redirect(url_for("public.post_detail", slug=moved_to), code=301)
        abort(404)
    return render_template(
        "public/post.html",
        post=post,
        body=rendered.body_html(post),
        tags=publication.tags_of(post.id),
    )


def new_address_of(old_slug: str) -> str | None:
    """Where the post that was at ``old_slug`` is now, if readers may see it there (its
    slug changed since): for its page and the API's."""
    moved = post_for_old_slug(old_slug)
    if moved is None or not publication.is_published(moved):
        return None
    return moved.slug
