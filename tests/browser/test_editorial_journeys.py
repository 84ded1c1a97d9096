"""The editorial workflow as people live it: review, return, resubmit, schedule; and an
editor getting back an older revision and a trashed post."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import unique
from tests.browser.pages import (
    edit_body,
    filter_posts,
    log_in_as,
    log_out,
    open_post_for_editing,
    posts_list,
    return_to_author,
    schedule_post_being_edited,
    scripts_ready,
    submit_for_review,
    write_post,
)

pytestmark = pytest.mark.browser


def test_review_round_trip_then_scheduled_publication(page: Page, person, visitor):
    author, editor = person("author"), person("editor")
    title = unique("Harvest")

    log_in_as(page, author)
    write_post(page, title, "Apples came early this year.")
    open_post_for_editing(page, title)
    submit_for_review(page)
    log_out(page)

    log_in_as(page, editor)
    posts_list(page)
    filter_posts(page, by="Status", value="In review")
    open_post_for_editing(page, title)
    return_to_author(page, "Please add how the pears did.")
    log_out(page)

    log_in_as(page, author)
    posts_list(page)
    open_post_for_editing(page, title)
    expect(page.locator(".editor-note")).to_contain_text("Please add how the pears did.")
    edit_body(page, "Apples came early this year. The pears were late.")
    submit_for_review(page)
    log_out(page)

    log_in_as(page, editor)
    posts_list(page)
    open_post_for_editing(page, title)
    go_live = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    schedule_post_being_edited(page, go_live)

    reader = visitor()
    slug = title.lower()
    assert reader.goto(f"/posts/{slug}").status == 404
    reader.goto("/")
    expect(reader.get_by_role("link", name=title)).to_have_count(0)

    deadline = time.monotonic() + 30
    while reader.goto(f"/posts/{slug}").status != 200:
        assert time.monotonic() < deadline, "the scheduled post never appeared"
        time.sleep(1)
    assert datetime.now(UTC) >= go_live  # not a moment early
    expect(reader.locator(".post-body")).to_contain_text("The pears were late.")
    reader.goto("/")
    expect(reader.get_by_role("link", name=title)).to_be_visible()


def test_editor_restores_an_older_revision_and_a_trashed_post(page: Page, person, guard):
    title = unique("Recipe")
    log_in_as(page, person("editor"))
    write_post(page, title, "Bake for 20 minutes.")
    open_post_for_editing(page, title)
    edit_body(page, "Bake for 45 minutes.")

    revisions = page.locator("section.revisions")
    expect(revisions.locator("tbody tr")).to_have_count(2)
    revisions.get_by_role("button", name="Restore #1").click()
    expect(page.locator(".alert-success")).to_contain_text("as a new revision")
    expect(page.get_by_label("Body")).to_have_value("Bake for 20 minutes.")
    expect(page.locator("section.revisions tbody tr")).to_have_count(3)

    posts_list(page)
    scripts_ready(page)
    guard.expect_dialog("Are you sure you want to delete this record?")
    page.locator("table.model-list tr", has_text=title).locator(
        "button[title='Delete Record']"
    ).click()
    expect(page.locator(".alert-success")).to_contain_text("was moved to the trash")
    expect(page.locator("table.model-list")).not_to_contain_text(title)

    page.get_by_role("link", name="Trash").click()
    scripts_ready(page)
    page.locator("table.model-list tr", has_text=title).locator("input.action-checkbox").check()
    page.get_by_role("button", name="With selected").click()
    guard.expect_dialog("Restore the selected posts?")
    page.locator(".dropdown-menu.show a", has_text="Restore").click()
    expect(page.locator(".alert-success")).to_contain_text("1 post restored.")

    posts_list(page)
    expect(page.locator("table.model-list")).to_contain_text(title)
