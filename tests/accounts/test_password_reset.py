"""Forgotten passwords: the reset mail, its link, and what the link may change."""

from __future__ import annotations

import re

import pytest

from cms.extensions import security
from tests.accounts.invites import invite
from tests.browser.mailbox import free_port
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


@pytest.fixture
def slow_hashes(monkeypatch):
    """The key-stretching hashes (those with a work factor) computed, in order, by name."""
    computed: list[str] = []
    for context in (security.pwd_context, security.hashing_context):

        def counting_hash(secret, scheme=None, category=None, *, _context=context, **kwds):
            handler = _context.handler(scheme, category)
            if "rounds" in handler.setting_kwds:
                computed.append(handler.name)
            return type(_context).hash(_context, secret, scheme, category, **kwds)

        monkeypatch.setattr(context, "hash", counting_hash)
    return computed


def test_reset_does_the_same_slow_work_whether_or_not_the_account_exists(
    client, users, outbox, slow_hashes
):
    """How long the answer takes must not tell whether an account exists."""
    slow_hashes.clear()
    client.submit("/reset", {"email": "author@example.com"})
    for_known = list(slow_hashes)
    slow_hashes.clear()

    client.submit("/reset", {"email": "nobody@example.com"})

    assert len(outbox) == 1
    assert for_known == slow_hashes


@pytest.mark.parametrize("in_background", [False, True], ids=["in-request", "background"])
def test_reset_answers_the_same_while_the_mail_server_is_down(
    client, users, send_mail_to, in_background
):
    send_mail_to(free_port(), background=in_background)  # nothing listens there

    known = client.submit("/reset", {"email": "author@example.com"})
    unknown = client.submit("/reset", {"email": "nobody@example.com"})

    assert known.status_code == unknown.status_code == 200
    assert same_page(known, "author@example.com") == same_page(unknown, "nobody@example.com")


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


def test_links_in_mails_use_the_configured_scheme_behind_a_tls_proxy(
    app, client, users, outbox, monkeypatch
):
    """Behind a proxy that ends TLS the app sees plain http; the links must still be https."""
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    monkeypatch.setitem(app.config, "SERVER_NAME", "cms.example.com")

    def submit_over_http(url: str, data: dict):
        # The test client would otherwise ask in the preferred scheme.
        page = client.get(url, base_url="http://cms.example.com").get_data(as_text=True)
        data = {"csrf_token": csrf_token_in(page), **data}
        return client.post(url, data=data, base_url="http://cms.example.com")

    submit_over_http("/reset", {"email": "author@example.com"})
    submit_over_http("/login", {"email": "editor@example.com", "password": PASSWORD})
    changed = submit_over_http(
        "/change",
        {"password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD},
    )

    assert changed.status_code == 302
    reset_mail, change_notice = outbox
    assert change_notice.to == ["editor@example.com"]
    assert "https://cms.example.com/reset/" in reset_mail.body
    assert "https://cms.example.com/reset" in change_notice.body
    for mail in (reset_mail, change_notice):
        [(html, _)] = mail.alternatives
        assert "https://cms.example.com/reset" in html
        assert "http://" not in mail.body + html


def test_reset_for_an_invitee_does_the_same_slow_work_as_for_an_unknown_address(
    app, client, users, outbox, slow_hashes
):
    """An invitee gets no reset link (it would stand in for the invitation), in the time
    an unknown address takes."""
    admin = app.test_client()
    admin.login("admin@example.com")
    invite(admin, "ines@example.com", roles=["editor"])
    slow_hashes.clear()
    client.submit("/reset", {"email": "ines@example.com"})
    for_invitee = list(slow_hashes)
    slow_hashes.clear()

    client.submit("/reset", {"email": "nobody@example.com"})

    assert len(outbox) == 1  # the invitation
    assert for_invitee == slow_hashes
