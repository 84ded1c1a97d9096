"""The readers' search: ``/search?q=<words>&page=<n>``, published posts best match first
(``cms.posts.search.ranked``), each with its body around the words found, highlighted.

Pages are numbered, by OFFSET, up to ``MAX_PAGES``. A keyset cursor saves nothing here:
ranking reads and scores every match before the first page can be cut, whatever the page,
so OFFSET only skips rows already sorted; and a cursor of a floating-point score would
name a place that moves whenever a post changes. The bound keeps the sort's cost in check
and the pages few: past a hundred results, a reader refines the words instead.

Anything typed is safe: ``cms.posts.search`` reads no operator and makes no syntax error,
and text with no word in it gets a page that says so, never an error.
"""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from cms.extensions import db
from cms.posts import publication, search, search_highlights
from cms.public import caching, paging
from cms.public.site import blueprint

MAX_PAGES = 10
#: Longer text is cut: more would only make more terms, which ``search`` ignores anyway.
MAX_QUERY_LENGTH = 200


@blueprint.get("/search")
@caching.cached_page(query_args=("q", "page"))
def search_results():
    """Two statements at most (the page of results, then their excerpts); none for an
    empty search."""
    text = " ".join(request.args.get("q", "").split())[:MAX_QUERY_LENGTH]
    number = _page_number(request.args.get("page", "1"))
    if not search.terms_of(text):
        if number != 1:
            abort(404)
        return render_template("public/search.html", text=text, results=None, searched=bool(text))
    per_page = current_app.config["POSTS_PER_PAGE"]
    query = search.ranked(paging.listed(publication.published_posts()), text)
    query = query.limit(per_page + 1).offset((number - 1) * per_page)
    rows = list(db.session.scalars(query))
    if not rows and number > 1:
        abort(404)
    posts = rows[:per_page]
    excerpts = search_highlights.excerpts(text, [post.id for post in posts])
    older = number + 1 if len(rows) > per_page and number < MAX_PAGES else None
    return render_template(
        "public/search.html",
        text=text,
        searched=True,
        results=[(post, excerpts.get(post.id)) for post in posts],
        number=number,
        newer=number - 1 if number > 1 else None,
        older=older,
    )


def _page_number(given: str) -> int:
    """The page asked for, 1 to ``MAX_PAGES``; anything else is no page of ours (404)."""
    if not given.isascii() or not given.isdigit() or len(given) > 3:
        abort(404)
    number = int(given)
    if not 1 <= number <= MAX_PAGES:
        abort(404)
    return number
