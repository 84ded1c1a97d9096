"""An admin resets the two-factor sign-in of a user who lost their phone, in the dashboard
or with ``flask cms reset-two-factor``."""

from __future__ import annotations

import re

import pytest

from cms.audit.models import AuditEntry
from cms.extensions import db
from tests.client import flashed
from tests.factories import UserFactory, stored_user
from tests.two_factor import add_security_key, enroll


@pytest.fixture
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)


@pytest.fixture
def phone_lost(app, users):
    """The editor set up two-factor, then lost the phone; still signed in on it."""
    on_the_phone = app.test_client()
    on_the_phone.login(users["editor"].email)
    enroll(on_the_phone)
    return on_the_phone


def resets() -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "user.two_factor_reset")
    ).all()


@pytest.mark.usefixtures("required")
def test_admin_resets_a_users_two_factor_in_the_dashboard(client, users, phone_lost):
    editor = users["editor"]
    client.login(users["admin"].email)
    enroll(client)
    details = client.get(f"/admin/users/details/?id={editor.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in details

    response = client.submit(
        "/admin/users/reset-two-factor/",
        {"id": str(editor.id)},
        form_url=f"/admin/users/details/?id={editor.id}",
    )
    assert response.location == f"/admin/users/details/?id={editor.id}"
    assert "was reset" in " ".join(flashed(client.get(response.location)))

    user = stored_user(editor.email)
    assert user.tf_primary_method is None
    assert user.tf_totp_secret is None
    # The session on the lost phone ends with its second factor.
    assert phone_lost.get("/admin/").location.startswith("/login")
    # At the next login they set it up again.
    assert client.application.test_client().login(editor.email).location == "/tf-setup"

    (entry,) = resets()
    assert entry.actor_email == users["admin"].email
    assert entry.target_label == editor.email
    assert entry.source == "admin"


@pytest.mark.usefixtures("required")
def test_the_reset_removes_the_users_security_keys_too(client, users, phone_lost):
    editor = stored_user(users["editor"].email)
    add_security_key(editor, "blue key")
    db.session.commit()
    client.login(users["admin"].email)
    enroll(client)

    client.submit(
        "/admin/users/reset-two-factor/",
        {"id": str(editor.id)},
        form_url=f"/admin/users/details/?id={editor.id}",
    )
    assert stored_user(editor.email).webauthn == []
    # Neither the app nor the key: at the next login they set up two-factor again.
    assert client.application.test_client().login(editor.email).location == "/tf-setup"
    (entry,) = resets()
    assert entry.changes_dict["security_keys_removed"] == ["blue key"]


def test_a_user_with_only_a_security_key_can_be_reset(client, users):
    author = users["author"]
    add_security_key(author, "blue key")
    db.session.commit()
    client.login(users["admin"].email)
    details = client.get(f"/admin/users/details/?id={author.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" in details
    page = client.get("/admin/users/").get_data(as_text=True)
    assert two_factor_column(page, author.email) == "On"

    response = client.post_with_token("/admin/users/reset-two-factor/", {"id": str(author.id)})
    assert "was reset" in " ".join(flashed(client.get(response.location)))
    assert stored_user(author.email).webauthn == []
    # The password alone logs them in again: no key is asked for.
    assert client.application.test_client().login(author.email).location == "/admin/"


def two_factor_column(page: str, email: str) -> str:
    row = page.split(email, 1)[1].split("</tr>", 1)[0]
    return re.search(r'<td class="col-two_factor">\s*(.*?)\s*</td>', row, re.DOTALL).group(1)


def test_the_user_list_shows_who_has_two_factor(app, client, users, phone_lost, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)
    UserFactory(roles=["editor"], email="new-editor@example.com")
    client.login(users["admin"].email)
    enroll(client)
    page = client.get("/admin/users/").get_data(as_text=True)
    assert two_factor_column(page, users["editor"].email) == "On"
    assert two_factor_column(page, users["author"].email) == "Off"
    assert two_factor_column(page, "new-editor@example.com") == "Required, not set up"


def test_resetting_a_user_without_two_factor_says_so_and_changes_nothing(client, users):
    author = users["author"]
    client.login(users["admin"].email)
    details = client.get(f"/admin/users/details/?id={author.id}").get_data(as_text=True)
    assert "Reset two-factor sign-in" not in details
    response = client.post_with_token("/admin/users/reset-two-factor/", {"id": str(author.id)})
    assert "has no two-factor sign-in to reset" in " ".join(flashed(client.get(response.location)))
    assert resets() == []


def test_cli_resets_a_users_two_factor(runner, users, phone_lost):
    email = users["editor"].email
    db.session.expire_all()  # the command shares this test's session; a real one starts fresh
    result = runner.invoke(args=["cms", "reset-two-factor", email.upper()])
    assert result.exit_code == 0, result.output
    assert f"Reset two-factor sign-in of {email}" in result.output
    assert stored_user(email).tf_primary_method is None
    assert phone_lost.get("/admin/").location.startswith("/login")
    (entry,) = resets()
    assert entry.actor_email is None
    assert entry.source == "cli"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.com", "No user has the address nobody@example.com."),
        ("author@example.com", "author@example.com has no two-factor sign-in to reset."),
    ],
)
def test_cli_refuses_with_one_line(runner, users, email, message):
    result = runner.invoke(args=["cms", "reset-two-factor", email])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {message}"]
    assert resets() == []
