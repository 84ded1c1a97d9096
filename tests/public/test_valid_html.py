"""Every page a reader or someone signing in can reach is valid HTML, as the Nu Html Checker
judges it (tests/html_validity.py): the site's pages and errors, and the login, reset and
two-factor screens. One run of the checker per test, for all the pages it gathered."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from flask import render_template

from cms import clock
from cms.extensions import db
from cms.posts import previews
from cms.posts.models import PostStatus
from cms.tags import service as tags
from tests.html_validity import assert_valid, problems
from tests.two_factor import enroll

# Most of what an author may write: headings, lists, code, a table, quotes, images, raw HTML
# the sanitizer keeps, typographer's quotes and dashes, a hard line break.
BODY = """# Introduction

Some *emphasis*, **strong**, `code`, ~~struck~~, a [link](https://example.com "Its title")
and "quotes" -- dashes... & <ampersands>.

## A list

1. one
2. two
   - nested
   - list

> A quote with a [link](/posts/elsewhere).

```python
print("<hello>")
```

| Name | Value |
|:-----|------:|
| a & b | 1 |

![A picture](https://example.com/a.png)

<figure><img src="https://example.com/b.png" alt="B"><figcaption>A caption</figcaption></figure>

<details><summary>More</summary>Hidden text.</details>

<p>Raw <abbr title="HyperText Markup Language">HTML</abbr>,
a <time datetime="2026-01-15">date</time>.</p>

Line one\\
line two.
"""


def test_the_public_pages_are_valid_html(app, client, users, post_factory):
    author, editor = users["author"], users["editor"]
    now = clock.utcnow()
    posts = [
        post_factory(
            author,
            title=f"Post {number}: <b>“bold” & not</b>",
            summary="A summary with <markup> & an ampersand." if number % 2 else None,
            body=BODY,
            status=PostStatus.PUBLISHED,
            published_at=now - timedelta(hours=number),
        )
        for number in range(12)
    ]
    author.full_name, author.bio = "Ada <L> & co", "A bio with <markup> & more.\nTwo lines."
    topic = tags.create_tag(editor, "A <topic> & more", description="About <this> & that.")
    for post in posts:
        post.tags = [topic]
    draft = post_factory(author, title="A draft", body=BODY)
    _, live_token = previews.create_link(draft, editor)
    withdrawn, gone_token = previews.create_link(draft, editor)
    previews.revoke(withdrawn, editor)
    db.session.commit()

    pages = {}
    home = client.get("/")
    pages["home"] = home
    older = re.search(r'<a rel="next" href="([^"]+)"', home.get_data(as_text=True)).group(1)
    pages["older posts"] = client.get(html.unescape(older))
    pages["a post"] = client.get(f"/posts/{posts[0].slug}")
    pages["a shared preview"] = client.get(f"/preview/{live_token}")
    pages["a withdrawn preview"] = client.get(f"/preview/{gone_token}")
    pages["not found"] = client.get("/posts/nothing-here")
    pages["tags"] = client.get("/tags")
    tag_page = client.get(f"/tags/{topic.slug}")
    pages["a tag"] = tag_page
    older = re.search(r'<a rel="next" href="([^"]+)"', tag_page.get_data(as_text=True)).group(1)
    pages["a tag's older posts"] = client.get(html.unescape(older))
    author_page = client.get(f"/authors/{author.slug}")
    pages["an author"] = author_page
    older = re.search(r'<a rel="next" href="([^"]+)"', author_page.get_data(as_text=True))
    pages["an author's older posts"] = client.get(html.unescape(older.group(1)))
    pages["search form"] = client.get("/search")
    pages["search results"] = client.get("/search?q=introduction")
    pages["more search results"] = client.get("/search?q=introduction&page=2")
    pages["search without words"] = client.get("/search?q=%22%3C%3E%22")
    pages["search without results"] = client.get("/search?q=zebra")

    assert [page.status_code for page in pages.values()] == [200, 200, 200, 200, 410, 404] + [
        200
    ] * 10
    assert_valid({name: page.get_data(as_text=True) for name, page in pages.items()})


def test_an_empty_site_and_the_error_pages_are_valid_html(app, client, users):
    documents = {"empty home": client.get("/").get_data(as_text=True)}
    signed_in = app.test_client()
    signed_in.login(users["norole"].email)
    forbidden = signed_in.get("/admin/")
    assert forbidden.status_code == 403
    documents["access denied"] = forbidden.get_data(as_text=True)
    with app.test_request_context("/"):
        documents["server error"] = render_template("errors/500.html")
    assert_valid(documents)


@pytest.fixture
def two_factor_user(app, users, monkeypatch):
    """An admin's address, and the authenticator app production made them set up."""
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    enrolling = app.test_client()
    assert enrolling.login(users["admin"].email).location == "/tf-setup"
    return users["admin"].email, enroll(enrolling)


def test_the_sign_in_pages_are_valid_html(app, client, two_factor_user):
    email, phone = two_factor_user
    pages = {
        "login": client.get("/login"),
        "login refused": client.login(email, "not the password"),
        "forgot password": client.get("/reset"),
    }
    for _ in range(3):  # the per-account limit on reset requests, then its answer
        client.submit("/reset", {"email": "someone@example.com"})
    pages["too many attempts"] = client.submit("/reset", {"email": "someone@example.com"})
    second = app.test_client()
    assert second.login(email).location.startswith("/tf-validate")
    pages["two-factor code"] = second.get("/tf-validate")
    pages["two-factor code refused"] = second.submit("/tf-validate", {"code": phone.wrong_code()})
    pages["recovery code"] = second.get("/mf-recovery")

    assert {name: page.status_code for name, page in pages.items()} == {
        **dict.fromkeys(pages, 200),
        "too many attempts": 429,
    }
    assert_valid({name: page.get_data(as_text=True) for name, page in pages.items()})


def test_the_checker_finds_what_a_parser_lets_through():
    """A document any HTML parser reads without complaint, but that is not valid HTML."""
    found = problems(
        {
            "invalid": '<!doctype html><html lang="en"><title>Bad</title>'
            '<p id="twice"><button><a href="/">A link in a button</a></button>'
            '<span id="twice">An id used twice</span>',
            "valid": '<!doctype html><html lang="en"><title>Good</title><p>Fine.',
        }
    )
    assert list(found) == ["invalid"]
    messages = "\n".join(found["invalid"])
    assert "must not appear as a descendant of the “button”" in messages
    assert "Duplicate ID “twice”" in messages
