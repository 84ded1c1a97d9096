"""An author changes their public profile from the account menu, is told under the field
when the address is taken, and readers follow the old address to the new one. The page
passes axe-core on a desktop and a phone screen, with and without field errors."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cms.posts.models import PostStatus
from tests.browser.accessibility import SCREENS, assert_accessible, assert_fits_the_screen
from tests.browser.conftest import unique
from tests.browser.pages import log_in_as, scripts_ready
from tests.factories import PostFactory, UserFactory, stored_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_an_author_changes_their_profile(browser, base_url, guard, person, arrange, screen):
    email = person("author")
    author = stored_user(email)
    PostFactory(author, title=unique("Signed"), status=PostStatus.PUBLISHED)
    taken = UserFactory(roles=["author"], full_name=unique("Someone Else")).slug
    old_address = author.slug
    new_address = unique("ada")
    arrange.commit()

    page: Page = guard.watch(browser.new_context(base_url=base_url, **SCREENS[screen])).new_page()
    log_in_as(page, email)
    scripts_ready(page)
    if screen == "phone":
        page.get_by_role("button", name="Menu").click()
        # Bootstrap adds "show" once the menu has finished sliding open; a click on the
        # account menu while it slides can miss (seen under load).
        expect(page.locator("#admin-navbar-collapse")).to_have_class(re.compile(r"\bshow\b"))
    account_menu = page.locator("#account-menu")
    account_menu.click()
    expect(account_menu).to_have_attribute("aria-expanded", "true")
    page.get_by_role("link", name="Your profile").click()
    expect(page.get_by_role("heading", name="Your profile")).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.get_by_label("Public name").fill("Ada Lovelace")
    page.get_by_label("Author page address").fill(taken)
    page.get_by_label("Bio").fill("Writes about engines.")
    page.get_by_role("button", name="Save profile").click()
    address = page.get_by_label("Author page address")
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text(f"The address /authors/{taken} is another author's.")).to_be_visible()
    assert_accessible(page)
    assert_fits_the_screen(page)

    address.fill(new_address)
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
    expect(page.get_by_role("link", name=f"/authors/{new_address}")).to_be_visible()
    assert_accessible(page)

    page.goto(f"/authors/{old_address}")
    expect(page).to_have_url(re.compile(f"/authors/{new_address}$"))
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_text("Writes about engines.")).to_be_visible()
