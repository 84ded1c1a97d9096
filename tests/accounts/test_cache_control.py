"""Dashboard and account pages are never cached, with a header a cache can read.

Flask-Security's default sent ``Cache-Control: private=True, no-store=True``, which no
cache understands (the directives take no value).
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


def _assert_no_store(response) -> None:
    assert response.headers.getlist("Cache-Control") == ["no-store"], response.request.path


@pytest.mark.parametrize("path", ["/login", "/reset", "/reset/not-a-token", "/admin/"])
def test_account_pages_for_visitors_are_not_stored(client, path):
    _assert_no_store(client.get(path))


def test_failed_logins_are_not_stored(client):
    _assert_no_store(client.submit("/login", {"email": "x@example.com", "password": "wrong"}))
    json_login = client.post(
        "/login",
        json={"email": "x@example.com", "password": "wrong"},
        headers={"X-CSRF-Token": client.token()},
    )
    assert json_login.status_code == 400
    _assert_no_store(json_login)
    _assert_no_store(client.submit("/reset", {"email": "x@example.com"}))


def test_signed_in_pages_are_not_stored(client, users, post_factory):
    post = post_factory(users["author"], title="Cached?")
    _assert_no_store(client.login(users["admin"].email))
    for path in (
        "/change",
        "/admin/",
        "/admin/posts/",
        f"/admin/posts/edit/?id={post.id}",
        "/admin/users/",
        "/admin/audit/",
        "/admin/posts/no-such-page/",
    ):
        _assert_no_store(client.get(path))
    _assert_no_store(
        client.submit("/change", {"password": "wrong", "new_password": PASSWORD * 2,
                                  "new_password_confirm": PASSWORD * 2})
    )  # fmt: skip
    _assert_no_store(client.logout())


def test_the_refusal_page_is_not_stored(client, users):
    client.login(users["norole"].email)
    response = client.get("/admin/")
    assert response.status_code == 403
    _assert_no_store(response)
