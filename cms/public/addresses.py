"""Absolute addresses of the public pages, for feeds, the sitemap and the meta tags.

Tag and author pages (``/tags/<slug>``, ``/authors/<slug>``) are linked through their
endpoints when the app has them; until then, by the path those pages are promised at.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from flask import current_app, url_for
from markupsafe import Markup

TAG_PAGE = "public.tag_page"
AUTHOR_PAGE = "public.author_page"

# nh3 (cms.posts.rendering) writes every attribute in double quotes, "&quot;" inside: the
# stored HTML's links are exactly these.
_LINK_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


def external(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def tag_url(slug: str) -> str:
    return _page_url(TAG_PAGE, "tags", slug)


def author_url(slug: str) -> str:
    return _page_url(AUTHOR_PAGE, "authors", slug)


def _page_url(endpoint: str, section: str, slug: str) -> str:
    if endpoint in current_app.view_functions:
        return external(endpoint, slug=slug)
    return urljoin(external("public.index"), f"{section}/{slug}")


def absolute_links(body: str, base: str) -> Markup:
    """``body`` (sanitized HTML) with every relative ``href`` and ``src`` made absolute
    against ``base``: a feed reader shows it away from the site."""

    def absolute(match: re.Match) -> str:
        target = urljoin(base, html.unescape(match[2]))
        return f'{match[1]}="{html.escape(target, quote=True)}"'

    return Markup(_LINK_ATTRIBUTE.sub(absolute, body))  # noqa: S704 - sanitized, links only
