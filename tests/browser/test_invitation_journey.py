"""An admin invites an editor; the editor chooses a password from the mailed link (real SMTP),
is made to set up an authenticator app (the test computes the codes from the key on the
page), logs out, and logs in again with a code; a wrong code is refused. Nobody but the
editor ever types the editor's password."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import unique
from tests.browser.pages import (
    AUTHENTICATORS,
    accept_invitation,
    fill_login_form,
    first_log_in,
    give_code,
    invitation_link,
    invite_user,
    log_in_as,
    log_out,
)

pytestmark = pytest.mark.browser


def test_an_invited_editor_chooses_a_password_and_logs_in(
    page: Page, person, mailbox, visitor, base_url
):
    admin = person("admin")
    editor = f"{unique('editor')}@example.com"

    log_in_as(page, admin)
    invite_user(page, editor, roles=["editor"], name="Eve Editor")
    log_out(page)

    link = invitation_link(mailbox, editor)
    assert link.startswith(f"{base_url}/invitation/")  # absolute, on the configured host
    newcomer = visitor()
    newcomer.goto("/login")
    fill_login_form(newcomer, editor, "a guess")  # no password works before one is chosen
    expect(newcomer.get_by_role("heading", name="Login")).to_be_visible()
    accept_invitation(newcomer, link, "Eve's chosen passphrase")
    assert first_log_in(newcomer, editor, "Eve's chosen passphrase")  # made to enrol
    expect(newcomer.get_by_role("link", name="Posts")).to_be_visible()
    log_out(newcomer)

    newcomer.goto("/login")
    fill_login_form(newcomer, editor, "Eve's chosen passphrase")
    newcomer.wait_for_url(re.compile(r"/tf-validate"))
    give_code(newcomer, AUTHENTICATORS[editor].wrong_code())
    expect(newcomer.get_by_text("Invalid code")).to_be_visible()
    newcomer.goto("/admin/")
    expect(newcomer.get_by_role("heading", name="Login")).to_be_visible()  # not signed in
    log_in_as(newcomer, editor, "Eve's chosen passphrase")  # the password, then the right code

    newcomer.goto(link)  # the link works once
    expect(newcomer.locator(".invitation-problem")).to_contain_text("used already")
