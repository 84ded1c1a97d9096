"""What people do in the CMS, as steps a test can tell a story with.

Selectors live here, once; the journeys read as the product's own words.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from tests.two_factor import Authenticator

#: Each person's authenticator app, as their phone holds it once they set it up. The server
#: runs in production settings, where admins and editors must use two-factor.
AUTHENTICATORS: dict[str, Authenticator] = {}


def log_in_as(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in with the password, then set up two-factor or give a code if asked."""
    page.goto("/login")
    fill_login_form(page, email, password)
    page.wait_for_url(re.compile(r"/(tf-setup|tf-validate|admin/)"))
    if "/tf-setup" in page.url:
        set_up_authenticator(page, email)
    elif "/tf-validate" in page.url:
        give_code(page, AUTHENTICATORS[email].code())
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def start_authenticator_setup(page: Page, email: str) -> Authenticator:
    """Choose the authenticator app on the setup page; the phone that took the key it shows
    (kept for ``email``)."""
    page.get_by_role("button", name=re.compile("Set up an authenticator app|Use a new")).click()
    phone = Authenticator(page.locator("#authenticator-key").inner_text().strip())
    AUTHENTICATORS[email] = phone
    return phone


def set_up_authenticator(page: Page, email: str) -> None:
    phone = start_authenticator_setup(page, email)
    give_code(page, phone.code())


def give_code(page: Page, code: str) -> None:
    page.get_by_label("Authentication Code").fill(code)
    page.get_by_role("button", name=re.compile("Verify code|Turn on two-factor sign-in")).click()


def fill_login_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email Address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Login").click()


def scripts_ready(page: Page) -> None:
    """Wait until the page's scripts have run: Bootstrap's dropdowns and select2 boxes work
    only then, and a click that lands earlier does nothing (seen under load in CI)."""
    page.wait_for_load_state("load")


def log_out(page: Page) -> None:
    scripts_ready(page)
    page.locator("#account-menu").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/$"))


def choose(page: Page, field_id: str, *labels: str) -> None:
    """Pick options in one of Flask-Admin's select2 boxes, as a person does: click, type, Enter."""
    scripts_ready(page)
    container = page.locator(f"#s2id_{field_id}")
    for label in labels:
        if "select2-container-multi" in (container.get_attribute("class") or ""):
            container.locator("input").click()
        else:
            container.locator("a.select2-choice").click()
        page.keyboard.type(label)
        page.locator(".select2-result-label", has_text=re.compile(rf"^{re.escape(label)}$")).click()


def invite_user(page: Page, email: str, roles: list[str], name: str = "") -> None:
    """Invite someone from the Users view: their address and roles, never a password."""
    page.goto("/admin/users/")
    page.get_by_role("link", name="Invite", exact=True).click()
    page.get_by_label("Email").fill(email)
    if name:
        page.get_by_label("Name").fill(name)
    for role in roles:
        page.get_by_role("checkbox", name=re.compile(rf"^{re.escape(role)}:")).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".alert-success")).to_contain_text(f"Invitation sent to {email}")


def invitation_link(mailbox, email: str) -> str:
    """The link in the invitation mail that reached ``email``'s inbox."""
    mail = mailbox.wait_for(email)
    assert mail["Subject"].startswith("You are invited to")
    body = mail.get_body(("plain",)).get_content()
    return re.search(r"https?://[^\s\"<>]+/invitation/[^\s\"<>]+", body).group(0)


def accept_invitation(page: Page, link: str, password: str) -> None:
    """Open the mailed link and choose a password; it leaves the browser on the login page."""
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Retype Password").fill(password)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_text("Your password is set. Log in with it now.")).to_be_visible()
    expect(page.get_by_role("heading", name="Login")).to_be_visible()


def first_log_in(page: Page, email: str, password: str) -> bool:
    """A new user's first login, right after choosing a password. Where their role requires
    two-factor sign-in they are made to set up an authenticator before the dashboard (the
    key is kept for ``email``); returns whether they were."""
    fill_login_form(page, email, password)
    page.wait_for_url(re.compile(r"/(tf-setup|admin/)"))
    made_to_enrol = "/tf-setup" in page.url
    if made_to_enrol:
        expect(page.get_by_text("Your role requires two-factor sign-in")).to_be_visible()
        set_up_authenticator(page, email)
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    return made_to_enrol


def write_post(page: Page, title: str, body: str, summary: str = "") -> None:
    """Fill in and save a new post; leaves the browser on the post list."""
    page.goto("/admin/posts/new/")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill(summary)
    page.get_by_label("Body").fill(body)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("Record was successfully created")


def posts_list(page: Page) -> None:
    page.goto("/admin/posts/")


def search_posts(page: Page, text: str) -> None:
    # Flask-Admin's search box has no label, only a placeholder.
    page.locator("input[name=search]").fill(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def filter_posts(page: Page, by: str, value: str) -> None:
    scripts_ready(page)
    page.get_by_role("link", name="Add Filter").click()
    page.locator("a.filter", has_text=by).click()
    page.locator(".filters tr").last.locator(".filter-val a.select2-choice").click()
    page.keyboard.type(value)
    page.locator(".select2-result-label", has_text=re.compile(rf"^{re.escape(value)}$")).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").click()


def bulk_actions_offered(page: Page) -> list[str]:
    scripts_ready(page)
    page.get_by_role("button", name="With selected").click()
    return page.locator(".dropdown-menu.show a").all_inner_texts()


def listed_titles(page: Page) -> list[str]:
    return page.locator("table.model-list td.col-title").all_inner_texts()


def open_post_for_editing(page: Page, title: str) -> None:
    edit = page.locator("table.model-list tr", has_text=title).locator("a[title='Edit Record']")
    # By keyboard: a mouse click on the small icon was once lost to its hover tooltip in CI.
    edit.focus()
    with page.expect_navigation(url=re.compile(r"/admin/posts/edit/")):
        page.keyboard.press("Enter")
    expect(page.get_by_label("Title")).to_have_value(title)


def take_step(page: Page, step: str) -> None:
    """Press one of the workflow's buttons on the edit page ("Publish now", "Submit for review")."""
    page.get_by_role("button", name=step).click()
    expect(page.locator(".alert-success")).to_contain_text("The post is now")


def publish_post_being_edited(page: Page) -> None:
    take_step(page, "Publish now")
    expect(page.locator(".workflow")).to_contain_text("Status: Published")


def post_id_from_edit_url(page: Page) -> int:
    return int(re.search(r"[?&]id=(\d+)", page.url).group(1))


def submit_for_review(page: Page) -> None:
    take_step(page, "Submit for review")
    expect(page.locator(".workflow")).to_contain_text("Status: In review")


def return_to_author(page: Page, note: str) -> None:
    page.get_by_label("Note for the author").fill(note)
    take_step(page, "Return to the author")
    expect(page.locator(".workflow")).to_contain_text("Status: Draft")


def schedule_post_being_edited(page: Page, at_utc) -> None:
    page.get_by_label("Publish at (UTC)").fill(at_utc.strftime("%Y-%m-%dT%H:%M:%S"))
    take_step(page, "Schedule")
    expect(page.locator(".workflow")).to_contain_text("Status: Scheduled")


def edit_body(page: Page, body: str) -> None:
    page.get_by_label("Body").fill(body)
    page.get_by_role("button", name="Save and Continue Editing").click()
    expect(page.locator(".alert-success")).to_contain_text("Record was successfully saved")
