"""The Atom feeds as a feed reader sees them: parsed back with feedparser, valid, newest
first, in full, with absolute links, and costing the statements they are pinned to."""

from __future__ import annotations

from datetime import timedelta

import feedparser
import pytest
from sqlalchemy import update

from cms.extensions import db
from cms.posts.models import Post
from cms.tags import service as tags
from tests.public.helpers import NOW, statements_for


def feed_of(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.get_data())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def titles(parsed) -> list[str]:
    return [entry.title for entry in parsed.entries]


def test_the_site_feed_lists_published_posts_newest_first(client, publish, post_factory, users):
    publish("Last week", hours_ago=24 * 7)
    publish("An hour ago", hours_ago=1)
    publish("Tomorrow", hours_ago=-24)
    post_factory(users["author"], title="A draft")
    publish("Binned", hours_ago=2, deleted_at=NOW)

    parsed = feed_of(client.get("/feed.xml"))

    assert titles(parsed) == ["An hour ago", "Last week"]
    assert parsed.feed.title == "Flask CMS"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"alternate": "http://localhost/", "self": "http://localhost/feed.xml"}


def test_an_entry_has_the_full_sanitized_body_with_absolute_links(client, publish, users):
    users["author"].full_name = "Ada Writer"
    body = (
        "Fish & chips, **bold**. [Another post](/posts/other) and [near](next-door), "
        '[away](https://example.org/x?a=1&b=2) ![a picture](/static/pic.png "Pic")\n\n'
        '<script>alert("x")</script> <img src="x" onerror="alert(1)">'
    )
    post = publish("Full", body=body, summary="The summary.")

    entry = feed_of(client.get("/feed.xml")).entries[0]
    # The source as written, not feedparser's own sanitizing of it.
    raw = feedparser.parse(client.get("/feed.xml").get_data(), sanitize_html=False).entries[0]

    content = raw.content[0]
    assert content.type == "text/html"
    assert "Fish &amp; chips, <strong>bold</strong>" in content.value
    assert 'href="http://localhost/posts/other"' in content.value
    assert 'href="http://localhost/posts/next-door"' in content.value
    assert 'href="https://example.org/x?a=1&amp;b=2"' in content.value
    assert 'src="http://localhost/static/pic.png"' in content.value
    assert 'src="http://localhost/posts/x"' in content.value
    assert "<script" not in content.value
    assert "onerror" not in content.value
    assert entry.link == "http://localhost/posts/full"
    assert entry.author == "Ada Writer"
    assert entry.summary == "The summary."
    assert entry.published_parsed[:6] == post.published_at.timetuple()[:6]


def test_dates_come_from_the_posts_so_the_feed_stays_the_same(client, publish, frozen_clock):
    older = publish("Older", hours_ago=5)
    publish("Newer", hours_ago=3)
    older.title = "Older, edited"
    older.updated_at = NOW - timedelta(hours=1)  # edited after the newer post came out
    db.session.commit()

    first = client.get("/feed.xml").get_data()
    frozen_clock(NOW + timedelta(hours=1))

    assert client.get("/feed.xml").get_data() == first
    parsed = feed_of(client.get("/feed.xml"))
    assert parsed.feed.updated_parsed[:6] == (NOW - timedelta(hours=1)).timetuple()[:6]
    by_title = {entry.title: entry for entry in parsed.entries}
    assert (
        by_title["Older, edited"].updated_parsed[:6] == (NOW - timedelta(hours=1)).timetuple()[:6]
    )
    assert by_title["Newer"].updated_parsed[:6] == (NOW - timedelta(hours=3)).timetuple()[:6]


def test_an_empty_feed_is_valid_and_has_a_fixed_date(client, frozen_clock):
    parsed = feed_of(client.get("/feed.xml"))
    assert parsed.entries == []
    assert parsed.feed.updated_parsed[0] == 1970


def test_the_feed_holds_the_newest_feed_entries_posts(app, client, publish, monkeypatch):
    monkeypatch.setitem(app.config, "FEED_ENTRIES", 2)
    for hours in range(1, 5):
        publish(f"Post {hours}", hours_ago=hours)

    assert titles(feed_of(client.get("/feed.xml"))) == ["Post 1", "Post 2"]


def test_a_tag_feed_lists_the_published_posts_with_the_tag(client, publish, users):
    cooking = tags.create_tag(users["editor"], "Cooking")
    hidden = tags.create_tag(users["editor"], "Hidden")
    publish("Soup", hours_ago=1).tags = [cooking]
    publish("Bread", hours_ago=2).tags = [cooking]
    publish("Untagged", hours_ago=3)
    publish("Later", hours_ago=-1).tags = [cooking, hidden]
    db.session.commit()

    parsed = feed_of(client.get("/tags/cooking/feed.xml"))

    assert titles(parsed) == ["Soup", "Bread"]
    assert parsed.feed.title == "Cooking · Flask CMS"
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links["alternate"] == "http://localhost/tags/cooking"
    assert links["self"] == "http://localhost/tags/cooking/feed.xml"
    # A tag readers cannot reach (on a scheduled post only) has no feed, nor an unknown one.
    assert client.get("/tags/hidden/feed.xml").status_code == 404
    assert client.get("/tags/nothing/feed.xml").status_code == 404


def test_an_author_feed_lists_their_published_posts(client, publish, users, post_factory):
    author, other = users["author"], users["other_author"]
    author.full_name = "Ada Writer"
    publish("Mine", hours_ago=1)
    publish("Theirs", hours_ago=2, author=other)
    post_factory(users["editor"], title="Editor's draft")
    slug = author.slug

    parsed = feed_of(client.get(f"/authors/{slug}/feed.xml"))

    assert titles(parsed) == ["Mine"]
    assert parsed.feed.title == "Ada Writer · Flask CMS"
    assert client.get(f"/authors/{users['editor'].slug}/feed.xml").status_code == 404


@pytest.mark.parametrize("count", [3, 30])
def test_feeds_cost_the_same_statements_whatever_the_number_of_posts(
    app, client, publish, users, count
):
    cooking = tags.create_tag(users["editor"], "Cooking")
    for number in range(count):
        publish(f"Post {number}", hours_ago=number + 1, body="Text [link](/x)").tags = [cooking]
    db.session.commit()

    assert len(statements_for(app, client, "/feed.xml")) == 1
    assert len(statements_for(app, client, "/tags/cooking/feed.xml")) == 2
    assert len(statements_for(app, client, f"/authors/{users['author'].slug}/feed.xml")) == 2


def test_characters_xml_cannot_hold_are_left_out(client, publish):
    publish("Tab\x0bbed", summary="Bell\x07", body="Form\x0cfeed")

    entry = feed_of(client.get("/feed.xml")).entries[0]

    assert entry.title == "Tabbed"
    assert entry.summary == "Bell"
    assert "Formfeed" in entry.content[0].value


def test_a_post_never_rendered_is_rendered_in_the_feed_all_the_same(client, publish, users):
    """A row stored without its HTML (imported around the app) still has its body in full."""
    users["author"].full_name = "Ada Writer"
    post = publish("Imported", body="Imported *in bulk*, [see](/posts/other).")
    db.session.execute(update(Post).where(Post.id == post.id).values(body_html=None, excerpt=None))
    db.session.commit()

    raw = feedparser.parse(client.get("/feed.xml").get_data(), sanitize_html=False).entries[0]

    assert "Imported <em>in bulk</em>" in raw.content[0].value
    assert 'href="http://localhost/posts/other"' in raw.content[0].value
    assert raw.author == "Ada Writer"
