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
