"""The CMS used in the ways its authors might forget: on a phone, by keyboard alone, and with
JavaScript switched off."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cms import clock
from cms.posts.models import PostStatus
from tests.browser.accessibility import (
    DESKTOP,
    PHONE,
    assert_fits_the_screen,
    assert_focus_visible,
)
from tests.browser.conftest import unique
from tests.browser.pages import fill_login_form, log_in_as, search_posts
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def open_browser(browser, base_url, guard):
    """A fresh browser with the given context options, watched by the guard."""

    def open_with(**options) -> Page:
        return guard.watch(browser.new_context(base_url=base_url, **options)).new_page()

    return open_with


def test_an_editor_works_through_the_posts_list_on_a_phone(open_browser, person, arrange, guard):
    editor = person("editor")
    author = UserFactory(roles=["author"])
    word = unique("phone")
    titles = [f"{word} draft {number}" for number in (1, 2)]
    for title in titles:
        PostFactory(author, title=title)
    arrange.commit()

    page = open_browser(**PHONE)
    log_in_as(page, editor)
    page.goto("/admin/posts/")
    search_posts(page, word)
    expect(page.locator("table.model-list tbody tr")).to_have_count(2)
    assert_fits_the_screen(page)
    # Nothing scrolls sideways inside the list either: each row is a card on the screen.
    list_box = page.locator(".table-responsive")
    assert list_box.evaluate("box => box.scrollWidth - box.clientWidth") == 0
    width = PHONE["viewport"]["width"]
    for row in page.locator("table.model-list tbody tr").all():
        for button in row.locator(".list-buttons-column a, .list-buttons-column button").all():
            box = button.bounding_box()
            assert box and 0 <= box["x"] and box["x"] + box["width"] <= width, box
    expect(page.locator("td.col-author").first).to_contain_text(author.email)

    # A row is ticked by its name, and published with the bulk menu.
    page.get_by_role("checkbox", name=f"Select record: {titles[0]}").check()
    page.get_by_role("button", name="With selected").tap()
    guard.expect_dialog("Publish the selected posts now?")
    with page.expect_navigation():
        page.locator(".dropdown-menu.show a", has_text="Publish now").tap()
    expect(page.locator(".alert-success")).to_contain_text("published")
    published = page.locator("table.model-list tbody tr", has_text=titles[0])
    expect(published.locator("[data-state]")).to_have_text("Published")

    # A row's edit button opens its post.
    page.locator("table.model-list tbody tr", has_text=titles[1]).locator(
        "a[title='Edit Record']"
    ).tap()
    expect(page.get_by_label("Title")).to_have_value(titles[1])
    assert_fits_the_screen(page)


def test_readers_and_authors_need_no_javascript(open_browser, person, arrange):
    author = UserFactory(roles=["author"])
    title = unique("Without scripts")
    now = clock.utcnow()
    for number in range(11):  # more than a page
        PostFactory(
            author,
            title=f"{title} {number}",
            body="# A heading\n\nWords to read.",
            status=PostStatus.PUBLISHED,
            published_at=now - timedelta(seconds=number),
        )
    arrange.commit()
    writer = person("author")

    page = open_browser(java_script_enabled=False, **PHONE)
    page.goto("/")
    page.get_by_role("link", name=f"{title} 0", exact=True).click()
    expect(page.get_by_role("heading", name="A heading")).to_be_visible()
    assert_fits_the_screen(page)
    page.get_by_role("link", name="← All posts").click()
    page.get_by_role("link", name="Older posts").click()
    expect(page.get_by_role("link", name="Newer posts")).to_be_visible()
    page.goto("/posts/not-a-post")
    page.get_by_role("link", name="Go to the home page").click()
    expect(page).to_have_url(re.compile(r"/$"))

    # Signing in is a plain form; the dashboard's pages are there.
    page.goto("/login")
    fill_login_form(page, writer, "correct horse battery")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    page.goto("/admin/posts/")
    expect(page.get_by_role("heading", name="Posts")).to_be_visible()
    assert_fits_the_screen(page)
    # The page's own scripts (jQuery, Bootstrap) really did not run.
    assert page.evaluate("typeof window.jQuery") == "undefined"


def tab_to_next(page: Page) -> dict:
    page.keyboard.press("Tab")
    return assert_focus_visible(page)


def test_the_keyboard_focus_is_always_visible_and_the_skip_link_works(open_browser, person):
    editor = person("editor")
    page = open_browser(**DESKTOP)

    # The public site: the skip link comes first, shows itself, and lands in the content.
    page.goto("/")
    skip = tab_to_next(page)
    assert "skip-link" in skip["element"]
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(5):
        tab_to_next(page)

    # The login form, then the dashboard's posts list: every stop of the Tab key shows.
    page.goto("/login")
    for _ in range(6):
        tab_to_next(page)
    log_in_as(page, editor)
    page.goto("/admin/posts/")
    page.wait_for_load_state("load")
    skip = tab_to_next(page)
    assert "skip-link" in skip["element"]
    expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    stops = {tab_to_next(page)["element"] for _ in range(25)}
    assert len(stops) > 15  # it moved through the list, not round one element
