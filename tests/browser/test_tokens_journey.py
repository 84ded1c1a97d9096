"""An author makes an API token from the account menu, copies it from the one page that
shows it, and revokes it after confirming. The page passes axe-core on a desktop and a
phone screen: empty, with field errors, with the new secret, and with a list."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import SCREENS, assert_accessible, assert_fits_the_screen
from tests.browser.pages import log_in_as, scripts_ready

pytestmark = pytest.mark.browser


def check(page: Page) -> None:
    assert_accessible(page)
    assert_fits_the_screen(page)


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_an_author_makes_and_revokes_a_token(browser, base_url, guard, person, screen):
    email = person("author")
    page: Page = guard.watch(browser.new_context(base_url=base_url, **SCREENS[screen])).new_page()
    log_in_as(page, email)
    scripts_ready(page)
    if screen == "phone":
        page.get_by_role("button", name="Menu").click()
        expect(page.locator("#admin-navbar-collapse")).to_have_class(re.compile(r"\bshow\b"))
    account_menu = page.locator("#account-menu")
    account_menu.click()
    expect(account_menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    check(page)

    page.get_by_label("Expires after (days)").fill("0")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Expires after (days)")).to_have_attribute("aria-invalid", "true")
    check(page)

    page.get_by_label("Name").fill("Deploy script")
    page.get_by_label("Expires after (days)").fill("30")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("Copy it now: it will not be shown again.")).to_be_visible()
    secret = page.get_by_label("The token").input_value()
    assert re.fullmatch(r"cms_[\w-]{43}", secret)
    check(page)

    page.reload()  # a GET: the secret is gone for good
    expect(page.get_by_text("Copy it now")).to_have_count(0)
    assert secret not in page.content()
    row = page.get_by_role("row").filter(has_text="Deploy script")
    expect(row).to_contain_text(secret[:12])
    expect(row).to_contain_text("Active")
    check(page)

    guard.expect_dialog("Revoke the token “Deploy script”?", accept=False)
    row.get_by_role("button", name="Revoke Deploy script").click()
    expect(row).to_contain_text("Active")  # said no: nothing happened
    guard.expect_dialog("Revoke the token “Deploy script”?")
    row.get_by_role("button", name="Revoke Deploy script").click()
    expect(page.get_by_text("is revoked: programs using it are refused")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Deploy script")).to_contain_text("Revoked")
    check(page)
