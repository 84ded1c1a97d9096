"""The public site as a reader's browser sees it: the post list, post pages, errors, headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from cms.extensions import db
from cms.posts.models import PostStatus
from tests.public.helpers import NOW

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

    def scripts(self) -> list[dict[str, str]]:
        """Script elements a browser would run: JSON-LD (cms.public.meta) is data."""
        return [attrs for attrs in self.all("script") if attrs.get("type") != "application/ld+json"]

    def link(self, rel: str) -> str | None:
        hrefs = [attrs["href"] for attrs in self.all("a") if attrs.get("rel") == rel]
        return hrefs[0] if hrefs else None


def page_of(response) -> Page:
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


@pytest.fixture
def author(users):
    return users["author"]


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
# Pages are named by the post just above them (cms/public/paging.py): the addresses below
# are what a reader bookmarks.


def cursor_of(post) -> str:
    return f"{post.published_at:%Y-%m-%dT%H:%M:%S}Z_{post.id}"


def pager_links(page: Page) -> dict[str, str | None]:
    """The Newer/Older links, checked to be the same in the head and on the page."""
    links = {}
    for rel in ("prev", "next"):
        in_head = [attrs["href"] for attrs in page.all("link") if attrs.get("rel") == rel]
        assert in_head == ([page.link(rel)] if page.link(rel) else []), rel
        links[rel] = page.link(rel)
    return links


@pytest.fixture
def twelve_posts(publish):
    """Post 1 is the newest, post 12 the oldest."""
    return [publish(f"Post {number:02d}", hours_ago=number) for number in range(1, 13)]


@pytest.fixture
def many_posts(publish):
    """Posts 1 (newest) to 35 (oldest), by index: ``many_posts[0]`` is post 1."""
    return [publish(f"Post {number:02d}", hours_ago=number) for number in range(1, 36)]


def titles(first: int, last: int) -> list[str]:
    return [f"Post {number:02d}" for number in range(first, last + 1)]


def test_first_page_has_ten_posts_and_a_link_to_the_next(client, twelve_posts):
    page = page_of(client.get("/"))

    assert page.listed == titles(1, 10)
    assert pager_links(page) == {"prev": None, "next": f"/?before={cursor_of(twelve_posts[9])}"}
    assert {"class": "pagination", "aria-label": "Newer and older posts"} in page.all("nav")
    assert "Older posts →" in page.text


def test_second_page_has_the_rest_and_a_link_back(client, twelve_posts):
    response = client.get(f"/?before={cursor_of(twelve_posts[9])}")
    page = page_of(response)

    assert response.status_code == 200
    assert page.listed == titles(11, 12)
    assert pager_links(page) == {"prev": "/", "next": None}
    assert "← Newer posts" in page.text
    assert "Posts from 15 January 2026" in page.text  # the hidden heading says which posts


def test_walking_older_then_newer_lists_every_post_once_in_order(client, many_posts):
    seen, addresses, address = [], [], "/"
    while address:
        addresses.append(address)
        page = page_of(client.get(address))
        seen += page.listed
        address = pager_links(page)["next"]
    assert seen == titles(1, 35)
    assert len(addresses) == 4

    back, address = [], addresses[-1]
    while address:
        back.append(address)
        address = pager_links(page_of(client.get(address)))["prev"]
    assert back == addresses[::-1]  # Newer leads to the very pages Older came through


def test_a_bookmarked_page_keeps_its_posts_when_new_ones_are_published(
    client, many_posts, publish, frozen_clock
):
    bookmark = pager_links(page_of(client.get("/")))["next"]
    assert page_of(client.get(bookmark)).listed == titles(11, 20)

    frozen_clock(NOW + timedelta(hours=3))
    for number in range(3):
        publish(f"Newer {number}", hours_ago=-number)

    assert page_of(client.get(bookmark)).listed == titles(11, 20)
    assert page_of(client.get("/")).listed[:3] == ["Newer 2", "Newer 1", "Newer 0"]


def test_newer_from_a_page_near_the_top_is_the_first_page(client, many_posts):
    """Fewer than a page of posts above: Newer is the first page, not a short page."""
    page = page_of(client.get(f"/?before={cursor_of(many_posts[3])}"))
    assert page.listed == titles(5, 14)
    assert pager_links(page)["prev"] == "/"


def test_newer_from_a_deep_page_names_the_post_above_the_newer_page(client, many_posts):
    page = page_of(client.get(f"/?before={cursor_of(many_posts[24])}"))
    newer = pager_links(page)["prev"]

    assert page.listed == titles(26, 35)
    assert newer == f"/?before={cursor_of(many_posts[14])}"
    assert page_of(client.get(newer)).listed == titles(16, 25)


def test_posts_published_at_the_same_moment_are_each_listed_once(client, publish):
    same = [publish(f"Same {number:02d}", hours_ago=1) for number in range(15)]
    first = page_of(client.get("/"))
    second = page_of(client.get(pager_links(first)["next"]))

    # The id breaks the tie: the later post of the same moment comes first.
    assert first.listed + second.listed == [post.title for post in reversed(same)]


def test_a_page_whose_posts_were_all_taken_down_is_not_found(client, twelve_posts):
    address = f"/?before={cursor_of(twelve_posts[9])}"
    for post in twelve_posts[10:]:
        post.status = PostStatus.DRAFT
    db.session.commit()

    assert client.get(address).status_code == 404


def test_a_microsecond_publish_time_round_trips_through_the_address(client, publish):
    posts = [
        publish(f"Precise {number:02d}", published_at=NOW - timedelta(microseconds=number))
        for number in range(1, 13)
    ]
    page = page_of(client.get("/"))
    older = pager_links(page)["next"]

    assert older == f"/?before=2026-01-15T11:59:59.999990Z_{posts[9].id}"
    assert page_of(client.get(older)).listed == ["Precise 11", "Precise 12"]


def test_ten_posts_need_no_pagination(client, publish):
    for number in range(10):
        publish(f"Post {number}", hours_ago=number + 1)
    page = page_of(client.get("/"))
    assert len(page.listed) == 10
    assert page.all("nav") == [{"aria-label": "Site"}]
    assert not [attrs for attrs in page.all("link") if attrs.get("rel") in ("prev", "next")]


def test_page_one_of_the_old_numbered_pages_moves_to_the_first_page(client, twelve_posts):
    response = client.get("/?page=1")
    assert response.status_code == 301
    assert response.headers["Location"] == "/"


HOSTILE_CURSORS = [
    "",
    "abc",
    "2026-01-15T11:00:00Z",  # no id
    "2026-01-15T11:00:00Z_",
    "2026-01-15T11:00:00Z_-5",  # a negative id
    "2026-01-15T11:00:00Z_1.5",
    "2026-01-15T11:00:00+00:00_3",  # not the form the site writes
    "2026-01-15 11:00:00Z_3",
    "2026-01-15T11:00:00.5Z_3",
    "2026-13-01T00:00:00Z_3",  # month 13
    "2026-02-30T00:00:00Z_3",
    "2026-01-15T24:00:00Z_3",
    "0000-01-01T00:00:00Z_3",  # year 0
    "0001-01-01T00:00:00Z_0",  # the first moment there is: nothing before it
    "1970-01-01T00:00:00Z_1",  # before every post
    "9999-12-31T23:59:59.999999Z_1",  # after now: no page of ours starts there
    "2026-01-15T11:00:00Z_2147483648",  # past the largest id (posts.id is 32-bit)
    "2026-01-15T11:00:00Z_9223372036854775808",
    "2026-01-15T11:00:00Z_99999999999999999999",
    "2026-01-15T11:00:00Z_" + "9" * 5000,
    "٢٠٢٦-٠١-١٥T11:00:00Z_3",  # other scripts' digits
    "２０２６-01-15T11:00:00Z_3",
    "2026-01-15T11:00:00Z_3\n",
]


@pytest.mark.parametrize("cursor", HOSTILE_CURSORS)
def test_a_malformed_or_out_of_range_cursor_is_not_found(client, twelve_posts, cursor):
    response = client.get("/", query_string={"before": cursor})
    assert response.status_code == 404
    assert "Page not found" in page_of(response).text


def test_the_largest_id_is_a_cursor_like_any_other(client, twelve_posts):
    moment = twelve_posts[9].published_at
    response = client.get(f"/?before={moment:%Y-%m-%dT%H:%M:%S}Z_2147483647")
    assert response.status_code == 200
    assert page_of(response).listed == titles(10, 12)


OLD_PAGE_NUMBERS = ["2", "3", "0", "-1", "99999", "9" * 400, "abc", "", "1.5", "01"]


@pytest.mark.parametrize("number", OLD_PAGE_NUMBERS)
def test_old_page_numbers_are_not_found(client, twelve_posts, number):
    """Numbered pages named posts that have moved down since; finding them again would cost
    the OFFSET the new addresses avoid."""
    response = client.get("/", query_string={"page": number})
    assert response.status_code == 404
    assert "Page not found" in page_of(response).text


def test_per_page_cannot_be_raised_from_the_address(client, twelve_posts):
    assert len(page_of(client.get("/?per_page=100")).listed) == 10


# --- A post page ------------------------------------------------------------------------


def dashboard_links(client, path: str) -> list[dict[str, str]]:
    return [a for a in page_of(client.get(path)).all("a") if a["href"] == "/admin/"]


def test_the_dashboard_link_shows_to_signed_in_people_only(client, publish, users):
    post = publish("Post")
    pages = ("/", f"/posts/{post.slug}", "/posts/no-such-post")
    assert [dashboard_links(client, path) for path in pages] == [[], [], []]

    client.login(users["author"].email)
    assert all(len(dashboard_links(client, path)) == 1 for path in pages)

    client.logout()
    assert [dashboard_links(client, path) for path in pages] == [[], [], []]


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
    assert not page.scripts()
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
    assert not page.scripts()
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
        assert not page.scripts(), path
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
        # Not the canonical address nor the feeds' (absolute: for readers elsewhere).
        *(
            attrs["href"]
            for attrs in page.all("link")
            if attrs.get("rel") not in ("canonical", "alternate")
        ),
        *(attrs["src"] for attrs in page.scripts()),
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
