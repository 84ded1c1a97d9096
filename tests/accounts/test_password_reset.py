"""Forgotten passwords: the reset mail, its link, and what the link may change."""

from __future__ import annotations

import re

from tests.client import csrf_token_in, flashed, without_nonce
from tests.factories import PASSWORD

NEW_PASSWORD = "a brand new secret"


def reset_path(mail) -> str:
    match = re.search(r"https?://[^/\s]+(/reset/[^\s\"<]+)", mail.body)
    assert match, f"no reset link in: {mail.body}"
    return match.group(1)


def same_page(response, typed_email: str) -> str:
    text = without_nonce(response.get_data(as_text=True))
    return text.replace(csrf_token_in(text), "TOKEN").replace(typed_email, "EMAIL")


def test_reset_request_for_a_known_address_mails_a_link(client, users, outbox):
    response = client.submit("/reset", {"email": "author@example.com"})

    assert response.status_code == 200
    assert len(outbox) == 1
    assert outbox[0].to == ["author@example.com"]
    assert re.fullmatch(r"/reset/[\w.-]+", reset_path(outbox[0]))


def test_reset_request_for_an_unknown_address_looks_the_same_and_sends_nothing(
    client, users, outbox
):
    known = client.submit("/reset", {"email": "author@example.com"})
    mails_for_known = len(outbox)

    unknown = client.submit("/reset", {"email": "nobody@example.com"})

    assert mails_for_known == 1
    assert len(outbox) == 1
    assert unknown.status_code == known.status_code == 200
    assert same_page(unknown, "nobody@example.com") == same_page(known, "author@example.com")


def test_reset_link_sets_a_new_password(client, users, outbox, can_log_in):
    client.submit("/reset", {"email": "author@example.com"})
    link = reset_path(outbox[0])
    form = client.get(link).get_data(as_text=True)
    assert 'name="password"' in form
    assert 'name="password_confirm"' in form

    response = client.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert not can_log_in("author@example.com", PASSWORD)
    assert can_log_in("author@example.com", NEW_PASSWORD)


def test_reset_link_works_only_once(client, users, outbox, can_log_in):
    client.submit("/reset", {"email": "author@example.com"})
    link = reset_path(outbox[0])
    client.submit(link, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    again = client.post_with_token(
        link, {"password": "yet another secret", "password_confirm": "yet another secret"}
    )

    assert again.status_code == 302
    assert again.headers["Location"] == "/reset"
    assert not can_log_in("author@example.com", "yet another secret")
    assert can_log_in("author@example.com", NEW_PASSWORD)


def test_reset_with_mismatched_passwords_changes_nothing(client, users, outbox, can_log_in):
    client.submit("/reset", {"email": "author@example.com"})
    link = reset_path(outbox[0])

    response = client.submit(link, {"password": NEW_PASSWORD, "password_confirm": "different"})

    assert response.status_code == 200
    assert "Passwords do not match" in response.get_data(as_text=True)
    assert can_log_in("author@example.com", PASSWORD)


def test_garbage_token_is_rejected_and_changes_nothing(client, users, can_log_in):
    assert client.get("/reset/not-a-token").headers["Location"] == "/reset"

    response = client.post_with_token(
        "/reset/not-a-token", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/reset"
    assert "Invalid reset password token." in flashed(client.get("/reset"))
    assert can_log_in("author@example.com", PASSWORD)
    assert not can_log_in("author@example.com", NEW_PASSWORD)


def test_the_reset_link_uses_the_configured_host_not_the_requests(
    app, client, users, outbox, monkeypatch
):
    """A forged Host header must not turn the mailed link into one to the attacker's site."""
    monkeypatch.setitem(app.config, "SERVER_NAME", "cms.example.com")
    forged = {"Host": "evil.example"}
    token = csrf_token_in(client.get("/reset", headers=forged).get_data(as_text=True))
    client.post(
        "/reset", data={"email": users["author"].email, "csrf_token": token}, headers=forged
    )
    [mail] = outbox
    assert "http://cms.example.com/reset/" in mail.body
    assert "evil.example" not in mail.body
