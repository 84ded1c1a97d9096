"""Two-factor sign-in in a real Chromium against the server in production settings, where
editors must use it: set up after the password, then a code at every login."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import (
    AUTHENTICATORS,
    fill_login_form,
    give_code,
    log_in_as,
    log_out,
    scripts_ready,
    start_authenticator_setup,
)

pytestmark = pytest.mark.browser


def test_an_editor_must_set_up_two_factor_then_logs_in_with_a_code(page: Page, person):
    editor = person("editor")

    page.goto("/login")
    fill_login_form(page, editor, "correct horse battery")
    page.wait_for_url(re.compile(r"/tf-setup$"))
    expect(page.get_by_text("Your role requires two-factor sign-in")).to_be_visible()
    expect(page.get_by_role("button", name="Turn off two-factor sign-in")).to_have_count(0)

    phone = start_authenticator_setup(page, editor)
    expect(page.locator("#qrcode")).to_be_visible()
    give_code(page, phone.code())
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    log_out(page)

    page.goto("/login")
    fill_login_form(page, editor, "correct horse battery")
    page.wait_for_url(re.compile(r"/tf-validate"))
    give_code(page, phone.wrong_code())
    expect(page.get_by_text("Invalid code")).to_be_visible()
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Login")).to_be_visible()  # not signed in

    log_in_as(page, editor)  # the password, then the right code
    assert AUTHENTICATORS[editor] is phone


def test_an_author_turns_two_factor_on_from_the_account_menu(page: Page, person):
    author = person("author")
    log_in_as(page, author)  # not required: the password is enough

    scripts_ready(page)
    page.locator("#account-menu").click()
    page.get_by_role("link", name="Two-factor sign-in").click()
    expect(page.get_by_text("Two-factor sign-in is off")).to_be_visible()
    phone = start_authenticator_setup(page, author)
    give_code(page, phone.code())
    expect(page.get_by_text("Two-factor sign-in is on")).to_be_visible()

    page.get_by_role("link", name="Recovery codes").click()
    page.get_by_role("button", name="Generate new recovery codes").click()
    expect(page.locator("#recovery-codes li")).to_have_count(5)
    codes = page.locator("#recovery-codes li").all_inner_texts()
    log_out(page)

    page.goto("/login")
    fill_login_form(page, author, "correct horse battery")
    page.get_by_role("link", name="Use a recovery code").click()
    page.get_by_label("Recovery Code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
