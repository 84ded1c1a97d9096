"""Picking tags in the post form: the searchable multi-select (select2, driven by
``static/js/tag_picker.js`` under the dashboard's Content-Security-Policy) finds existing
tags as one types, makes a new one from a name no tag has, and shows the post's tags
again when it is opened; the bulk "Add a tag…" page picks one the same way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from cms.posts.models import Post
from cms.tags import service as tags
from tests.browser.conftest import unique
from tests.browser.pages import log_in_as, open_post_for_editing, posts_list, scripts_ready
from tests.factories import stored_user

pytestmark = pytest.mark.browser


def pick_tag(page: Page, box: str, typed: str, offered: str) -> None:
    """Type into the tag box and pick what it offers, as a person does."""
    scripts_ready(page)
    container = page.locator(f"#s2id_{box}")
    if "select2-container-multi" in (container.get_attribute("class") or ""):
        container.locator("input").click()
    else:
        container.locator("a.select2-choice").click()
    page.keyboard.type(typed)
    offer = page.locator(".select2-result-label", has_text=re.compile(rf"^{re.escape(offered)}$"))
    offer.click()


def chips(page: Page, box: str) -> list[str]:
    return page.locator(f"#s2id_{box} .select2-search-choice div").all_inner_texts()


def tag_names_of(arrange, title: str) -> list[str]:
    arrange.rollback()  # a new transaction: SQLite's would still read the old snapshot
    post = arrange.scalar(select(Post).where(Post.title == title))
    return [tag.name for tag in post.tags]


def test_an_editor_picks_an_existing_tag_and_makes_a_new_one(page: Page, person, arrange):
    editor = person("editor")
    # Markup in a name is text wherever the picker shows it (a tag shown as HTML would run
    # its handler, which the guard reports as blocked by the policy).
    existing = unique('<img src="x" class="oolong">Oolong')
    tags.create_tag(stored_user(editor), existing)
    arrange.commit()
    new = unique("Matcha")
    title = unique("Tea notes")

    log_in_as(page, editor)
    page.goto("/admin/posts/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body").fill("Leaves, water, patience.")
    # Part of the name finds it, whatever the case.
    pick_tag(page, "tags", existing[-14:].upper(), existing)
    pick_tag(page, "tags", new, f"{new} (new)")
    assert chips(page, "tags") == [existing, f"{new} (new)"]
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Record was successfully created")
    assert tag_names_of(arrange, title) == sorted([existing, new])

    # Opened again, the post's tags are in the box; one removed, the save keeps the other.
    open_post_for_editing(page, title)
    scripts_ready(page)
    assert chips(page, "tags") == sorted([existing, new])
    page.locator("#s2id_tags .select2-search-choice", has_text=existing).locator(
        ".select2-search-choice-close"
    ).click()
    page.get_by_role("button", name="Save and Continue Editing").click()
    expect(page.locator(".alert-success")).to_contain_text("Record was successfully saved")
    assert tag_names_of(arrange, title) == [new]

    # The bulk action's page picks a tag the same way.
    posts_list(page)
    page.locator("table.model-list tr", has_text=title).locator("input.action-checkbox").check()
    scripts_ready(page)
    page.get_by_role("button", name="With selected").click()
    page.locator(".dropdown-menu.show a", has_text="Add a tag…").click()
    expect(page.get_by_role("heading", name="Add a tag to 1 post")).to_be_visible()
    pick_tag(page, "tag", existing[-14:], existing)
    page.get_by_role("button", name="Add the tag").click()
    expect(page.locator(".alert-success")).to_contain_text(f"1 post now has the tag “{existing}”.")
    assert tag_names_of(arrange, title) == sorted([existing, new])
