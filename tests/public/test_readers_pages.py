"""The readers' tag and search pages: what they list (only what readers may see, through
``cms.posts.publication``), their pages and addresses, what they cost the database, and
what a reader gets for junk."""

from __future__ import annotations

import pytest

from cms.extensions import db
from cms.tags import service as tags
from tests.public.helpers import statements_for
from tests.public.test_site import page_of


@pytest.fixture
def tag(users):
    def make(name: str, description: str = ""):
        made = tags.create_tag(users["editor"], name, description=description)
        db.session.commit()
        return made

    return make


# --- Tags -------------------------------------------------------------------------------


def test_a_tag_page_lists_its_published_posts_newest_first(
    client, publish, tag, post_factory, users
):
    python, other = tag("Python", "All things snake."), tag("Other")
    publish("Old", hours_ago=48, tagged=[python])
    publish("New", hours_ago=1, tagged=[python, other])
    publish("Untagged", hours_ago=2)
    publish("Tomorrow", hours_ago=-24, tagged=[python])
    post_factory(users["author"], title="Draft").tags = [python]
    db.session.commit()

    page = page_of(client.get("/tags/python"))

    assert page.listed == ["New", "Old"]
    assert "All things snake." in page.text
    assert "Tomorrow" not in page.text
    assert "Draft" not in page.text


def test_a_drafts_tags_never_show(client, publish, tag, post_factory, users):
    secret = tag("Secret plans")
    shown = tag("Shown")
    post_factory(users["author"], title="A draft").tags = [secret, shown]
    db.session.commit()
    publish("Out", tagged=[shown])

    assert client.get("/tags/secret-plans").status_code == 404
    index = page_of(client.get("/tags"))
    assert "Secret plans" not in index.text
    assert "Shown (1 post)" in index.text


def test_the_tags_index_counts_published_posts_only(client, publish, tag, post_factory, users):
    python, rust = tag("Python"), tag("Rust")
    publish("One", tagged=[python])
    publish("Two", hours_ago=2, tagged=[python, rust])
    publish("Later", hours_ago=-5, tagged=[rust])
    post_factory(users["author"], title="Draft").tags = [rust]
    db.session.commit()

    page = page_of(client.get("/tags"))

    assert "Python (2 posts)" in page.text
    assert "Rust (1 post)" in page.text
    links = [a["href"] for a in page.all("a")]
    assert "/tags/python" in links and "/tags/rust" in links


def test_an_empty_tags_index_says_so(client, frozen_clock):
    assert "No post has tags yet." in page_of(client.get("/tags")).text


def test_the_post_page_links_its_tags(client, publish, tag):
    python = tag("Python")
    post = publish("Tagged", tagged=[python])

    page = page_of(client.get(f"/posts/{post.slug}"))

    assert {"rel": "tag", "href": "/tags/python"} in page.all("a")


def test_a_tag_page_pages_like_the_home_page(app, client, publish, tag):
    app.config["POSTS_PER_PAGE"] = 2
    python = tag("Python")
    for number in range(5):
        publish(f"Post {number}", hours_ago=number + 1, tagged=[python])
    try:
        first = page_of(client.get("/tags/python"))
        assert first.listed == ["Post 0", "Post 1"]
        assert first.link("prev") is None
        second = page_of(client.get(first.link("next")))
        assert second.listed == ["Post 2", "Post 3"]
        assert second.link("prev") == "/tags/python"
        third = page_of(client.get(second.link("next")))
        assert third.listed == ["Post 4"]
        assert third.link("next") is None
        assert page_of(client.get(third.link("prev"))).listed == ["Post 2", "Post 3"]
    finally:
        app.config["POSTS_PER_PAGE"] = 10


@pytest.mark.parametrize(
    "before", ["junk", "2026-13-01T00:00:00Z_1", "2000-01-01T00:00:00Z_1", "2099-01-01T00:00:00Z_1"]
)
def test_a_tag_page_out_of_range_is_not_found(client, publish, tag, before):
    publish("Only", tagged=[tag("Python")])
    assert client.get(f"/tags/python?before={before}").status_code == 404


def test_a_renamed_tag_keeps_its_old_address_with_a_301(client, publish, tag, users):
    js = tag("JS")
    publish("Scripted", tagged=[js])
    js.name, js.slug = "JavaScript", ""
    tags.prepare_for_save(js, users["editor"], is_new=False)
    db.session.commit()

    moved = client.get("/tags/js")

    assert moved.status_code == 301
    assert moved.location == "/tags/javascript"
    assert page_of(client.get("/tags/javascript")).listed == ["Scripted"]
    # A reader subscribed to the tag's feed keeps it too.
    moved_feed = client.get("/tags/js/feed.xml")
    assert moved_feed.status_code == 301
    assert moved_feed.location == "/tags/javascript/feed.xml"


