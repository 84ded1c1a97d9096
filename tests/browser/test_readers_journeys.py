"""A reader finds a post without knowing its address: from the post they read, through its
tag, to the others of the tag; and by searching for words they remember. Real Chromium,
the real server, no JavaScript on the public site."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cms import clock
from cms.posts.models import PostStatus
from cms.tags import service as tags
from tests.browser.conftest import unique
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.browser


def test_a_reader_finds_a_post_by_its_tag(page: Page, arrange):
    author = UserFactory(roles=["author"], full_name="Grace Hopper")
    editor = UserFactory(roles=["editor"])
    topic = tags.create_tag(editor, unique("Compilers"))
    now = clock.utcnow()
    wanted = PostFactory(
        author,
        title=unique("The first compiler"),
        status=PostStatus.PUBLISHED,
        published_at=now - timedelta(days=2),
    )
    start = PostFactory(
        author,
        title=unique("Debugging a moth"),
        status=PostStatus.PUBLISHED,
        published_at=now - timedelta(days=1),
    )
    secret = PostFactory(author, title=unique("An unfinished draft"))
    for post in (wanted, start, secret):
        post.tags = [topic]
    arrange.commit()

    page.goto(f"/posts/{start.slug}")
    page.get_by_role("link", name=topic.name).click()

    expect(page.get_by_role("heading", name=f"Posts tagged “{topic.name}”")).to_be_visible()
    expect(page.get_by_role("link", name=secret.title)).to_have_count(0)
    page.get_by_role("link", name=wanted.title).click()
    expect(page.get_by_role("heading", name=wanted.title)).to_be_visible()

    page.get_by_role("link", name="Tags", exact=True).click()
    expect(page.get_by_text(f"{topic.name} (2 posts)")).to_be_visible()


def test_a_reader_finds_a_post_by_searching(page: Page, arrange):
    author = UserFactory(roles=["author"])
    word = unique("zeppelin").replace("-", "")
    found = PostFactory(
        author,
        title=unique("Airships"),
        body=f"The {word} crossed the ocean in three days.",
        status=PostStatus.PUBLISHED,
        published_at=clock.utcnow() - timedelta(hours=1),
    )
    PostFactory(author, title=unique("Hidden"), body=f"A draft about the {word}.")
    arrange.commit()

    page.goto("/posts/no-such-post")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    page.get_by_label("Search the posts").fill(word[:10])
    page.get_by_role("button", name="Search").click()

    results = page.locator("article")
    expect(results).to_have_count(1)
    expect(results.locator("mark")).to_have_text(word)
    results.get_by_role("link", name=found.title).click()
    expect(page.get_by_role("heading", name=found.title)).to_be_visible()

    page.goto("/search?q=%27%29%3B+DROP+TABLE+posts%3B+--")
    expect(page.get_by_text("No post matches")).to_be_visible()
