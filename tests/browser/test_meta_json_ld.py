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
from cms.tags import service as tags
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


def test_tag_and_author_pages_carry_json_ld_a_browser_reads_and_never_runs(
    page: Page, arrange, guard
):
    name = unique("Engines") + "</script><script>window.ranFromTag = 1</script>"
    author = UserFactory(roles=["author"], full_name=unique("Ada"))
    author.bio = "</script><script>window.ranFromBio = 1</script>"
    topic = tags.create_tag(UserFactory(roles=["editor"]), name)
    post = PostFactory(
        author, title=unique("Looms"), status=PostStatus.PUBLISHED,
        published_at=clock.utcnow() - timedelta(hours=1),
    )  # fmt: skip
    post.tags = [topic]
    arrange.commit()

    page.goto(f"/posts/{post.slug}")
    page.get_by_role("link", name=topic.name).click()
    tag_data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    page.goto(f"/authors/{author.slug}")
    author_data = json.loads(page.locator('script[type="application/ld+json"]').text_content())

    assert tag_data["@type"] == "CollectionPage"
    assert tag_data["name"] == f"Posts tagged “{name}”"
    assert tag_data["url"].endswith(f"/tags/{topic.slug}")
    assert author_data["@type"] == "ProfilePage"
    assert author_data["mainEntity"]["@type"] == "Person"
    assert author_data["mainEntity"]["description"] == author.bio
    assert page.evaluate("[window.ranFromTag, window.ranFromBio]") == [None, None]
    assert page.locator("script").count() == 1
    feeds = page.locator('link[rel="alternate"][type="application/atom+xml"]')
    hrefs = feeds.evaluate_all("links => links.map(link => link.href)")
    assert [href.split("/", 3)[3] for href in hrefs] == [
        "feed.xml",
        f"authors/{author.slug}/feed.xml",
    ]
    assert guard.problems == []
