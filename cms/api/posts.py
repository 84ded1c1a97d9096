"""``GET /api/v1/posts`` and ``GET /api/v1/posts/<slug>``: the posts readers may see, through
the site's own rule (``cms.posts.publication``), lists (``cms.public.paging``: the same
cursor as the site's ``?before=``), search (``cms.posts.search``) and page cache
(``cms.public.caching``)."""

from __future__ import annotations

from flask import abort, current_app, request, url_for

from cms.api import representations
from cms.api.blueprint import moved_permanently, public_read
from cms.api.schemas import (
    LIST_FIELDS,
    NoArguments,
    PostListArguments,
    PostPageSchema,
    PostSchema,
)
from cms.extensions import db
from cms.posts import publication, search
from cms.posts.models import Post
from cms.public import paging, public_authors, views
from cms.public import tags as public_tags
from cms.public.authors import AUTHORED_POSTS
from cms.public.search_page import MAX_PAGES

#: A tag's posts by one author: the tag's list (its index range) narrowed to the author.
TAGGED_POSTS_BY_AUTHOR = paging.PostList(
    lambda moment: publication.published_with_tag(publication.TAG_ID, moment).where(
        Post.author_id == public_authors.AUTHOR_ID
    ),
    position=public_tags.TAGGED_POSTS.position,
)

_EMPTY_PAGE = paging.PostPage([], None, None)


@public_read("/posts", PostListArguments, PostPageSchema, 301, as_kwargs=True)
def post_list(**arguments):
    """Published posts, newest first.

    A page is named by the post above it, as on the site: pass the page's `next_cursor`
    as `before` (or follow `next`). With `q`, the best matches first, paged by `page`;
    `tag` and `author` narrow a search as they narrow the list.
    """
    limit = arguments.get("limit") or current_app.config["POSTS_PER_PAGE"]
    fields = frozenset(arguments.get("fields") or LIST_FIELDS)
    narrowed, moved = _narrowed_to(arguments)
    if moved:
        return moved_permanently(**moved)
    if narrowed is None:  # a tag or author readers cannot see: no post of theirs either
        page = _EMPTY_PAGE
    elif "q" in arguments:
        page = _search_page(arguments["q"], arguments.get("page", 1), limit, **narrowed)
    else:
        page = _list_page(arguments.get("before"), limit, **narrowed)
    tags = publication.tags_of_posts([p.id for p in page.posts]) if "tags" in fields else {}
    return {
        "posts": [representations.listed_post(p, tags.get(p.id, []), fields) for p in page.posts],
        "next": _link(page.older),
        "next_cursor": (page.older or {}).get("before"),
        "previous": _link(page.newer),
    }


def _narrowed_to(arguments: dict) -> tuple[dict[str, int] | None, dict[str, str]]:
    """The ids of the ``tag`` and ``author`` asked for, as ``tag_id`` and ``author_id``
    (none without either), or None when readers can see no such tag or author; and the
    new slugs of those asked for by an old one (renamed or merged since), by argument."""
    narrowed, moved = {}, {}
    for name, find, new_address_of in (
        ("tag", publication.find_published_tag, public_tags.new_address_of),
        ("author", public_authors.find_public_author, public_authors.new_address_of),
    ):
        if name not in arguments:
            continue
        found = find(arguments[name])
        if found is not None:
            narrowed[f"{name}_id"] = found.id
        elif moved_to := new_address_of(arguments[name]):
            moved[name] = moved_to
        else:
            return None, {}
    return narrowed, moved


def _list_page(before: str | None, limit: int, **narrowed: int) -> paging.PostPage:
    if "tag_id" in narrowed:
        posts = TAGGED_POSTS_BY_AUTHOR if "author_id" in narrowed else public_tags.TAGGED_POSTS
    else:
        posts = AUTHORED_POSTS if "author_id" in narrowed else paging.EVERY_POST
    if before is None:
        return posts.newest(limit, **narrowed)
    # A cursor with nothing before it, or after now, is an empty page (the site's 404).
    cursor = paging.Cursor.parse(before)
    page = posts.before(cursor, limit, **narrowed) if cursor is not None else None
    return page or _EMPTY_PAGE


def _search_page(
    text: str, number: int, limit: int, tag_id: int | None = None, author_id: int | None = None
) -> paging.PostPage:
    """The site's search (``cms.public.search_page``), among the tag's or the author's
    posts when asked: ranked, so paged by number, up to the site's last page."""
    if not search.terms_of(text):
        return _EMPTY_PAGE
    if tag_id is None:
        posts = publication.published_posts()
    else:
        posts = publication.published_with_tag(tag_id)
    if author_id is not None:
        posts = posts.where(Post.author_id == author_id)
    query = search.ranked(paging.listed(posts), text)
    rows = list(db.session.scalars(query.limit(limit + 1).offset((number - 1) * limit)))
    more = len(rows) > limit and number < MAX_PAGES
    older = {"page": str(number + 1)} if more else None
    newer = {"page": str(number - 1)} if number > 1 else None
    return paging.PostPage(rows[:limit], newer, older)


def _link(arguments: dict[str, str] | None) -> str | None:
    """This list's address with ``arguments`` in place of its paging ones."""
    if arguments is None:
        return None
    kept = {k: v for k, v in request.args.items() if k not in ("before", "page")}
    return url_for(request.endpoint, _external=True, **kept, **arguments)


@public_read("/posts/<slug>", NoArguments, PostSchema, 301, 404)
def post_detail(_arguments, slug: str):
    """One published post, with its body in Markdown and as the site shows it."""
    post = publication.find_published(slug, with_markdown=True)
    if post is None:
        if moved_to := views.new_address_of(slug):
            return moved_permanently(slug=moved_to)
        abort(404, "No published post has this slug.")
    return representations.full_post(post, publication.tags_of(post.id))
