"""The links of the readers' lists are built from a prefix (cms.public.addresses), not by a
``url_for`` each: they must be exactly what ``url_for`` builds, for any slug."""

from __future__ import annotations

import pytest
from flask import url_for

from cms.public import addresses

SLUGS = [
    "plain-slug",
    "café-naïve",
    "with space",
    "100%-sure",
    "a?b#c",
    "a/b",
    "~tilde.dot_",
    "'quote'&=@",
]


@pytest.mark.parametrize(
    "endpoint", ["public.post_detail", "public.tag_detail", "public.author_detail"]
)
@pytest.mark.parametrize("script_root", ["", "/blog"])
def test_a_page_address_is_the_one_url_for_builds(app, endpoint, script_root):
    with app.test_request_context("/", base_url=f"http://example.test{script_root}/"):
        for slug in SLUGS:
            assert addresses.page_address(endpoint, slug) == url_for(endpoint, slug=slug)
            assert addresses.page_address(endpoint, slug, absolute=True) == url_for(
                endpoint, slug=slug, _external=True
            )


@pytest.mark.parametrize(
    ("body", "absolute"),
    [
        ('<a href="/posts/b">b</a>', '<a href="https://example.test/posts/b">b</a>'),
        ('<img src="pic.png" alt="">', '<img src="https://example.test/posts/pic.png" alt="">'),
        ('<a href="https://elsewhere.test/">x</a>', '<a href="https://elsewhere.test/">x</a>'),
        (
            '<a href="?a=1&amp;b=2">q</a>',
            '<a href="https://example.test/posts/a?a=1&amp;b=2">q</a>',
        ),
        # Only whole attribute names: neither "xhref" nor a "href=" in the middle of a word.
        ('<p>xhref="/a" ahref="/b"</p>', '<p>xhref="/a" ahref="/b"</p>'),
        ('<p>-src="c" _src="d"</p>', '<p>-src="https://example.test/posts/c" _src="d"</p>'),
    ],
)
def test_a_feed_body_has_its_relative_links_made_absolute(body, absolute):
    assert addresses.absolute_links(body, "https://example.test/posts/a") == absolute
