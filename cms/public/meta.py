"""What a page says about itself to search engines, feed readers and link previews: its
title, description, canonical address, Open Graph and Twitter card tags, JSON-LD, and the
feeds to follow. Each public page's template asks for its own (``post_meta(post)``,
``home_meta(first, heading)``, ``tag_meta(tag, first)``, ``tag_index_meta()``,
``author_meta(author, first)``, ``search_meta(text, number)``) and ``public/_meta.html``
writes it into ``<head>``. A page of a list past the first is its own canonical page: it
lists other posts than the first does.

JSON-LD is data, not script: browsers never run a ``<script type="application/ld+json">``,
so the public pages' ``script-src 'none'`` (``cms.headers``) leaves it readable. It is
escaped so that nothing in a post can end the element early.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, request
from markupsafe import Markup

from cms.accounts.models import User
from cms.posts import rendered
from cms.posts.models import Post
from cms.public import addresses, feeds, paging
from cms.public.views import blueprint
from cms.tags.models import Tag

#: About what search results show of a description before cutting it.
DESCRIPTION_MAX = 160
#: Google's limit for a BlogPosting's headline.
HEADLINE_MAX = 110
# Characters that could end the <script> element or an HTML comment in it, or end a line
# in older JavaScript parsers: written as JSON escapes, which mean the same to a reader.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@dataclass(frozen=True)
class PageMeta:
    title: str
    description: str
    canonical: str
    kind: str  # Open Graph's og:type
    #: None for a page search engines are asked not to index: it describes nothing to them.
    json_ld: dict | None
    image: str = ""
    #: (title, address) of the Atom feeds of what the page lists, besides the site's.
    feeds: list[tuple[str, str]] = field(default_factory=list)
    #: The robots meta tag, when the page is not for search engines' indexes.
    robots: str = ""

    @property
    def site_name(self) -> str:
        return current_app.config["SITE_NAME"]

    @property
    def twitter_card(self) -> str:
        return "summary_large_image" if self.image else "summary"

    @property
    def json_ld_script(self) -> Markup:
        """The JSON-LD, safe inside ``<script type="application/ld+json">``."""
        text = json.dumps(self.json_ld, ensure_ascii=True, sort_keys=True)
        return Markup(text.translate(_SCRIPT_SAFE))  # noqa: S704 - escaped above


@blueprint.app_template_global("post_meta")
def post_meta(post: Post) -> PageMeta:
    """A post's page: its SEO title and description when it has them, else its title and
    summary (or the start of its text); a BlogPosting with its author and dates."""
    canonical = addresses.post_url(post.slug)
    title = post.seo_title or post.title
    description = _shortened(post.seo_description or post.summary or rendered.excerpt(post))
    author = post.author.full_name or current_app.config["SITE_NAME"]
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": _shortened(title, HEADLINE_MAX),
        "description": description,
        "url": canonical,
        "mainEntityOfPage": canonical,
        "author": {"@type": "Person", "name": author},
        "datePublished": _iso(post.published_at),
        "dateModified": _iso(max(post.updated_at, post.published_at)),
    }
    if post.cover_image_url:
        data["image"] = post.cover_image_url
    return PageMeta(title, description, canonical, "article", data, post.cover_image_url)


@blueprint.app_template_global("home_meta")
def home_meta(first: bool, heading: str) -> PageMeta:
    """The list of posts: the site itself on its first page, a page of it further down."""
    site = current_app.config["SITE_NAME"]
    home = addresses.external("public.index")
    title = site if first else f"{heading} · {site}"
    description = f"The latest posts of {site}." if first else f"{heading}, on {site}."
    data = {
        "@context": "https://schema.org",
        "@type": "Blog",
        "name": site,
        "url": home,
        "description": description,
    }
    return PageMeta(title, description, _list_address(first, "public.index"), "website", data)


@blueprint.app_template_global("tag_meta")
def tag_meta(tag: Tag, first: bool) -> PageMeta:
    """A tag's page: its description (else what it lists), a collection of the site's,
    and the tag's own feed."""
    site = current_app.config["SITE_NAME"]
    title = f"Posts tagged “{tag.name}”"
    description = _shortened(tag.description or f"{title} on {site}.")
    canonical = _list_address(first, "public.tag_detail", slug=tag.slug)
    data = _collection(title, description, canonical)
    feed = (feeds.feed_title(tag.name), addresses.external("public.tag_feed", slug=tag.slug))
    return PageMeta(title, description, canonical, "website", data, feeds=[feed])


@blueprint.app_template_global("tag_index_meta")
def tag_index_meta() -> PageMeta:
    site = current_app.config["SITE_NAME"]
    description = f"Every topic of {site}, with how many posts each has."
    canonical = addresses.external("public.tag_index")
    data = _collection("Tags", description, canonical)
    return PageMeta("Tags", description, canonical, "website", data)


@blueprint.app_template_global("author_meta")
def author_meta(author: User, first: bool) -> PageMeta:
    """An author's page: their bio (else what it lists), a profile of a Person, and their
    feed. Nothing of the account but the public name, address and bio."""
    site = current_app.config["SITE_NAME"]
    name = author.display_name or author.slug
    description = _shortened(author.bio or f"Posts by {name} on {site}.")
    canonical = _list_address(first, "public.author_detail", slug=author.slug)
    person = {"@type": "Person", "name": name, "url": addresses.author_url(author.slug)}
    if author.bio:
        person["description"] = description
    data = {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": canonical,
        "mainEntity": person,
        "isPartOf": _website(),
    }
    feed = (feeds.feed_title(name), addresses.external("public.author_feed", slug=author.slug))
    return PageMeta(name, description, canonical, "profile", data, feeds=[feed])


@blueprint.app_template_global("search_meta")
def search_meta(text: str, number: int) -> PageMeta:
    """A search page: shared as a link, it says what it is; search engines are asked to
    follow its links but not to index it (``/robots.txt`` keeps them off it too)."""
    site = current_app.config["SITE_NAME"]
    if text:
        title = f"Search results for “{text}”"
        description = _shortened(f"Posts of {site} that have the words “{text}”.")
    else:
        title, description = "Search", f"Search the posts of {site}."
    values = {"q": text or None, "page": number if number > 1 else None}
    canonical = addresses.external("public.search_results", **values)
    return PageMeta(title, description, canonical, "website", None, robots="noindex, follow")


def _list_address(first: bool, endpoint: str, **values) -> str:
    """The absolute address of the page of a list (``cms.public.paging``) being served:
    the list's own for the first page, with the ``before`` that names it for a later one,
    spelled as the list's links spell it."""
    cursor = None if first else paging.Cursor.parse(request.args.get("before", ""))
    if cursor is not None:
        values["before"] = str(cursor)
    return addresses.external(endpoint, **values)


def _collection(name: str, description: str, url: str) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": name,
        "description": description,
        "url": url,
        "isPartOf": _website(),
    }


def _website() -> dict:
    home = addresses.external("public.index")
    return {"@type": "WebSite", "name": current_app.config["SITE_NAME"], "url": home}


def _shortened(text: str, limit: int = DESCRIPTION_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
