"""Security keys (WebAuthn) as a second factor: instead of the authenticator app's code
after the password, never instead of the password. Registering one needs a real
authenticator: that is the browser journey's (tests/browser/test_security_key_journey.py)."""

from __future__ import annotations

import re

import pytest

from cms.audit.models import AuditEntry
from cms.extensions import db
from tests.client import flashed
from tests.factories import stored_user
from tests.test_headers import InlineCode, script_nonce
from tests.two_factor import add_security_key, enroll


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)


def with_key(user, name: str = "blue key"):
    add_security_key(user, name)
    db.session.commit()
    return user


def test_a_key_is_never_a_first_factor(client, users):
    with_key(users["author"])
    # No sign-in with a key alone, and no re-authentication with one instead of the password.
    assert client.get("/wan-signin").status_code == 404
    client.login(users["author"].email)
    assert client.get("/wan-verify").status_code == 404


def test_after_the_password_a_user_with_a_key_is_asked_for_it(client, users):
    with_key(users["author"])
    response = client.login(users["author"].email)
    assert response.location.startswith("/wan-signin")
    assert client.get("/admin/").location.startswith("/login")  # the password is not enough
    page = client.get("/wan-signin").get_data(as_text=True)
    assert "Use my security key" in page
    assert "Use a recovery code" in page


def test_with_an_app_and_a_key_the_user_chooses(client, users):
    email = users["author"].email
    client.login(email)
    enroll(client)
    with_key(stored_user(email))
    client.logout()

    assert client.login(email).location.startswith("/tf-select")
    page = client.get("/tf-select").get_data(as_text=True)
    assert "A code from my authenticator app" in page and "My security key" in page
    response = client.submit("/tf-select", {"which": "webauthn"})
    assert response.location.startswith("/wan-signin")


@pytest.mark.usefixtures("required")
def test_a_key_fulfils_a_role_that_requires_two_factor(app, client, users):
    editor = with_key(users["editor"])
    # Asked for the key, not sent to set up an authenticator app.
    assert client.login(editor.email).location.startswith("/wan-signin")
    # A session from before the requirement is not sent to set it up either.
    app.config["TWO_FACTOR_REQUIRED"] = False
    other = app.test_client()
    assert other.login(users["admin"].email).location == "/admin/"
    with_key(users["admin"])
    app.config["TWO_FACTOR_REQUIRED"] = True
    assert other.get("/admin/posts/").status_code == 200


def test_starting_a_registration_runs_only_the_pages_scripts_with_its_nonce(client, users):
    client.login(users["author"].email)
    page = client.get("/wan-register")
    assert page.headers["Cache-Control"] == "no-store"
    assert "You have no security key yet" in page.get_data(as_text=True)

    response = client.submit("/wan-register", {"name": "blue key"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert "handleRegister(" in text
    assert re.search(r'<script nonce="[^"]+" src="/fs-static/js/webauthn.js', text)
    inline = InlineCode(text)
    inline.close()
    assert set(inline.script_nonces) == {script_nonce(response)}
    assert inline.refused == []
    assert client.get("/fs-static/js/webauthn.js").status_code == 200


def test_the_page_lists_and_deletes_ones_own_keys(client, users):
    author = users["author"]
    client.login(author.email)  # before the keys, which the login would ask for
    with_key(author, "blue key")
    with_key(author, "red key")
    page = client.get("/wan-register").get_data(as_text=True)
    assert "blue key" in page and "red key" in page
    assert "2 security keys" in client.get("/tf-setup").get_data(as_text=True)

    response = client.submit("/wan-delete", {"name": "blue key"}, form_url="/wan-register")
    assert response.location == "/wan-register"
    assert any("blue key" in message for message in flashed(client.get(response.location)))
    assert [key.name for key in stored_user(author.email).webauthn] == ["red key"]
    db.session.expire_all()
    (entry,) = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "auth.security_key_deleted")
    ).all()
    assert entry.actor_email == author.email
    assert entry.changes_dict == {"name": "blue key"}


def test_a_bad_key_name_gets_a_field_error(client, users):
    client.login(users["author"].email)
    response = client.submit("/wan-register", {"name": ""})
    assert response.status_code == 200
    assert "invalid-feedback" in response.get_data(as_text=True)
