"""Absolute addresses of the public pages, for feeds, the sitemap and the meta tags."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin

from flask import url_for
from markupsafe import Markup

# nh3 (cms.posts.rendering) writes every attribute in double quotes, "&quot;" inside: the
# stored HTML's links are exactly these.
_LINK_ATTRIBUTE = re.compile(r'\b(href|src)="([^"]*)"')


def external(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def tag_url(slug: str) -> str:
    return external("public.tag_detail", slug=slug)


def author_url(slug: str) -> str:
    return external("public.author_detail", slug=slug)


def absolute_links(body: str, base: str) -> Markup:
    """``body`` (sanitized HTML) with every relative ``href`` and ``src`` made absolute
    against ``base``: a feed reader shows it away from the site."""

    def absolute(match: re.Match) -> str:
        target = urljoin(base, html.unescape(match[2]))
        return f'{match[1]}="{html.escape(target, quote=True)}"'

    return Markup(_LINK_ATTRIBUTE.sub(absolute, body))  # noqa: S704 - sanitized, links only
