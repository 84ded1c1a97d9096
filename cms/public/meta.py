"""What a page says about itself to search engines, feed readers and link previews: its
title, description, canonical address, Open Graph and Twitter card tags, JSON-LD, and the
feeds to follow. The templates ask for a page's with ``post_meta(post)`` or
``home_meta(first, heading)`` (``public/_meta.html`` writes them into ``<head>``).

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

from cms.posts import rendered
from cms.posts.models import Post
from cms.public import addresses
from cms.public.views import blueprint

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
    json_ld: dict
    image: str = ""
    #: (title, address) of the Atom feeds of what the page lists, besides the site's.
    feeds: list[tuple[str, str]] = field(default_factory=list)

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
    canonical = addresses.external("public.post_detail", slug=post.slug)
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
    before = request.args.get("before")
    canonical = (
        home if first or before is None else addresses.external("public.index", before=before)
    )
    title = site if first else f"{heading} · {site}"
    description = f"The latest posts of {site}." if first else f"{heading}, on {site}."
    data = {
        "@context": "https://schema.org",
        "@type": "Blog",
        "name": site,
        "url": home,
        "description": description,
    }
    return PageMeta(title, description, canonical, "website", data)


def _shortened(text: str, limit: int = DESCRIPTION_MAX) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()
