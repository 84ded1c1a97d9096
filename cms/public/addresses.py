"""Addresses of the public pages: absolute ones for feeds, the sitemap and the meta tags,
and the links of a page's lists, built from a prefix."""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urljoin

from flask import g, url_for
from markupsafe import Markup

# nh3 (cms.posts.rendering) writes every attribute in double quotes, "&quot;" inside: the
# stored HTML's links are exactly these: ``\b(href|src)="([^"]*)"``, spelled to begin with a
# set of letters, which the regex engine looks for quickly, where a leading ``\b`` made it
# try every position of the body (twice as slow, and a feed runs it on 20 whole bodies).
_LINK_ATTRIBUTE = re.compile(r'([hs](?<=\b[hs])(?:(?<=h)ref|(?<=s)rc))="([^"]*)"')


# What Werkzeug's default converter leaves unquoted in a path segment (its ``to_url``):
# a slug in a link built here is spelled exactly as ``url_for`` spells it.
_SEGMENT_SAFE = "!$&'()*+,/:;=@"
# A slug no page has, whose address is the prefix of every page of that kind.
_PLACEHOLDER = "-"


def page_address(endpoint: str, slug: str, *, absolute: bool = False) -> str:
    """``url_for(endpoint, slug=slug, _external=absolute)`` for an endpoint whose address
    ends in its slug.

    A list links each of its posts, their authors and tags: ``url_for`` per link was a
    tenth of a page's time. The prefix is ``url_for``'s own, once per request and
    endpoint (it depends on the request's script root), and the slug is quoted as the
    router quotes it."""
    prefixes = g.setdefault("page_address_prefixes", {})
    prefix = prefixes.get((endpoint, absolute))
    if prefix is None:
        address = (
            external(endpoint, slug=_PLACEHOLDER)
            if absolute
            else url_for(endpoint, slug=_PLACEHOLDER)
        )
        prefix = prefixes[endpoint, absolute] = address[: -len(_PLACEHOLDER)]
    return prefix + quote(str(slug), safe=_SEGMENT_SAFE)


def post_address(slug: str) -> str:
    return page_address("public.post_detail", slug)


def tag_address(slug: str) -> str:
    return page_address("public.tag_detail", slug)


def author_address(slug: str) -> str:
    return page_address("public.author_detail", slug)


def external(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def post_url(slug: str) -> str:
    return page_address("public.post_detail", slug, absolute=True)


def tag_url(slug: str) -> str:
    return page_address("public.tag_detail", slug, absolute=True)


def author_url(slug: str) -> str:
    return page_address("public.author_detail", slug, absolute=True)


def absolute_links(body: str, base: str) -> Markup:
    """``body`` (sanitized HTML) with every relative ``href`` and ``src`` made absolute
    against ``base``: a feed reader shows it away from the site."""

    def absolute(match: re.Match) -> str:
        target = urljoin(base, html.unescape(match[2]))
        return f'{match[1]}="{html.escape(target, quote=True)}"'

    return Markup(_LINK_ATTRIBUTE.sub(absolute, body))  # noqa: S704 - sanitized, links only
