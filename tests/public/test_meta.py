"""What every public page says about itself in <head>: what a search engine, a link
preview or a feed reader reads (canonical address, description, Open Graph, Twitter card,
JSON-LD, the feeds, whether to index it)."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from cms.extensions import db
from cms.tags import service as tags
from tests.factories import UserFactory
from tests.public.helpers import NOW


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

    def preview(self) -> dict[str, str]:
        """What a search engine or a link preview reads of the page: its one canonical
        address and the tags that describe it, checked to agree where they say a thing twice."""
        (canonical,) = self.link("canonical")
        meta = self.meta
        assert meta["og:url"] == canonical["href"]
        assert meta["og:site_name"] == "Flask CMS"
        assert meta["og:title"] == meta["twitter:title"]
        assert meta["description"] == meta["og:description"] == meta["twitter:description"]
        return {
            "url": canonical["href"],
            "type": meta["og:type"],
            "title": meta["og:title"],
            "description": meta["description"],
            "card": meta["twitter:card"],
        }

    @property
    def data(self) -> dict:
        (text,) = self.json_ld
        return json.loads(text)


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
    assert head.preview() == {
        "url": url,
        "type": "article",
        "title": "Soup season",
        "description": "Warm bowls for cold days.",
        "card": "summary",
    }
    assert "og:image" not in head.meta
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

    assert head.preview() == {
        "url": "http://localhost/",
        "type": "website",
        "title": "Flask CMS",
        "description": "The latest posts of Flask CMS.",
        "card": "summary",
    }
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


# --- Tags, authors, search and errors ---------------------------------------------------


@pytest.fixture
def soup(users, publish):
    """A tag with a description, on a published post."""
    tag = tags.create_tag(users["editor"], "Soup", description="Warm bowls\n for cold days.")
    publish("Leek soup").tags = [tag]
    db.session.commit()
    return tag


@pytest.fixture
def writer(frozen_clock):
    return UserFactory(roles=["author"], full_name="Ada Lovelace")


def feeds_of(head: Head) -> dict[str, str]:
    return {link["href"]: link["title"] for link in head.link("alternate")}


def test_a_tag_page_describes_the_tag_and_offers_its_feed(client, soup):
    head = head_of(client, "/tags/soup")

    url = "http://localhost/tags/soup"
    assert head.preview() == {
        "url": url,
        "type": "website",
        "title": "Posts tagged “Soup”",
        "description": "Warm bowls for cold days.",
        "card": "summary",
    }
    assert "robots" not in head.meta
    assert head.data == {
        "@context": "https://schema.org",
        "@type": "CollectionPage",
        "name": "Posts tagged “Soup”",
        "description": "Warm bowls for cold days.",
        "url": url,
        "isPartOf": {"@type": "WebSite", "name": "Flask CMS", "url": "http://localhost/"},
    }
    assert feeds_of(head) == {
        "http://localhost/feed.xml": "Flask CMS",
        "http://localhost/tags/soup/feed.xml": "Soup · Flask CMS",
    }
    for address in feeds_of(head):
        assert client.get(address).mimetype == "application/atom+xml"


def test_a_tag_without_a_description_says_what_it_lists(client, users, publish):
    publish("Leek soup").tags = [tags.create_tag(users["editor"], "Soup")]
    db.session.commit()

    head = head_of(client, "/tags/soup")

    assert head.meta["description"] == "Posts tagged “Soup” on Flask CMS."
    assert head.data["description"] == "Posts tagged “Soup” on Flask CMS."


def test_the_tags_index_is_a_collection(client, soup):
    head = head_of(client, "/tags")

    url = "http://localhost/tags"
    assert head.preview() == {
        "url": url,
        "type": "website",
        "title": "Tags",
        "description": "Every topic of Flask CMS, with how many posts each has.",
        "card": "summary",
    }
    assert head.data["@type"] == "CollectionPage"
    assert head.data["url"] == url
    assert list(feeds_of(head)) == ["http://localhost/feed.xml"]


def test_an_author_page_is_a_profile_with_the_authors_feed(client, writer, publish):
    writer.bio = "Writes about engines.\nAnd <b>looms</b>."
    publish("Notes", author=writer)

    head = head_of(client, "/authors/ada-lovelace")

    url = "http://localhost/authors/ada-lovelace"
    assert head.preview() == {
        "url": url,
        "type": "profile",
        "title": "Ada Lovelace",
        "description": "Writes about engines. And <b>looms</b>.",
        "card": "summary",
    }
    assert head.data == {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": url,
        "mainEntity": {
            "@type": "Person",
            "name": "Ada Lovelace",
            "url": url,
            "description": "Writes about engines. And <b>looms</b>.",
        },
        "isPartOf": {"@type": "WebSite", "name": "Flask CMS", "url": "http://localhost/"},
    }
    assert feeds_of(head) == {
        "http://localhost/feed.xml": "Flask CMS",
        "http://localhost/authors/ada-lovelace/feed.xml": "Ada Lovelace · Flask CMS",
    }
    html = client.get("/authors/ada-lovelace").get_data(as_text=True)
    assert "author@example.com" not in html and writer.email not in html


def test_an_author_without_a_bio_is_described_by_what_the_page_lists(client, writer, publish):
    publish("Notes", author=writer)

    head = head_of(client, "/authors/ada-lovelace")

    assert head.meta["description"] == "Posts by Ada Lovelace on Flask CMS."
    assert "description" not in head.data["mainEntity"]


def test_nothing_in_a_tag_or_a_bio_can_end_the_json_ld_early(client, users, writer, publish):
    name = "</script><script>alert(1)</script>"
    writer.bio = "</SCRIPT><!-- & -->"
    publish("Notes", author=writer).tags = [tags.create_tag(users["editor"], name)]
    db.session.commit()

    for path in ("/tags/script-script-alert-1-script", "/authors/ada-lovelace"):
        html = client.get(path).get_data(as_text=True)
        assert html.count("<script") == 1, path
        assert "</script" not in html.split('type="application/ld+json">')[1].split("</script>")[0]

    assert (
        Head(client.get("/tags/script-script-alert-1-script").get_data(as_text=True)).data["name"]
        == f"Posts tagged “{name}”"
    )
    assert (
        Head(client.get("/authors/ada-lovelace").get_data(as_text=True)).data["mainEntity"][
            "description"
        ]
        == "</SCRIPT><!-- & -->"
    )


@pytest.mark.parametrize("kind", ["tag", "author"])
def test_a_later_page_of_a_tag_or_an_author_is_its_own_canonical_page(
    app, client, writer, publish, users, monkeypatch, kind
):
    monkeypatch.setitem(app.config, "POSTS_PER_PAGE", 1)
    soup = tags.create_tag(users["editor"], "Soup")
    for title, hours_ago in (("Newer", 1), ("Older", 2)):
        publish(title, hours_ago=hours_ago, author=writer).tags = [soup]
    db.session.commit()
    path = "/tags/soup" if kind == "tag" else "/authors/ada-lovelace"
    (older,) = head_of(client, path).link("next")

    later = head_of(client, older["href"])

    (canonical,) = later.link("canonical")
    assert canonical["href"] == "http://localhost" + older["href"]
    assert "?before=" in canonical["href"]
    assert later.meta["og:url"] == canonical["href"]
    assert later.data["url"] == canonical["href"]


def test_search_pages_are_not_for_search_engines_indexes(client, publish):
    publish("Leek soup")

    for path, url in (
        ("/search", "http://localhost/search"),
        ("/search?q=leek", "http://localhost/search?q=leek"),
        ("/search?q=%22%22", "http://localhost/search?q=%22%22"),
    ):
        head = head_of(client, path)
        assert head.meta["robots"].split(", ")[0] == "noindex", path
        assert head.json_ld == [], path
        assert head.preview()["url"] == url
        assert head.preview()["description"]

    assert head_of(client, "/search?q=leek").meta["og:title"] == "Search results for “leek”"


def test_a_page_not_found_is_not_for_search_engines_either(client):
    response = client.get("/tags/nothing-here")
    assert response.status_code == 404
    head = Head(response.get_data(as_text=True))

    assert head.meta["robots"] == "noindex"
    assert head.link("canonical") == []
    assert head.json_ld == []


def test_a_later_page_spelled_another_way_is_canonical_as_the_lists_links_spell_it(
    app, client, publish, monkeypatch
):
    """``...T11:00:00.000000Z_1`` names the same page as ``...T11:00:00Z_1``: one address
    for search engines to keep, not one per spelling a link somewhere used."""
    monkeypatch.setitem(app.config, "POSTS_PER_PAGE", 1)
    publish("Newer", hours_ago=1)
    publish("Older", hours_ago=2)
    (older,) = head_of(client, "/").link("next")
    assert "Z_" in older["href"] and ".000000" not in older["href"]

    later = head_of(client, older["href"].replace("Z_", ".000000Z_"))

    assert later.preview()["url"] == "http://localhost" + older["href"]
