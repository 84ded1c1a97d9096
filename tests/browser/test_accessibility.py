"""Every page people reach, on a desktop screen and on a phone's, passes axe-core's rules
with no serious or critical violation, and fits the screen's width: the public site, the
sign-in screens, and the dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from cms import clock
from cms.posts import previews
from cms.posts.models import PostStatus
from cms.tags import service as tags
from tests.browser.accessibility import SCREENS, assert_accessible, assert_fits_the_screen
from tests.browser.conftest import unique
from tests.browser.pages import (
    edit_body,
    fill_login_form,
    give_code,
    log_in_as,
    start_authenticator_setup,
)
from tests.factories import PostFactory, UserFactory, stored_user

pytestmark = pytest.mark.browser

# Most of what an author writes: headings, lists, code, a table, a quote, a link.
BODY = """# Introduction

Some *emphasis*, **strong words**, `code` and [a link](https://example.com).

## Details

1. one
2. two
   - nested

> A quote.

```python
print("hello")
```

| Name | Value |
|------|------:|
| a & b | 1 |
"""


@pytest.fixture(params=sorted(SCREENS))
def screen(request, browser, base_url, guard):
    """A fresh browser with the screen of a desktop, or of a phone (touch, meta viewport)."""

    def open_browser() -> Page:
        context = browser.new_context(base_url=base_url, **SCREENS[request.param])
        return guard.watch(context).new_page()

    return open_browser


def check(page: Page) -> None:
    assert_accessible(page)
    assert_fits_the_screen(page)


def test_the_public_pages(screen, arrange):
    author = UserFactory(roles=["author"], full_name="Ada Lovelace")
    editor = UserFactory(roles=["editor"])
    now = clock.utcnow()
    posts = [
        PostFactory(
            author,
            title=unique("A post with a rather long title to wrap on a phone"),
            summary="What the post is about." if number % 2 else None,
            body=BODY,
            status=PostStatus.PUBLISHED,
            published_at=now - timedelta(minutes=number),
        )
        for number in range(11)
    ]
    author.bio = "Writes about engines.\nAnd about numbers."
    topic = tags.create_tag(editor, unique("Topic"), description="Posts about a topic.")
    for post in posts:
        post.tags = [topic]
    draft = PostFactory(author, title=unique("Draft"), body=BODY)
    _, shared = previews.create_link(draft, editor)
    withdrawn, gone = previews.create_link(draft, editor)
    previews.revoke(withdrawn, editor)
    arrange.commit()

    page = screen()
    page.goto("/")
    check(page)
    page.get_by_role("link", name="Older posts").click()
    expect(page.get_by_role("link", name="Newer posts")).to_be_visible()
    check(page)
    page.goto(f"/posts/{posts[0].slug}")
    expect(page.get_by_role("heading", name="Details")).to_be_visible()
    check(page)
    page.goto(f"/preview/{shared}")
    expect(page.get_by_text("Preview: this is how readers will see the post")).to_be_visible()
    check(page)
    page.goto(f"/preview/{gone}")
    expect(page.get_by_role("heading", name="This preview link no longer works")).to_be_visible()
    check(page)
    page.goto("/posts/no-such-post")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    check(page)

    # The tag pages, a page past the first, and search: a form, results, none, junk.
    page.goto("/tags")
    check(page)
    page.goto(f"/tags/{topic.slug}")
    expect(page.get_by_text("Posts about a topic.")).to_be_visible()
    check(page)
    page.get_by_role("link", name="Older posts").click()
    expect(page.get_by_role("link", name="Newer posts")).to_be_visible()
    check(page)
    page.goto(f"/authors/{author.slug}")
    expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    check(page)
    page.goto("/search")
    check(page)
    page.get_by_label("Search the posts").fill("introduction emphasis")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("mark").first).to_be_visible()
    check(page)
    page.goto("/search?q=zzqqxx")
    expect(page.get_by_text("No post matches")).to_be_visible()
    check(page)
    page.goto("/search?q=%21%21%21")
    check(page)


def test_the_sign_in_screens(screen, person):
    admin = person("admin")
    page = screen()
    page.goto("/login")
    check(page)
    fill_login_form(page, admin, "not the password")
    expect(page.locator(".invalid-feedback, .alert-danger").first).to_be_visible()
    check(page)
    page.goto("/reset")
    check(page)

    # An admin's first login: made to set up two-factor sign-in.
    page.goto("/login")
    fill_login_form(page, admin, "correct horse battery")
    page.wait_for_url(re.compile(r"/tf-setup$"))
    check(page)
    phone = start_authenticator_setup(page, admin)
    expect(page.locator("#qrcode")).to_be_visible()
    check(page)
    give_code(page, phone.code())
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # The next login asks for a code, and offers a recovery code instead.
    page = screen()
    page.goto("/login")
    fill_login_form(page, admin, "correct horse battery")
    page.wait_for_url(re.compile(r"/tf-validate"))
    check(page)
    page.get_by_role("link", name="Use a recovery code").click()
    expect(page.get_by_role("heading", name=re.compile("recovery code", re.I))).to_be_visible()
    check(page)


def test_the_dashboard(screen, person, arrange):
    admin = person("admin")
    author = UserFactory(roles=["author"], full_name="Grace Hopper")
    now = clock.utcnow()
    title = unique("Every state")
    posts = {
        "draft": PostFactory(author, title=f"{title} draft"),
        "review": PostFactory(author, title=f"{title} review", status=PostStatus.REVIEW),
        "scheduled": PostFactory(
            author,
            title=f"{title} scheduled",
            status=PostStatus.PUBLISHED,
            published_at=now + timedelta(days=1),
        ),
        "published": PostFactory(author, title=f"{title} published", status=PostStatus.PUBLISHED),
        "trashed": PostFactory(author, title=f"{title} trashed", deleted_at=now),
    }
    posts["returned"] = PostFactory(author, title=f"{title} returned", editor_note="Add sources.")
    previews.create_link(posts["published"], stored_user(admin))
    arrange.commit()

    page = screen()
    log_in_as(page, admin)
    check(page)

    for address in (
        "/admin/posts/",
        f"/admin/posts/?search={title}",
        "/admin/posts/?flt0_0=review",
        "/admin/posts/new/",
        f"/admin/posts/edit/?id={posts['published'].id}",
        f"/admin/posts/edit/?id={posts['returned'].id}",
        f"/admin/posts/edit/?id={posts['scheduled'].id}",
        "/admin/trash/",
        "/admin/audit/",
        "/admin/users/",
        "/admin/users/invite/",
        f"/admin/users/edit/?id={author.id}",
        "/admin/roles/",
        f"/admin/users/details/?id={author.id}",
        "/change",
    ):
        page.goto(address)
        page.wait_for_load_state("load")
        check(page)

    # A post with revisions, and two of them compared.
    page.goto(f"/admin/posts/edit/?id={posts['draft'].id}")
    edit_body(page, "The first words.")
    edit_body(page, "The first words, and more.")
    expect(page.get_by_role("heading", name="Revisions")).to_be_visible()
    check(page)
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", name=re.compile("Changes to"))).to_be_visible()
    check(page)
