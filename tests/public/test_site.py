"""The public site as a reader's browser sees it: the post list, post pages, errors, headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from cms.posts.models import PostStatus

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PUBLISHED = PostStatus.PUBLISHED


class Page(HTMLParser):
    """A parsed page: its start tags with attributes, its text, and the titles it lists."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.listed: list[str] = []
        self._in_h2 = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))
        self._in_h2 = self._in_h2 or tag == "h2"

    def handle_endtag(self, tag):
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        self.text_parts.append(data)
        if self._in_h2 and data.strip():
            self.listed.append(data.strip())

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.tags if name == tag]

    def link(self, rel: str) -> str | None:
        hrefs = [attrs["href"] for attrs in self.all("a") if attrs.get("rel") == rel]
        return hrefs[0] if hrefs else None


def page_of(response) -> Page:
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


@pytest.fixture
def author(users):
    return users["author"]


@pytest.fixture
def publish(frozen_clock, post_factory, author):
    """Publish a post ``hours_ago`` hours before the frozen now (negative: in the future)."""

    def publish(title: str, hours_ago: float = 1, **fields):
        fields.setdefault("status", PUBLISHED)
        fields.setdefault("published_at", NOW - timedelta(hours=hours_ago))
        return post_factory(fields.pop("author", author), title=title, **fields)

    return publish


# --- The home page ----------------------------------------------------------------------


def test_home_lists_only_published_posts_newest_first(client, publish, post_factory, author):
    publish("Last week", hours_ago=24 * 7)
    publish("Yesterday", hours_ago=24)
    publish("An hour ago", hours_ago=1)
    publish("Tomorrow", hours_ago=-24)
    post_factory(author, title="A draft")
    post_factory(author, title="Taken down", published_at=NOW - timedelta(hours=2))

    page = page_of(client.get("/"))

    assert page.listed == ["An hour ago", "Yesterday", "Last week"]
    assert "Tomorrow" not in page.text
    assert "A draft" not in page.text
    assert "Taken down" not in page.text


def test_a_scheduled_post_appears_on_the_home_page_when_its_time_comes(
    client, publish, frozen_clock
):
    publish("Already out", hours_ago=1)
    publish("Scheduled", hours_ago=-2)
    assert page_of(client.get("/")).listed == ["Already out"]

    frozen_clock(NOW + timedelta(hours=2))

    assert page_of(client.get("/")).listed == ["Scheduled", "Already out"]


def test_an_empty_site_says_so(client, frozen_clock):
    page = page_of(client.get("/"))
    assert "Nothing has been published yet." in page.text
    assert page.listed == []


def test_home_links_each_post_and_shows_its_excerpt(client, publish):
    publish("With summary", summary="A short summary.", body="The long body text.")
    publish("Without summary", hours_ago=2, body="Fish & chips, **5 < 6**.")

    response = client.get("/")
    html = response.get_data(as_text=True)
    page = page_of(response)

    assert '<a href="/posts/with-summary">With summary</a>' in html
    assert '<a href="/posts/without-summary">Without summary</a>' in html
    assert "A short summary." in page.text
    assert "The long body text." not in page.text
    # Excerpts are plain text: shown as typed, escaped once in the HTML, never twice.
    assert "Fish & chips, 5 < 6." in page.text
    assert "Fish &amp; chips, 5 &lt; 6." in html
    assert "&amp;amp;" not in html
    assert "<strong>" not in html


# --- Pagination -------------------------------------------------------------------------


@pytest.fixture
def twelve_posts(publish):
    """Post 1 is the newest, post 12 the oldest."""
    return [publish(f"Post {number:02d}", hours_ago=number) for number in range(1, 13)]


def test_first_page_has_ten_posts_and_a_link_to_the_next(client, twelve_posts):
    page = page_of(client.get("/"))

    assert page.listed == [f"Post {number:02d}" for number in range(1, 11)]
    assert "Page 1 of 2" in page.text
    assert page.link("next") == "/?page=2"
    assert page.link("prev") is None


def test_second_page_has_the_rest_and_a_link_back(client, twelve_posts):
    response = client.get("/?page=2")
    page = page_of(response)

    assert response.status_code == 200
    assert page.listed == ["Post 11", "Post 12"]
    assert "Page 2 of 2" in page.text
    assert page.link("prev") == "/?page=1"
    assert page.link("next") is None
    assert page_of(client.get(page.link("prev"))).listed[0] == "Post 01"


