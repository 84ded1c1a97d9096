"""Logging in and out, and changing one's password, as a browser does it."""

from __future__ import annotations

import re

import pytest

from cms.accounts.models import Role
from cms.extensions import db
from tests.client import csrf_token_in, without_nonce
from tests.factories import PASSWORD, UserFactory


@pytest.fixture
def browser(app, client):
    """Open another browser, with cookies of its own."""
    return app.test_client


def same_page(response, typed_email: str) -> str:
    """The page without what differs on every request or echoes the input."""
    html = without_nonce(response.get_data(as_text=True))
    return html.replace(csrf_token_in(html), "TOKEN").replace(typed_email, "EMAIL")


def assert_logged_in(client):
    assert client.get("/admin/").status_code == 200


def assert_logged_out(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/"


def test_login_form_lands_on_the_dashboard(client, users):
    response = client.login("editor@example.com")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "editor@example.com" in dashboard.get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, users):
    wrong_password = client.login("editor@example.com", "not the password")
    unknown_email = client.login("nobody@example.com", "not the password")

    assert wrong_password.status_code == unknown_email.status_code == 200
    assert same_page(wrong_password, "editor@example.com") == same_page(
        unknown_email, "nobody@example.com"
    )
    assert "Authentication failed" in wrong_password.get_data(as_text=True)
    assert_logged_out(client)


def test_inactive_user_cannot_log_in(client, users):
    UserFactory(email="gone@example.com", roles=["editor"], active=False)

    inactive = client.login("gone@example.com")

    assert inactive.status_code == 200
    assert_logged_out(client)
    wrong_password = client.login("editor@example.com", "not the password")
    assert same_page(inactive, "gone@example.com") == same_page(
        wrong_password, "editor@example.com"
    )


def test_logout_does_not_answer_get(client, users):
    client.login("editor@example.com")

    assert client.get("/logout").status_code == 405
    assert_logged_in(client)


def test_logout_by_post_ends_the_session(client, users):
    client.login("editor@example.com")

    response = client.submit("/logout", form_url="/admin/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert_logged_out(client)


def test_anonymous_visitor_is_sent_to_login_and_back(client, users):
    response = client.get("/admin/posts/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/posts/"

    response = client.submit(
        "/login?next=/admin/posts/", {"email": "editor@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/posts/"
    assert client.get("/admin/posts/").status_code == 200


def test_login_never_sends_the_user_to_another_site(client, users):
    assert client.get("/login?next=https://evil.example/").status_code == 400
    response = client.submit(
        "/login?next=https://evil.example/",
        {"email": "editor@example.com", "password": PASSWORD},
        form_url="/login",
    )

    assert response.status_code == 400
    assert not response.headers.get("Location", "").startswith(("https://evil", "//evil"))


def test_user_deactivated_by_an_admin_is_logged_out_on_the_next_request(browser, users):
    author, admin = browser(), browser()
    author.login("author@example.com")
    assert_logged_in(author)
    admin.login("admin@example.com")
    author_role = db.session.scalar(db.select(Role.id).where(Role.name == "author"))

    saved = admin.submit(
        f"/admin/users/edit/?id={users['author'].id}",
        {"email": "author@example.com", "roles": [str(author_role)]},  # "active" unchecked
    )

    assert saved.status_code == 302
    assert_logged_out(author)


def test_change_password(browser, users):
    client = browser()
    client.login("author@example.com")

    response = client.submit(
        "/change",
        {
            "password": PASSWORD,
            "new_password": "a brand new secret",
            "new_password_confirm": "a brand new secret",
        },
    )

    assert response.status_code == 302
    assert browser().login("author@example.com", PASSWORD).status_code == 200  # refused
    accepted = browser().login("author@example.com", "a brand new secret")
    assert accepted.status_code == 302
    assert accepted.headers["Location"] == "/admin/"


def test_change_password_needs_the_current_one(browser, users):
    client = browser()
    client.login("author@example.com")

    response = client.submit(
        "/change",
        {
            "password": "not the password",
            "new_password": "a brand new secret",
            "new_password_confirm": "a brand new secret",
        },
    )

    assert response.status_code == 200
    assert browser().login("author@example.com", "a brand new secret").status_code == 200
    assert browser().login("author@example.com", PASSWORD).status_code == 302


def test_login_page_is_in_the_dashboard_layout(client, app):
    html = client.get("/login").get_data(as_text=True)

    assert re.search(rf'class="navbar-brand"[^>]*>\s*{app.config["SITE_NAME"]}\s*<', html)
    assert 'class="form-control"' in html
    assert "bootstrap.min.css" in html
    assert '<a href="/reset">Forgot your password?</a>' in html
