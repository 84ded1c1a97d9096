"""Published posts for readers: the home page list and one page per post."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from cms import clock
from cms.extensions import db
from cms.posts import previews, publication
from cms.posts.rendering import plain_text, render_markdown
from cms.posts.slugs import post_for_old_slug

blueprint = Blueprint("public", __name__)

MAX_PAGE = 100_000


@blueprint.app_template_filter("markdown")
def markdown_filter(source: str):
    return render_markdown(source)


@blueprint.app_template_filter("excerpt")
def excerpt_filter(source: str):
    return plain_text(source)


@blueprint.get("/")
def index():
    page = request.args.get("page", 1, type=int)
    if page > MAX_PAGE:
        abort(404)  # no site has that many pages; the offset would overflow the database
    posts = db.paginate(
        publication.published_posts(),
        page=page,
        per_page=current_app.config["POSTS_PER_PAGE"],
        max_per_page=current_app.config["POSTS_PER_PAGE"],
        error_out=True,
    )
    return render_template("public/index.html", posts=posts)


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
def post_detail(slug: str):
    post = publication.find_published(slug)
    if post is None:
        moved = post_for_old_slug(slug)
        if moved is not None and publication.is_published(moved):
            return redirect(url_for("public.post_detail", slug=moved.slug), code=301)
        abort(404)
    return render_template("public/post.html", post=post)
