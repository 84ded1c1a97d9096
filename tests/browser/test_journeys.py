"""The editor's and the reader's journeys, in a real Chromium against the real server."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import unique
from tests.browser.pages import (
    accept_invitation,
    bulk_actions_offered,
    fill_login_form,
    filter_posts,
    first_log_in,
    invitation_link,
    invite_user,
    listed_titles,
    log_in_as,
    log_out,
    open_post_for_editing,
    post_id_from_edit_url,
    posts_list,
    publish_post_being_edited,
    search_posts,
    write_post,
)
from tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.browser


def test_admin_invites_an_author_and_an_editor_who_can_then_log_in(
    page: Page, person, mailbox, visitor
):
    admin = person("admin")
    author, editor = f"{unique('author')}@example.com", f"{unique('editor')}@example.com"

    log_in_as(page, admin)
    invite_user(page, author, roles=["author"])
    invite_user(page, editor, roles=["editor"])
    page.goto("/admin/users/")
    expect(page.locator("tr", has_text=author)).to_contain_text("author")
    expect(page.locator("tr", has_text=author)).to_contain_text("Invited, until")
    expect(page.locator("tr", has_text=editor)).to_contain_text("editor")
    log_out(page)

    for email, password in ((author, "author's first password"), (editor, "editor's own one")):
        newcomer = visitor()
        accept_invitation(newcomer, invitation_link(mailbox, email), password)
        first_log_in(newcomer, email, password)
        newcomer.context.close()

    log_in_as(page, author, "author's first password")
    expect(page.get_by_role("link", name="Accounts")).to_have_count(0)  # not an admin
    log_out(page)
    log_in_as(page, editor, "editor's own one")
    expect(page.get_by_role("link", name="Posts")).to_be_visible()


def test_forgotten_password_is_reset_through_the_mailed_link(page: Page, person, mailbox):
    email = person("author")

    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email Address").fill(email)
    page.get_by_role("button", name="Recover Password").click()
    expect(page.locator(".alert")).to_be_visible()

    mail = mailbox.wait_for(email)
    assert mail["Subject"] == "Reset your password"
    link = re.search(r"http://[^\s\"<>]+/reset/[^\s\"<>]+", mail.get_body(("plain",)).get_content())
    page.goto(link.group(0))
    page.get_by_label("Password", exact=True).fill("a completely new password")
    page.get_by_label("Retype Password").fill("a completely new password")
    page.get_by_role("button", name="Reset Password").click()
    expect(page.get_by_text("You successfully reset your password")).to_be_visible()

    fill_login_form(page, email, "correct horse battery")  # the old password
    expect(page.get_by_role("heading", name="Login")).to_be_visible()
    expect(page.get_by_role("heading", name="Dashboard")).to_have_count(0)
    log_in_as(page, email, "a completely new password")


MARKDOWN = """## Ingredients

- flour
- water