def test_ten_posts_need_no_pagination(client, publish):
    for number in range(10):
        publish(f"Post {number}", hours_ago=number + 1)
    page = page_of(client.get("/"))
    assert len(page.listed) == 10
    assert page.all("nav") == [{"aria-label": "Site"}]


@pytest.mark.parametrize("query", ["page=3", "page=0", "page=-1", "page=99999"])
def test_pages_out_of_range_are_not_found(client, twelve_posts, query):
    response = client.get(f"/?{query}")
    assert response.status_code == 404
    assert "Page not found" in page_of(response).text


@pytest.mark.parametrize("query", ["page=abc", "page=", "page=1.5"])
def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, twelve_posts, query):
    """Documented behaviour: a malformed ``page`` is ignored, as if none were given."""
    response = client.get(f"/?{query}")
    assert response.status_code == 200
    assert page_of(response).listed == page_of(client.get("/")).listed


def test_per_page_cannot_be_raised_from_the_address(client, twelve_posts):
    assert len(page_of(client.get("/?per_page=100")).listed) == 10


# --- A post page ------------------------------------------------------------------------


def test_post_page_shows_title_date_and_rendered_body(client, publish):
    publish(
        "Markdown works",
        published_at=datetime(2026, 1, 3, 9, 30, tzinfo=UTC),
        body="Intro with *emphasis*.\n\n## A section\n\n- one\n- two\n\n[a link](https://example.com)",
    )

    response = client.get("/posts/markdown-works")
    html = response.get_data(as_text=True)
    page = page_of(response)

    assert response.status_code == 200
    assert page.all("h1") == [{}]
    assert "<h1>Markdown works</h1>" in html
    assert '<time datetime="2026-01-03T09:30:00+00:00">3 January 2026</time>' in html
    assert "<em>emphasis</em>" in html
    assert "<h3>A section</h3>" in html  # body headings sit one level below the title
    assert "<li>one</li>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">a link</a>' in html
    assert "*emphasis*" not in html
    assert "<title>Markdown works · " in html


def test_post_page_links_back_to_the_list(client, publish):
    publish("Somewhere")
    page = page_of(client.get("/posts/somewhere"))
    assert {"href": "/"} in page.all("a")
    assert "← All posts" in page.text


def test_a_scheduled_post_page_opens_when_its_time_comes(client, publish, frozen_clock):
    publish("Embargoed", hours_ago=-1)
    assert client.get("/posts/embargoed").status_code == 404

    frozen_clock(NOW + timedelta(hours=1))

    assert client.get("/posts/embargoed").status_code == 200


# --- Not found --------------------------------------------------------------------------


@pytest.fixture
def hidden_posts(publish, post_factory, author):
    post_factory(author, title="A draft")
    publish("In the future", hours_ago=-1)
    post_factory(author, title="Taken down", published_at=NOW - timedelta(days=1))


@pytest.mark.parametrize(
    "path", ["/posts/a-draft", "/posts/in-the-future", "/posts/taken-down", "/posts/no-such-post"]
)
def test_posts_readers_may_not_see_are_not_found(client, hidden_posts, path):
    response = client.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    page = page_of(response)

    assert response.status_code == 404
    assert "Page not found" in page.text
    assert page.all("h1") == [{}]
    # The site layout: its stylesheet, skip link, header and footer.
    assert {"rel": "stylesheet", "href": "/static/css/site.css"} in page.all("link")
    assert {"class": "skip-link", "href": "#main"} in page.all("a")
    assert {"id": "main", "class": "wrap", "tabindex": "-1"} in page.all("main")
    for title in ("A draft", "In the future", "Taken down"):
        assert title not in page.text


def test_a_json_client_gets_a_json_404(client, hidden_posts):
    response = client.get("/posts/a-draft", headers={"Accept": "application/json"})

    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"] == "Not Found"
    assert "A draft" not in response.get_data(as_text=True)


def test_a_client_accepting_anything_gets_html(client, frozen_clock):
    response = client.get("/posts/nothing", headers={"Accept": "*/*"})
    assert response.status_code == 404
    assert "Page not found" in page_of(response).text


# --- What a post's author cannot do to readers -----------------------------------------

PAYLOADS = (
    "Hello.\n\n"
    "<script>alert(1)</script>\n\n"
    "<img src=x onerror=alert(2)>\n\n"
    "[click](javascript:alert(3))\n\n"
    '<a href="javascript:alert(4)">raw link</a>\n\n'
    "<svg onload=alert(5)><circle r=1></svg>\n\n"
    "Goodbye."
)


