"""Feeds, sitemaps and robots.txt through the page cache: a reader's second request costs
the database nothing, and a new post is in the next answer."""

from __future__ import annotations

import feedparser
import pytest

from cms.extensions import db
from cms.posts.models import PostStatus
from cms.tags import service as tags
from tests.public.caching_sites import cached, read

PATHS = (
    "/feed.xml",
    "/tags/soup/feed.xml",
    "/sitemap.xml",
    "/sitemap-pages-1.xml",
    "/robots.txt",
)


@pytest.fixture
def users(site, users):
    return users


@pytest.fixture
def published(users, post_factory):
    post = post_factory(users["author"], title="Leek soup", status=PostStatus.PUBLISHED)
    post.tags = [tags.create_tag(users["editor"], "Soup")]
    db.session.commit()
    return post


@pytest.mark.parametrize("path", PATHS)
def test_a_second_request_is_served_from_the_cache(site, published, path):
    reader = site.test_client()
    first = read(site, reader, path)

    again = cached(site, reader, path)

    assert first.status == again.status == 200
    assert again.text == first.text
    assert again.headers["Cache-Control"].startswith("public")
    assert "ETag" in again.headers


def test_a_new_post_is_in_the_next_feed(site, published, users, post_factory):
    reader = site.test_client()
    cached(site, reader, "/feed.xml")

    post_factory(users["author"], title="Pea soup", status=PostStatus.PUBLISHED)

    titles = [
        entry.title for entry in feedparser.parse(read(site, reader, "/feed.xml").text).entries
    ]
    assert "Pea soup" in titles
    assert "Leek soup" in titles


def test_a_new_tag_is_in_the_next_sitemap_pages_file(site, published, users):
    reader = site.test_client()
    cached(site, reader, "/sitemap-pages-1.xml")

    published.tags = [*published.tags, tags.create_tag(users["editor"], "Leeks")]
    db.session.commit()

    assert "http://localhost/tags/leeks" in read(site, reader, "/sitemap-pages-1.xml").text
