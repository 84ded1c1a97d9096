"""Markdown to safe HTML.

Authors may write raw HTML inside Markdown (a figure, a table); whatever they write, the
sanitizer keeps only a known-safe set of tags, attributes and URL schemes, so no script,
event handler or ``javascript:`` link ever reaches a reader.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": True})
_markdown.enable(["table", "strikethrough"])

# No h1: the post's title is the page's only one (raw <h1> keeps its text as a paragraph).
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
    "time", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "abbr": {"title"},
    "code": {"class"},  # "language-python" from fenced code blocks
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "time": {"datetime"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _render_headings_one_level_down(source: str) -> str:
    """The post's title is the page's one ``h1``: a body's ``#`` becomes ``h2``, and so on."""
    tokens = _markdown.parse(source)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return _markdown.renderer.render(tokens, _markdown.options, {})


@lru_cache(maxsize=512)
def _render(source: str) -> str:
    html = _render_headings_one_level_down(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(source: str | None) -> Markup:
    """Sanitized HTML for a Markdown body, safe to put in a template as it is."""
    return Markup(_render(source or ""))  # noqa: S704 - nh3 has sanitized it


def plain_text(source: str | None, words: int = 40) -> str:
    """The first ``words`` words of a Markdown body as plain text, for excerpts."""
    text = html.unescape(nh3.clean(_render(source or ""), tags=set()))
    parts = text.split()
    excerpt = " ".join(parts[:words])
    return excerpt + " …" if len(parts) > words else excerpt
