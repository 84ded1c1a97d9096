"""A post page's JSON-LD in a real Chromium under the public pages' CSP (``script-src
'none'``): read as data, blocked by nothing, run as nothing, and the cover image named in
the meta tags is not fetched from its host."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from playwright.sync_api import Page

from cms import clock
from cms.posts.models import PostStatus
from tests.browser.conftest import unique
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.browser


def test_the_json_ld_of_a_post_is_data_the_page_never_runs(page: Page, arrange, guard):
    title = unique("Soup") + "</script><script>window.ranFromTitle = 1</script>"
    post = PostFactory(
        UserFactory(roles=["author"], full_name="Ada Writer"),
        title=title,
        status=PostStatus.PUBLISHED,
        published_at=clock.utcnow() - timedelta(hours=1),
        cover_image_url="https://images.example.org/soup.jpg",
    )

    page.goto(f"/posts/{post.slug}")

    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == title
    assert data["author"] == {"@type": "Person", "name": "Ada Writer"}
    assert data["image"] == "https://images.example.org/soup.jpg"
    assert page.evaluate("window.ranFromTitle") is None
    assert page.locator("script").count() == 1
    # The guard fails the test on any CSP report or request to another host.
    assert guard.problems == []
