"""Logging out ends the session for good: cookies copied before logout are dead after it."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD


def signed_in_with_remember_me(app, email: str):
    client = app.test_client()
    response = client.submit("/login", {"email": email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is not None
    return client


def replay(app, cookies: dict[str, str]):
    """A fresh browser holding only ``cookies`` asks for the dashboard."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief.get("/admin/")


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response.location.startswith("/login")


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_cookie_copied_before_logout_no_longer_signs_in(app, users, cookie):
    client = signed_in_with_remember_me(app, "editor@example.com")
    copied = {cookie: client.get_cookie(cookie).value}
    assert replay(app, copied).status_code == 200  # the copy works while the session lives

    assert client.logout().status_code == 302

    assert_sent_to_login(replay(app, copied))
    assert_sent_to_login(client.get("/admin/"))


def test_logout_also_ends_the_user_s_other_sessions(app, users):
    """The price of the fix (rotating the account's session key): one logout ends every
    device's session, so a stolen cookie dies with any logout of its owner."""
    laptop = signed_in_with_remember_me(app, "editor@example.com")
    phone = signed_in_with_remember_me(app, "editor@example.com")

    laptop.logout()

    assert_sent_to_login(phone.get("/admin/"))
    assert signed_in_with_remember_me(app, "editor@example.com").get("/admin/").status_code == 200


def test_logout_is_in_the_audit_log_once(app, users):
    from cms.audit.models import AuditEntry
    from cms.extensions import db

    client = signed_in_with_remember_me(app, "editor@example.com")
    client.logout()

    db.session.expire_all()
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.actor_email == "editor@example.com")
    ).all()
    assert actions.count("auth.logout") == 1