Read [the method](https://example.org/method) first.

![A loaf](/static/favicon.svg)

```python
knead(minutes=10)
```
"""


def test_author_writes_a_draft_but_cannot_publish_or_open_others(page: Page, person, arrange):
    author = person("author")
    someone_elses = PostFactory(UserFactory(roles=["author"]), title=unique("Not yours"))
    title = unique("Bread")

    log_in_as(page, author)
    write_post(page, title, MARKDOWN, summary="How to bake it")
    expect(page.locator("table.model-list")).to_contain_text(title)
    expect(page.locator("table.model-list tr", has_text=title)).to_contain_text("Draft")

    open_post_for_editing(page, title)
    expect(page.locator("#status")).to_have_count(0)  # no way to publish in the form
    expect(page.get_by_role("button", name="Publish now")).to_have_count(0)
    expect(page.get_by_role("button", name="Submit for review")).to_be_visible()
    posts_list(page)
    assert sorted(bulk_actions_offered(page)) == [
        "Add a tag…", "Move to trash", "Remove a tag…", "Submit for review",
    ]  # fmt: skip

    response = page.goto(f"/admin/posts/edit/?id={someone_elses.id}")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()


def test_editor_finds_and_publishes_a_draft_and_a_reader_sees_it(
    page: Page, person, arrange, visitor
):
    title = unique("Sourdough")
    PostFactory(UserFactory(roles=["author"], full_name="Ann Author"), title=title, body=MARKDOWN)
    PostFactory(UserFactory(roles=["author"]), title=unique("Sourdough starter notes"))
    editor = person("editor")

    log_in_as(page, editor)
    posts_list(page)
    search_posts(page, title)
    filter_posts(page, by="Status", value="Draft")
    assert listed_titles(page) == [title]
    open_post_for_editing(page, title)
    publish_post_being_edited(page)

    reader = visitor()
    reader.goto("/")
    reader.get_by_role("link", name=title).click()
    assert reader.url.endswith(f"/posts/{title.lower()}")
    expect(reader.get_by_role("heading", level=1)).to_have_text(title)
    expect(reader.locator(".post-meta")).to_contain_text("by Ann Author")
    body = reader.locator(".post-body")
    expect(body.get_by_role("heading", name="Ingredients")).to_be_visible()
    expect(body.locator("li")).to_have_text(["flour", "water"])
    expect(body.get_by_role("link", name="the method")).to_have_attribute(
        "href", "https://example.org/method"
    )
    expect(body.get_by_role("img", name="A loaf")).to_be_visible()
    expect(body.locator("pre code")).to_contain_text("knead(minutes=10)")


PAYLOADS = {
    "title": "<script>alert('title')</script><img src=x onerror=alert('title-img')>",
    "body": """<script>alert('script')</script>

<img src="data:image/png;base64,AAAA" onerror="alert('img')">

[click me](javascript:alert('link'))

<a href="javascript:alert('raw-link')">raw link</a>

<svg onload="alert('svg')"><circle r="4"/></svg>
""",
}


def test_script_payloads_never_run_anywhere(page: Page, person, visitor):
    editor = person("editor")
    log_in_as(page, editor)
    page.goto("/admin/posts/new/")
    page.get_by_label("Title").fill(PAYLOADS["title"])
    page.get_by_label("Slug").fill(unique("payloads"))
    page.get_by_label("Body").fill(PAYLOADS["body"])
    page.get_by_role("button", name="Save and Continue Editing").click()
    expect(page.locator(".alert-success")).to_be_visible()
    publish_post_being_edited(page)
    post_id = post_id_from_edit_url(page)

    # The edit form shows the payloads as text; the admin list and details too.
    expect(page.get_by_label("Title")).to_have_value(PAYLOADS["title"])
    posts_list(page)
    expect(page.locator("table.model-list")).to_contain_text("<script>alert('title')</script>")
    page.goto(f"/admin/posts/details/?id={post_id}")

    reader = visitor()
    reader.goto("/")
    reader.locator("article h2 a").first.click()
    expect(reader.locator(".post-body")).to_contain_text("raw link")
    assert reader.locator(".post-body script, .post-body svg, .post-body [onerror]").count() == 0
    hrefs = reader.locator(".post-body a").evaluate_all("links => links.map(a => a.href)")
    assert not [href for href in hrefs if href.startswith("javascript:")]
    # Any alert() that ran would have failed the test through the dialog guard.


def test_logging_out_ends_the_session_even_after_back(page: Page, person):
    log_in_as(page, person("editor"))
    posts_list(page)
    log_out(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.goto("/admin/posts/")
    expect(page).to_have_url(re.compile(r"/login\?next=/admin/posts/"))
    expect(page.get_by_role("heading", name="Login")).to_be_visible()


def test_a_user_without_a_staff_role_sees_a_proper_403(page: Page, person):
    reader = person()
    page.goto("/login")
    fill_login_form(page, reader, "correct horse battery")
    response = page.goto("/admin/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    expect(page.get_by_text(reader)).to_be_visible()
    page.get_by_role("button", name="Log out and sign in as someone else").click()
    expect(page).to_have_url(re.compile(r"/$"))
