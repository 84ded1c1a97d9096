"""Size limits: a body over POST_BODY_MAX_CHARS gets a field error and keeps the text,
whatever writes it; a request over MAX_CONTENT_LENGTH gets a clear 413."""

from __future__ import annotations

import html
import re

import pytest
from werkzeug.test import encode_multipart

from cms.extensions import db
from cms.posts import service
from cms.posts.models import Post, PostRevision
from tests.client import csrf_token_in, hidden_fields_in

LIMIT = 200_000  # the default POST_BODY_MAX_CHARS


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(model.id)))


def _form(users, body: str) -> dict:
    return {"title": "Long read", "slug": "", "summary": "", "body": body,
            "author": str(users["editor"].id)}  # fmt: skip


def _submit_multipart(client, url: str, data: dict):
    """Submit the form as browsers send Flask-Admin's forms (multipart/form-data), encoded
    in memory: the test client's own encoder spools big bodies to a file it never closes."""
    page = client.get(url).get_data(as_text=True)
    payload = {**hidden_fields_in(page), "csrf_token": csrf_token_in(page), **data}
    boundary, encoded = encode_multipart(payload)
    return client.post(url, data=encoded, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("length", [LIMIT + 1, 600_000, 5_000_000])
def test_an_over_long_body_gets_a_field_error_and_keeps_the_text(client, users, length):
    client.login(users["editor"].email)
    body = "Words " * (length // 6) + "w" * (length % 6)
    response = _submit_multipart(client, "/admin/posts/new/", _form(users, body))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"The text is {length:,} characters long; a post holds at most {LIMIT:,}." in (
        html.unescape(page)
    )
    assert re.search(r'<textarea class="[^"]*\bis-invalid\b[^"]*" id="body"', page)
    assert body.rstrip() in html.unescape(page)  # the author's text is still in the form
    assert _count(Post) == 0
    assert _count(PostRevision) == 0


def test_a_body_at_the_limit_is_saved(client, users):
    client.login(users["editor"].email)
    body = "x" * LIMIT
    response = client.submit("/admin/posts/new/", _form(users, body))
    assert response.status_code == 302
    assert db.session.scalar(db.select(Post.body)) == body


def test_editing_a_post_past_the_limit_keeps_the_stored_text(client, users, post_factory):
    post = post_factory(users["author"], title="Short", body="Short.")
    client.login(users["editor"].email)
    form = {**_form(users, "y" * (LIMIT + 10)), "author": str(post.author_id)}
    response = client.submit(f"/admin/posts/edit/?id={post.id}", form)
    assert response.status_code == 200
    assert "a post holds at most" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, post.id).body == "Short."


def test_every_writer_meets_the_limit_in_the_service(users):
    with pytest.raises(service.PostTooLong, match="a post holds at most 200,000"):
        service.create_post(users["editor"], title="From the CLI", body="z" * (LIMIT + 1))
    assert _count(Post) == 0


@pytest.fixture
def small_requests(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 256 * 1024)


def test_a_request_over_the_limit_gets_a_clear_page(client, users, small_requests):
    client.login(users["editor"].email)
    response = client.submit("/admin/posts/new/", _form(users, "x" * 300_000))
    assert response.status_code == 413
    page = html.unescape(response.get_data(as_text=True))
    assert "larger than the 0.25 MB the site accepts, so nothing was saved" in page
    assert "<html" in page.lower()
    assert _count(Post) == 0


def test_a_json_request_over_the_limit_gets_json(client, users, small_requests):
    client.login(users["editor"].email)
    response = client.post(
        "/admin/posts/new/",
        json={"body": "x" * 300_000},
        headers={"X-CSRF-Token": client.token(), "Accept": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "Request Entity Too Large"
    assert "nothing was saved" in response.get_json()["message"]
