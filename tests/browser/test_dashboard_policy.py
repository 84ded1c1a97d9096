"""Every dashboard screen and widget works under the dashboard's Content-Security-Policy (no
inline script or handler runs): the guard fails the test on anything the policy blocks, so
each click below also proves its script was allowed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cms import clock
from tests.browser.conftest import unique
from tests.browser.pages import choose, log_in_as, scripts_ready
from tests.factories import PostFactory, UserFactory, stored_user

pytestmark = pytest.mark.browser


def add_filter(page: Page, by: str) -> None:
    scripts_ready(page)
    page.get_by_role("link", name="Add Filter").click()
    page.locator("a.filter", has_text=by).click()
    expect(page.locator(".filters tr")).to_have_count(1)


def test_every_dashboard_screen_works_without_inline_scripts(page: Page, person, arrange, guard):
    admin = person("admin")
    title = unique("Policy tour")
    PostFactory(stored_user(admin), title=title)
    PostFactory(UserFactory(roles=["author"]), title=unique("Binned"), deleted_at=clock.utcnow())

    # Flask-Security's screens before logging in.
    page.goto("/reset")
    expect(page.get_by_role("button", name="Recover Password")).to_be_visible()
    log_in_as(page, admin)

    # The navigation bar's menus.
    scripts_ready(page)
    page.locator("#account-menu").click()
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_label("Retype Password")).to_be_visible()
    scripts_ready(page)
    page.get_by_role("link", name="Accounts").click()
    page.get_by_role("link", name="Users").click()

    # A list: a filter, the search box, the current tab.
    expect(page).to_have_url(re.compile(r"/admin/users/"))
    add_filter(page, "Active")
    page.locator("input[name=search]").fill(admin)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("table.model-list tbody tr")).to_have_count(1)
    page.locator(".nav-tabs a.active").click()  # href="javascript:void(0)": not followed

    # Details, with its filter box, and the edit form's select2 box.
    page.locator("a[title='View Record']").first.click()
    scripts_ready(page)
    page.locator("#fa_filter").press_sequentially("email")
    expect(page.locator(".searchable tr:visible")).to_have_count(1)
    page.goto("/admin/users/")
    page.locator("a[title='Edit Record']").first.click()
    choose(page, "roles", "editor")
    page.goto("/admin/roles/")
    page.locator("a[title='Edit Record']").first.click()
    expect(page.get_by_label("Description")).to_be_visible()

    # The posts: page size, sorting, "With selected" with nothing selected, a declined
    # delete, a new post's author box.
    page.goto("/admin/posts/")
    scripts_ready(page)
    page.get_by_role("link", name="20 items", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="50 items", exact=True).click()
    with page.expect_navigation():
        page.get_by_role("link", name="Title", exact=True).click()
    scripts_ready(page)
    page.get_by_role("button", name="With selected").click()
    guard.expect_dialog("Please select at least one record.")
    page.locator(".dropdown-menu.show a", has_text="Move to trash").click()
    guard.expect_dialog("Are you sure you want to delete this record?", accept=False)
    page.locator("table.model-list tr", has_text=title).locator(
        "button[title='Delete Record']"
    ).click()
    expect(page.locator("table.model-list")).to_contain_text(title)
    page.goto("/admin/posts/new/")
    scripts_ready(page)
    page.locator("#s2id_author a.select2-choice").click()
    page.keyboard.press("Escape")

    # The trash: emptying it asks first; answered "Cancel", nothing goes.
    page.goto("/admin/trash/")
    scripts_ready(page)
    guard.expect_dialog("Delete every post in the trash for good?", accept=False)
    page.get_by_role("button", name="Empty trash").click()
    expect(page.locator("table.model-list tbody tr")).not_to_have_count(0)

    # The audit log: a text filter with its operation box, applied; an entry's details.
    page.goto("/admin/audit/")
    add_filter(page, "Action")
    page.locator(".filters tr input.filter-val").fill("login")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()
    page.locator("a[title='View Record']").first.click()
    expect(page.locator("table.searchable")).to_contain_text("login")
