"""A security key in a real Chromium, with its virtual authenticator (CDP), against the
server in production settings: registered from the two-factor page, then touched after the
password at the next login. On http://localhost: WebAuthn makes no credential for an IP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cms.audit.models import AuditEntry
from tests.browser.pages import fill_login_form, log_in_as, log_out, scripts_ready

pytestmark = pytest.mark.browser


@pytest.fixture
def page_with_key(browser, localhost_server, guard) -> Page:
    """A browser on http://localhost with a security key plugged in that answers at once."""
    context = guard.watch(browser.new_context(base_url=localhost_server.url))
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return page


def test_an_author_registers_a_security_key_and_logs_in_with_it(page_with_key, person, arrange):
    page = page_with_key
    author = person("author")
    log_in_as(page, author)  # an author may use two-factor but need not

    scripts_ready(page)
    page.locator("#account-menu").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    page.get_by_role("link", name="Security keys").click()
    expect(page.get_by_text("You have no security key yet")).to_be_visible()
    page.get_by_label("Nickname").fill("blue key")
    page.get_by_role("button", name="Register a security key").click()
    # The page's script asks the key, then sends its answer: the key is listed.
    expect(page.locator("#security-keys")).to_contain_text("blue key")
    page.get_by_role("link", name="Back to two-factor sign-in").click()
    expect(page.locator("#security-keys-summary")).to_contain_text("1 security key")
    log_out(page)

    page.goto("/login")
    fill_login_form(page, author, "correct horse battery")
    page.wait_for_url(re.compile(r"/wan-signin"))
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Login")).to_be_visible()  # the password alone: no

    fill_login_form(page, author, "correct horse battery")
    page.wait_for_url(re.compile(r"/wan-signin"))
    page.get_by_role("button", name="Use my security key").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    entries = arrange.scalars(
        select(AuditEntry).where(AuditEntry.actor_email == author).order_by(AuditEntry.id)
    ).all()
    actions = [(entry.action, entry.changes_dict) for entry in entries]
    assert ("auth.security_key_registered", {"name": "blue key"}) in actions
    logins = [changes for action, changes in actions if action == "auth.login"]
    assert logins[-1]["second_factor"] == "security key"
