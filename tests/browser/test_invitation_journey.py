"""An admin invites an editor; the editor chooses a password from the mailed link (real SMTP)
and logs in. Nobody but the editor ever types the editor's password."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import unique
from tests.browser.pages import (
    accept_invitation,
    fill_login_form,
    first_log_in,
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
    first_log_in(newcomer, editor, "Eve's chosen passphrase")
    expect(newcomer.get_by_role("link", name="Posts")).to_be_visible()

    newcomer.goto(link)  # the link works once
    expect(newcomer.locator(".invitation-problem")).to_contain_text("used already")
