"""``/sitemap.xml`` and ``/robots.txt``: every page readers may see, for search engines.

The home page, each published post, each tag and author page readers can reach, with
``lastmod`` from the posts (``public_authors.post_changed_at``). Up to ``SITEMAP_PAGE_SIZE``
addresses (50,000, the protocol's most) ``/sitemap.xml`` lists them all; past that it is a
sitemap index of ``/sitemap-pages-<n>.xml`` (home, tags, authors: the n-th
``SITEMAP_PAGE_SIZE`` of them) and ``/sitemap-posts-<n>.xml``, the published posts with ids
in the n-th block of ``SITEMAP_PAGE_SIZE`` ids: each block is a primary-key range, as cheap
at a million posts as at ten, and never holds more addresses than a sitemap may. Both kinds
of file are numbered from 1, so one address shape and one route serve every file of a kind.
The index is one grouped statement over the published posts, one count of tags and
accounts, and only when those might fill more than one pages file (or the posts alone
fit in one sitemap) the two grouped statements of the pages; every file is kept by the
page cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.sax.saxutils import escape

from flask import abort, current_app
from sqlalchemy import func, select

from cms import clock
from cms.accounts.models import User
from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post
from cms.public import addresses, caching
from cms.public.public_authors import post_changed_at, public_authors
from cms.public.views import blueprint
from cms.tags.models import Tag

XML = "application/xml; charset=utf-8"
_NAMESPACE = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
#: Never indexed: the dashboard, share links and search results.
_DISALLOWED = ("/admin", "/preview/", "/search")


@blueprint.get("/robots.txt")
@caching.cached_page(query_args=())
def robots_txt():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in _DISALLOWED)]
    lines.append(f"Sitemap: {addresses.external('public.sitemap_xml')}")
    return "\n".join(lines) + "\n", 200, {"Content-Type": "text/plain; charset=utf-8"}


@blueprint.get("/sitemap.xml")
@caching.cached_page(query_args=())
def sitemap_xml():
    size = current_app.config["SITEMAP_PAGE_SIZE"]
    moment = clock.utcnow()
    blocks = db.session.execute(_post_blocks(size, moment)).all()
    posts = sum(count for _, count, _ in blocks)
    newest = max((changed for *_, changed in blocks), default=None)
    if posts < size or db.session.scalar(_most_page_lines()) > size:
        pages = list(_pages(moment))
        if posts + len(pages) <= size:
            rows = db.session.execute(_posts_between(0, None, moment)) if blocks else ()
            return _urlset([*pages, *_post_urls(rows)])
        page_files = [_latest(chunk) for chunk in _page_files(pages, size)]
    else:
        # Past the size in posts alone, with fewer tags and accounts than a file holds:
        # one pages file, whose newest line is the home page's, the newest post's change.
        page_files = [newest]
    files = [
        (addresses.external("public.sitemap_pages", number=number), changed)
        for number, changed in enumerate(page_files, start=1)
    ]
    files += [
        (addresses.external("public.sitemap_posts", number=number + 1), changed)
        for number, _, changed in blocks
    ]
    return _xml("sitemapindex", "sitemap", files)


@blueprint.get("/sitemap-pages-<int:number>.xml")
@caching.cached_page(query_args=())
def sitemap_pages(number: int):
    files = _page_files(list(_pages(clock.utcnow())), current_app.config["SITEMAP_PAGE_SIZE"])
    if not 1 <= number <= len(files):
        abort(404)
    return _urlset(files[number - 1])


@blueprint.get("/sitemap-posts-<int:number>.xml")
@caching.cached_page(query_args=())
def sitemap_posts(number: int):
    size = current_app.config["SITEMAP_PAGE_SIZE"]
    if number < 1:
        abort(404)
    rows = db.session.execute(_posts_between((number - 1) * size, number * size, clock.utcnow()))
    urls = list(_post_urls(rows))
    if not urls:
        abort(404)
    return _urlset(urls)


def _page_files(pages: list, size: int) -> list[list]:
    """The pages' lines cut into files of ``size``, in order: the index and each
    ``/sitemap-pages-<n>.xml`` cut the same list the same way, so the index lists exactly
    the files there are. Never an empty one (a urlset with no ``<url>`` is invalid): the
    home page is always the first line."""
    return [pages[start : start + size] for start in range(0, len(pages), size)]


def _most_page_lines():
    """At most how many lines the pages files hold: the home page, every tag, every
    account. Two counts of small tables, cheaper than finding which of them readers reach
    (the grouped statements of ``_pages``, over every published post)."""
    tags = select(func.count()).select_from(Tag).scalar_subquery()
    accounts = select(func.count()).select_from(User).scalar_subquery()
    return select(1 + tags + accounts)


def _latest(lines) -> datetime | None:
    return max((changed for _, changed in lines if changed is not None), default=None)


def _published(moment: datetime):
    return publication.published_posts(moment).order_by(None)


def _post_blocks(size: int, moment: datetime):
    """(block number from 0, published posts in it, their latest change), by block."""
    block = ((Post.id - 1) // size).label("block")
    return (
        _published(moment)
        .with_only_columns(block, func.count(), func.max(post_changed_at()))
        .group_by(block)
        .order_by(block)
    )


def _posts_between(after_id: int, last_id: int | None, moment: datetime):
    query = (
        _published(moment)
        .with_only_columns(Post.slug, post_changed_at())
        .where(Post.id > after_id)
        .order_by(Post.id)
    )
    return query if last_id is None else query.where(Post.id <= last_id)


def _post_urls(rows) -> Iterable[tuple[str, datetime | None]]:
    for slug, changed in rows:
        yield addresses.post_url(slug), changed


def _pages(moment: datetime) -> Iterable[tuple[str, datetime | None]]:
    """The home page, then each tag and author page readers can reach. Two statements."""
    tags = db.session.execute(
        publication.tags_with_published_counts(moment, func.max(post_changed_at()).label("lastmod"))
    ).all()
    authors = db.session.execute(public_authors(moment)).all()
    newest = max((row[-1] for row in (*tags, *authors)), default=None)
    yield addresses.external("public.index"), newest
    for tag, _count, changed in tags:
        yield addresses.tag_url(tag.slug), changed
    for slug, changed in authors:
        yield addresses.author_url(slug), changed


def _urlset(urls: Iterable[tuple[str, datetime | None]]):
    return _xml("urlset", "url", urls)


def _xml(root: str, item: str, entries: Iterable[tuple[str, datetime | None]]):
    # Written as text, not through an XML library: a file of 50,000 addresses is built in
    # one pass over the rows.
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} {_NAMESPACE}>\n']
    for url, changed in entries:
        lastmod = "" if changed is None else f"<lastmod>{_w3c(changed)}</lastmod>"
        parts.append(f"<{item}><loc>{escape(url)}</loc>{lastmod}</{item}>\n")
    parts.append(f"</{root}>\n")
    return "".join(parts), 200, {"Content-Type": XML}


def _w3c(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