def test_script_payloads_in_a_body_never_reach_the_page(client, publish):
    publish("Payloads", body=PAYLOADS)

    response = client.get("/posts/payloads")
    html = response.get_data(as_text=True)
    page = page_of(response)

    assert response.status_code == 200
    assert "Hello." in page.text
    assert "Goodbye." in page.text
    assert not page.all("script")
    assert not page.all("svg")
    for tag, attrs in page.tags:
        assert not [name for name in attrs if name.startswith("on")], tag
        for name in ("href", "src"):
            assert not attrs.get(name, "").lower().startswith("javascript:"), (tag, attrs)
    for gone in ("alert(1)", "alert(2)", "alert(4)", "alert(5)", "onerror", "onload"):
        assert gone not in html
    # Markdown will not make a javascript: link at all; the source stays visible as text.
    assert "[click](javascript:alert(3))" in page.text
    assert "raw link" in page.text


def test_script_payloads_in_a_body_never_reach_the_list(client, publish):
    publish("Payloads", body=PAYLOADS)
    page = page_of(client.get("/"))
    assert not page.all("script")
    assert not page.all("svg")
    assert not page.all("img")


def test_a_title_with_markup_is_shown_as_text_on_list_and_post(client, publish):
    title = "<script>alert('title')</script> & <b>bold</b>"
    post = publish(title, summary="<img src=x onerror=alert('summary')>")

    for path in ("/", f"/posts/{post.slug}"):
        response = client.get(path)
        html = response.get_data(as_text=True)
        page = page_of(response)
        assert response.status_code == 200, path
        assert (
            "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;"
            in html
        )
        assert title in page.text, path
        assert not page.all("script"), path
        assert not page.all("b"), path
        assert not page.all("img"), path


# --- Authors' privacy -------------------------------------------------------------------


def test_author_email_never_appears_full_name_does(client, publish, users):
    named = users["editor"]
    named.full_name = "Ada Lovelace"
    publish("By Ada", author=named)
    publish("By someone unnamed", hours_ago=2)

    pages = [client.get(path) for path in ("/", "/posts/by-ada", "/posts/by-someone-unnamed")]

    for response in pages:
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "@example.com" not in html
        assert "editor" not in html.lower()
    assert "by Ada Lovelace" in page_of(pages[0]).text
    assert "by Ada Lovelace" in page_of(pages[1]).text
    assert " by " not in page_of(pages[2]).text


# --- Headers, assets, page structure ----------------------------------------------------


@pytest.fixture
def public_responses(client, publish):
    publish("A post")
    return {
        "home": client.get("/"),
        "post": client.get("/posts/a-post"),
        "not found": client.get("/posts/missing"),
    }


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("which", ["home", "post", "not found"])
def test_public_responses_carry_security_headers(public_responses, which):
    response = public_responses[which]
    csp = response.headers["Content-Security-Policy"]
    directives = csp_directives(csp)

    assert directives["script-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in csp
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("which", ["home", "post", "not found"])
def test_every_asset_a_page_loads_is_local(client, public_responses, which):
    page = page_of(public_responses[which])
    assets = [
        *(attrs["href"] for attrs in page.all("link") if attrs.get("rel") != "canonical"),
        *(attrs["src"] for attrs in page.all("script")),
        *(attrs["src"] for attrs in page.all("img")),
    ]

    assert "/static/css/site.css" in assets
    for url in assets:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        asset.close()


def test_the_canonical_link_points_at_this_site(public_responses):
    (canonical,) = [
        attrs
        for attrs in page_of(public_responses["post"]).all("link")
        if attrs["rel"] == "canonical"
    ]
    assert canonical["href"] == "http://localhost/posts/a-post"


@pytest.mark.parametrize("which", ["home", "post", "not found"])
def test_pages_are_accessible_in_structure(public_responses, which):
    response = public_responses[which]
    page = page_of(response)

    assert page.all("html") == [{"lang": "en"}]
    skip_link = page.all("a")[0]
    assert skip_link == {"class": "skip-link", "href": "#main"}
    assert "Skip to content" in page.text
    assert [attrs.get("id") for attrs in page.all("main")] == ["main"]
    assert len(page.all("h1")) == 1


def test_a_post_whose_body_starts_with_a_heading_still_has_one_h1(client, publish):
    publish("Titled", body="# Introduction\n\nText.")
    page = page_of(client.get("/posts/titled"))
    assert len(page.all("h1")) == 1
    assert "Introduction" in page.text
