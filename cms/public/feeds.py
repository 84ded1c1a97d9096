"""Atom feeds: the site's (``/feed.xml``), a tag's and an author's, each of the newest
``FEED_ENTRIES`` posts readers may see, in full, with absolute links.

Each is one statement (the site's) or two (a tag's, an author's: the tag or author, then
the posts), and is kept by the page cache like any public page. Every date in a feed comes
from the posts, so a feed is the same bytes until a post changes (feedgen would otherwise
write "now").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from feedgen.feed import FeedGenerator
from flask import abort, current_app, redirect, request, url_for
from sqlalchemy import Select, case

from cms import clock, plain_rows
from cms.accounts.models import User
from cms.posts import publication, rendered
from cms.posts.models import Post
from cms.public import addresses, caching, public_authors
from cms.public import tags as tag_pages
from cms.public.views import blueprint

ATOM = "application/atom+xml; charset=utf-8"
#: The ``updated`` of a feed with no posts: fixed, so its bytes and cache stay the same.
_NOTHING_YET = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 cannot hold (feedgen refuses them): a form may have stored them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@blueprint.get("/feed.xml")
@caching.cached_page(query_args=())
def site_feed():
    return _feed(None, addresses.external("public.index"), _newest(_entries()))


@blueprint.get("/tags/<slug>/feed.xml")
@caching.cached_page(query_args=())
def tag_feed(slug: str):
    tag = publication.find_published_tag(slug)
    if tag is None:
        if moved_to := tag_pages.new_address_of(slug):
            return redirect(url_for("public.tag_feed", slug=moved_to), 301)
        abort(404)
    return _feed(tag.name, addresses.tag_url(slug), _newest_with_tag(_entries()), tag_id=tag.id)


@blueprint.get("/authors/<slug>/feed.xml")
@caching.cached_page(query_args=())
def author_feed(slug: str):
    author = public_authors.find_public_author(slug)
    if author is None:
        if moved_to := public_authors.new_address_of(slug):
            return redirect(url_for("public.author_feed", slug=moved_to), 301)
        abort(404)
    statement = _newest_by_author(_entries())
    name = author.full_name or slug
    return _feed(name, addresses.author_url(slug), statement, author_id=author.id)


def feed_title(name: str | None) -> str:
    """The title of the feed of ``name`` (a tag's, an author's), or of the site's."""
    site = current_app.config["SITE_NAME"]
    return site if name is None else f"{name} · {site}"


@dataclass(frozen=True, slots=True)
class FeedPost:
    """What an entry shows of a post, read as plain columns rather than an ORM object (a
    tenth of a feed's time). ``body`` is read only for a row with no stored HTML, which
    ``rendered.body_html`` then renders."""

    id: int
    slug: str
    title: str
    summary: str
    published_at: datetime
    updated_at: datetime
    body_html: str | None
    body: str | None
    author_name: str | None


def _feed(name: str | None, page: str, statement: Select[tuple], **params) -> tuple:
    """The feed being served, of what ``page`` lists: the posts ``statement`` reads now
    with ``params``."""
    rows = plain_rows.rows(statement, {"now": clock.utcnow(), **params})
    posts = [FeedPost(*row) for row in rows]
    address = addresses.external(request.endpoint, **request.view_args)
    return _atom(feed_title(name), page, address, posts)


def _entries() -> int:
    return current_app.config["FEED_ENTRIES"]


def _in_full(query: Select[tuple[Post]], limit: int) -> Select[tuple]:
    """``query`` reading the columns of ``FeedPost``, in its order: the stored HTML, and
    the Markdown only where there is none."""
    return (
        query.with_only_columns(
            Post.id,
            Post.slug,
            Post.title,
            Post.summary,
            Post.published_at,
            Post.updated_at,
            Post.body_html,
            case((Post.body_html.is_(None), Post.body)),
            User.full_name,
        )
        .outerjoin_from(Post, User, Post.author_id == User.id)
        .limit(limit)
    )


@cache
def _newest(limit: int) -> Select[tuple[Post]]:
    return _in_full(publication.published_posts(publication.NOW), limit)


@cache
def _newest_with_tag(limit: int) -> Select[tuple[Post]]:
    return _in_full(publication.published_with_tag(publication.TAG_ID, publication.NOW), limit)


@cache
def _newest_by_author(limit: int) -> Select[tuple[Post]]:
    return _in_full(public_authors.published_by(), limit)


def _changed_at(post: FeedPost) -> datetime:
    # As public_authors.post_changed_at: a scheduled post changes for readers when it appears.
    return max(post.updated_at, post.published_at)


def _atom(title: str, page: str, address: str, posts) -> tuple:
    feed = FeedGenerator()
    feed.id(address)
    feed.title(_xml_text(title))
    feed.link(href=page, rel="alternate", type="text/html")
    feed.link(href=address, rel="self", type="application/atom+xml")
    feed.language("en")
    newest = _NOTHING_YET
    host = request.host
    site_name = current_app.config["SITE_NAME"]
    for post in posts:
        url = addresses.post_url(post.slug)
        changed = _changed_at(post)
        newest = max(newest, changed)
        entry = feed.add_entry(order="append")
        # Stable across renamed slugs (RFC 4151): the host, the post's first day, its id.
        entry.id(f"tag:{host},{post.published_at:%Y-%m-%d}:posts/{post.id}")
        entry.title(_xml_text(post.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.author({"name": _xml_text(post.author_name or site_name)})
        entry.published(post.published_at)
        entry.updated(changed)
        if post.summary:
            entry.summary(_xml_text(post.summary))
        body = addresses.absolute_links(rendered.body_html(post), url)
        entry.content(_xml_text(body), type="html")
    feed.updated(newest)
    return feed.atom_str(pretty=True), 200, {"Content-Type": ATOM}


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", str(text))
