"""Passwords that are easy to guess are refused (zxcvbn), at every door, with a clear error."""

from __future__ import annotations

import html
import re

import pytest

from cms.accounts import service
from tests.accounts.invites import accept, invite, link_in, mails_to
from tests.accounts.test_password_reset import reset_path
from tests.factories import PASSWORD, stored_user

COMMON = "password123!"  # long enough, but among the first guesses
COMMON_REASON = "This is similar to a commonly used password."


def errors_on_page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_test_password_is_strong_enough(app):
    """The factories' password passes the rule as it ships (score 3 of 4)."""
    assert service.check_password(PASSWORD, email="editor@example.com") == PASSWORD


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        (COMMON, COMMON_REASON),
        ("qwertyuiop", "This is a top-100 common password."),
        ("abcabcabcabc", 'Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        # zxcvbn gives no reason for this one: ours says what to do.
        ("horsebattery", "This password is too easy to guess. Try a longer one, such as a few"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    with pytest.raises(service.AccountError, match=re.escape(reason)):
        service.check_password(password)


def test_a_password_made_of_the_address_is_refused(app):
    with pytest.raises(service.AccountError):
        service.check_password("ada.lovelace1815", email="ada.lovelace1815@example.com")
    service.check_password("ada.lovelace1815", email="someone@example.com")  # fine for others


def test_generated_passwords_are_strong_enough(app):
    """`flask cms demo` and `create-admin` without a password use these."""
    for _ in range(100):
        service.check_password(service.generate_password(), email="admin@example.com")


def test_change_password_refuses_a_weak_one(app, users, can_log_in):
    client = app.test_client()
    client.login("author@example.com")

    response = client.submit(
        "/change", {"password": PASSWORD, "new_password": COMMON, "new_password_confirm": COMMON}
    )

    assert response.status_code == 200
    assert COMMON_REASON in errors_on_page(response)
    assert can_log_in("author@example.com", PASSWORD)


def test_reset_refuses_a_weak_password(client, users, outbox, can_log_in):
    client.submit("/reset", {"email": "author@example.com"})
    link = reset_path(outbox[0])

    response = client.submit(link, {"password": COMMON, "password_confirm": COMMON})

    assert response.status_code == 200
    assert COMMON_REASON in errors_on_page(response)
    assert can_log_in("author@example.com", PASSWORD)


def test_accepting_an_invitation_refuses_a_weak_password_under_its_field(
    client, app, users, outbox
):
    """Admins type no one's password: the invitee chooses it, through the same check."""
    client.login("admin@example.com")
    invite(client, "new@example.com", roles=["author"])
    link = link_in(mails_to(outbox, "new@example.com")[-1])

    response = accept(app.test_client(), link, COMMON)

    assert response.status_code == 200
    assert COMMON_REASON in errors_on_page(response)
    assert stored_user("new@example.com").password is None


def test_create_admin_refuses_a_weak_password_in_one_line(runner):
    result = runner.invoke(args=["cms", "create-admin", "boss@example.com", "--password", COMMON])

    assert result.exit_code == 1
    assert result.output == f"Error: {COMMON_REASON}\n"
    assert stored_user("boss@example.com") is None


# A password zxcvbn finds hard to guess, unless it is told it is the account's own mailbox.
MAILBOX = "zqvlbrtmxkpwhd"
OWN_ADDRESS = f"{MAILBOX}@example.com"
MADE_OF_THE_ADDRESS = "This password is too easy to guess."


@pytest.fixture
def mailbox_user(app):
    from cms.extensions import db
    from tests.factories import UserFactory

    user = UserFactory(email=OWN_ADDRESS, roles=["author"])
    db.session.commit()
    return user


def test_the_mailbox_password_is_fine_for_anyone_else(app):
    assert service.check_password(MAILBOX, email="someone@example.com") == MAILBOX


def test_change_password_refuses_the_accounts_own_mailbox(app, mailbox_user, can_log_in):
    client = app.test_client()
    client.login(OWN_ADDRESS)

    response = client.submit(
        "/change", {"password": PASSWORD, "new_password": MAILBOX, "new_password_confirm": MAILBOX}
    )

    assert response.status_code == 200
    assert MADE_OF_THE_ADDRESS in errors_on_page(response)
    assert can_log_in(OWN_ADDRESS, PASSWORD)


def test_change_password_refuses_the_accounts_own_name(app, users, can_log_in):
    from cms.extensions import db

    users["author"].full_name = "Plorvintaxemud"
    db.session.commit()
    client = app.test_client()
    client.login("author@example.com")
    name = "plorvintaxemud"

    response = client.submit(
        "/change", {"password": PASSWORD, "new_password": name, "new_password_confirm": name}
    )

    assert response.status_code == 200
    assert can_log_in("author@example.com", PASSWORD)


def test_reset_refuses_the_accounts_own_mailbox(client, mailbox_user, outbox, can_log_in):
    client.submit("/reset", {"email": OWN_ADDRESS})
    link = reset_path(outbox[0])

    response = client.submit(link, {"password": MAILBOX, "password_confirm": MAILBOX})

    assert response.status_code == 200
    assert MADE_OF_THE_ADDRESS in errors_on_page(response)
    assert can_log_in(OWN_ADDRESS, PASSWORD)


def test_accepting_an_invitation_refuses_the_invitees_own_mailbox(client, app, users, outbox):
    client.login("admin@example.com")
    invite(client, OWN_ADDRESS, roles=["author"])
    link = link_in(mails_to(outbox, OWN_ADDRESS)[-1])

    response = accept(app.test_client(), link, MAILBOX)

    assert response.status_code == 200
    assert MADE_OF_THE_ADDRESS in errors_on_page(response)
    assert stored_user(OWN_ADDRESS).password is None


def test_create_admin_refuses_the_admins_own_mailbox(runner):
    result = runner.invoke(args=["cms", "create-admin", OWN_ADDRESS, "--password", MAILBOX])

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {MADE_OF_THE_ADDRESS}")
    assert stored_user(OWN_ADDRESS) is None