def test_an_unknown_tag_is_not_found_and_suggests_search(client, frozen_clock):
    response = client.get("/tags/nothing")
    assert response.status_code == 404
    page = page_of(response)
    assert {"action": "/search", "method": "get"}.items() <= page.all("form")[0].items()


@pytest.mark.parametrize("count", [3, 30])
def test_tag_pages_cost_the_same_whatever_the_number_of_posts(app, client, publish, tag, count):
    python = tag("Python")
    posts = [publish(f"Post {n}", hours_ago=n + 1, tagged=[python]) for n in range(count)]
    assert len(statements_for(app, client, "/tags/python")) == 2
    assert len(statements_for(app, client, "/tags")) == 1
    deep = posts[-2]
    cursor = f"{deep.published_at:%Y-%m-%dT%H:%M:%S.%f}Z_{deep.id}"
    assert len(statements_for(app, client, f"/tags/python?before={cursor}")) <= 3
    assert len(statements_for(app, client, f"/posts/{posts[0].slug}")) <= 2


# --- Search -----------------------------------------------------------------------------


def test_search_ranks_title_matches_first_and_highlights(client, publish, post_factory, users):
    publish("Gardening notes", body="Tomatoes like the sun.", hours_ago=3)
    publish("Tomatoes", body="All about growing them.", hours_ago=5)
    publish("Unrelated", body="Nothing here.", hours_ago=1)
    post_factory(users["author"], title="Tomatoes draft", body="Secret tomatoes.")

    response = client.get("/search?q=tomatoes")
    page = page_of(response)

    assert page.listed == ["Tomatoes", "Gardening notes"]
    assert "<mark>Tomatoes</mark> like the sun" in response.get_data(as_text=True)
    assert "Secret" not in page.text


def test_search_excerpts_escape_the_posts_text(client, publish):
    publish("Markup", body="A <script>alert(1)</script> word & more \x02 stray \x03.")

    html = client.get("/search?q=word").get_data(as_text=True)

    assert "<script>alert" not in html
    assert "<mark>word</mark> &amp; more" in html
    assert "<mark>word</mark>" in html
    assert html.count("<mark>") == html.count("</mark>")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "***",
        '"',
        "' OR 1=1 --",
        "hello-world OR",
        "NEAR(a b)",
        "title:x",
        "%00",
        "x" * 5000,
        "<script>alert(1)</script>",
        "'); DROP TABLE posts; --",
        "\\",
        "^*:()",
    ],
)
def test_junk_and_injection_like_searches_get_a_page(client, publish, query):
    publish("Hello world", body="Some words.")
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)
    assert client.get("/posts/hello-world").status_code == 200  # nothing was dropped


def test_a_null_character_is_a_bad_request_not_an_error(client, frozen_clock):
    assert client.get("/search", query_string={"q": "a\x00b"}).status_code == 400


def test_an_empty_search_invites_words(client, frozen_clock):
    page = page_of(client.get("/search"))
    assert "Type a word or two" in page.text
    assert "There were no words to look for" in page_of(client.get("/search?q=!!!")).text


def test_a_search_without_matches_says_so(client, publish):
    publish("Hello")
    assert "No post matches “zebra”." in page_of(client.get("/search?q=zebra")).text


def test_search_pages_and_their_bounds(app, client, publish):
    app.config["POSTS_PER_PAGE"] = 2
    for number in range(5):
        publish(f"Apple {number}", body="apple pie", hours_ago=number + 1)
    try:
        first = page_of(client.get("/search?q=apple"))
        assert len(first.listed) == 2 and first.link("prev") is None
        second = page_of(client.get(first.link("next")))
        assert len(second.listed) == 2
        assert second.link("prev") == "/search?q=apple"
        third = page_of(client.get(second.link("next")))
        assert len(third.listed) == 1 and third.link("next") is None
        shown = first.listed + second.listed + third.listed
        assert sorted(shown) == [f"Apple {n}" for n in range(5)]
    finally:
        app.config["POSTS_PER_PAGE"] = 10
    for page in ("0", "4", "11", "x", "-1", "99999999999"):
        assert client.get(f"/search?q=apple&page={page}").status_code == 404, page


@pytest.mark.parametrize("count", [3, 30])
def test_search_costs_the_same_whatever_the_number_of_posts(app, client, publish, count):
    for number in range(count):
        publish(f"Topic {number}", body="common words", hours_ago=number + 1)
    assert len(statements_for(app, client, "/search?q=common")) <= 3
    if count > 10:
        assert len(statements_for(app, client, "/search?q=common&page=2")) <= 3
    assert statements_for(app, client, "/search") == []
