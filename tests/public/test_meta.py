"""What the home and post pages say about themselves in <head>: what a search engine, a
link preview or a feed reader reads (canonical address, description, Open Graph, Twitter
card, JSON-LD, the feed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from cms.posts.models import PostStatus

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


class Head(HTMLParser):
    """The page's meta and link tags, and the text of its JSON-LD scripts."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []
        self.json_ld: list[str] = []
        self.title = ""
        self._in = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs["content"]
        elif tag == "link":
            self.links.append(attrs)
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in = "json"
            self.json_ld.append("")
        elif tag == "title":
            self._in = "title"

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "json":
            self.json_ld[-1] += data
        elif self._in == "title":
            self.title += data

    def link(self, rel: str) -> list[dict[str, str]]:
        return [attrs for attrs in self.links if attrs.get("rel") == rel]

    @property
    def data(self) -> dict:
        (text,) = self.json_ld
        return json.loads(text)


@pytest.fixture
def publish(frozen_clock, post_factory, users):
    def publish(title: str, hours_ago: float = 1, **fields):
        fields.setdefault("status", PostStatus.PUBLISHED)
        fields.setdefault("published_at", NOW - timedelta(hours=hours_ago))
        fields.setdefault("updated_at", fields["published_at"])
        return post_factory(fields.pop("author", users["author"]), title=title, **fields)

    return publish


def head_of(client, path: str) -> Head:
    response = client.get(path)
    assert response.status_code == 200, path
    return Head(response.get_data(as_text=True))


def test_a_post_page_describes_the_post(client, publish, users):
    users["author"].full_name = "Ada Writer"
    publish("Soup season", summary="Warm bowls for cold days.", hours_ago=3,
            updated_at=NOW - timedelta(hours=1))  # fmt: skip

    head = head_of(client, "/posts/soup-season")

    url = "http://localhost/posts/soup-season"
    assert head.title == "Soup season · Flask CMS"
    assert [link["href"] for link in head.link("canonical")] == [url]
    assert head.meta["description"] == "Warm bowls for cold days."
    assert head.meta["og:title"] == "Soup season"
    assert head.meta["og:description"] == "Warm bowls for cold days."
    assert head.meta["og:url"] == url
    assert head.meta["og:type"] == "article"
    assert head.meta["og:site_name"] == "Flask CMS"
    assert "og:image" not in head.meta
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["twitter:title"] == "Soup season"
    assert head.data == {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": "Soup season",
        "description": "Warm bowls for cold days.",
        "url": url,
        "mainEntityOfPage": url,
        "author": {"@type": "Person", "name": "Ada Writer"},
        "datePublished": "2026-01-15T09:00:00+00:00",
        "dateModified": "2026-01-15T11:00:00+00:00",
    }
    (feed,) = head.link("alternate")
    assert feed["type"] == "application/atom+xml"
    assert feed["href"] == "http://localhost/feed.xml"


def test_seo_fields_and_a_cover_override_the_defaults(client, publish):
    publish(
        "Soup season",
        summary="Warm bowls.",
        seo_title="The best soups of 2026",
        seo_description="Ten soups, ranked.",
        cover_image_url="https://images.example.org/soup.jpg",
    )

    head = head_of(client, "/posts/soup-season")

    assert head.title == "The best soups of 2026 · Flask CMS"
    assert head.meta["description"] == "Ten soups, ranked."
    assert head.meta["og:title"] == "The best soups of 2026"
    assert head.meta["og:image"] == "https://images.example.org/soup.jpg"
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:image"] == "https://images.example.org/soup.jpg"
    assert head.data["headline"] == "The best soups of 2026"
    assert head.data["image"] == "https://images.example.org/soup.jpg"


def test_without_a_summary_the_description_is_the_start_of_the_text(client, publish):
    publish("Long", body="**Word** " * 100)

    description = head_of(client, "/posts/long").meta["description"]

    assert description.startswith("Word Word")
    assert description.endswith("…")
    assert len(description) <= 160


def test_nothing_in_a_post_can_end_its_json_ld_early(client, publish):
    title = '</script><script>alert("x")</script><!-- &'
    post = publish(title, summary="</SCRIPT> <b>")

    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    head = Head(html)

    assert html.count("<script") == 1
    assert head.data["headline"] == title
    assert head.data["description"] == "</SCRIPT> <b>"


def test_the_home_page_describes_the_blog(client, publish):
    publish("One")

    head = head_of(client, "/")

    assert [link["href"] for link in head.link("canonical")] == ["http://localhost/"]
    assert head.meta["og:type"] == "website"
    assert head.meta["og:url"] == "http://localhost/"
    assert head.meta["description"] == "The latest posts of Flask CMS."
    assert head.data == {
        "@context": "https://schema.org",
        "@type": "Blog",
        "name": "Flask CMS",
        "url": "http://localhost/",
        "description": "The latest posts of Flask CMS.",
    }


def test_a_later_page_of_the_list_is_its_own_canonical_page(app, client, publish, monkeypatch):
    monkeypatch.setitem(app.config, "POSTS_PER_PAGE", 1)
    publish("Newer", hours_ago=1)
    publish("Older", hours_ago=2)
    head = head_of(client, "/")
    (older,) = head.link("next")

    later = head_of(client, older["href"])

    (canonical,) = later.link("canonical")
    assert canonical["href"] == "http://localhost" + older["href"]
    assert later.meta["og:url"] == canonical["href"]
