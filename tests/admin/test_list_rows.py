"""Each row's buttons in the admin's big lists (the posts list, the trash, the audit log),
built once per page by ``cms.admin.rows``: every link opens what it names, every delete
form does what it says, and the page stays valid HTML (no id twice)."""

from __future__ import annotations

import html
import re

import pytest
from flask import url_for

from cms import clock
from cms.admin.posts.columns import view_on_site_part
from cms.admin.rows import url_for_each
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.client import flashed

_ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
_LINK = re.compile(r'<a class="icon" href="([^"]+)" title="([^"]+)"')
_FORM = re.compile(r'<form class="icon" method="POST" action="([^"]+)"[^>]*>(.*?)</form>', re.S)
_INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
_ID = re.compile(r'\sid="([^"]+)"')


def rows(page: str) -> list[str]:
    """The list's rows (those with a buttons cell), top to bottom."""
    return [row for row in _ROW.findall(page) if "list-buttons-column" in row]


def links(row: str) -> dict[str, str]:
    """A row's links, by title."""
    return {title: html.unescape(href) for href, title in _LINK.findall(row)}


def delete_form(row: str) -> tuple[str, dict[str, str]] | None:
    """The row's delete form: where it posts, and its fields."""
    found = _FORM.search(row)
    if found is None:
        return None
    fields = {name: html.unescape(value) for name, value in _INPUT.findall(found.group(2))}
    return html.unescape(found.group(1)), fields


@pytest.fixture
def shelf(users, post_factory):
    author = users["author"]
    return {
        "live": post_factory(author, title="Live post", status=PostStatus.PUBLISHED),
        "draft": post_factory(author, title="Draft post"),
        "binned": post_factory(author, title="Binned post", deleted_at=clock.utcnow()),
    }


def _row_of(page: str, post: Post) -> str:
    [row] = [row for row in rows(page) if post.title in row]
    return row


def test_a_post_row_opens_edits_trashes_and_shows_a_live_post_on_the_site(client, users, shelf):
    client.login(users["admin"].email)
    page = client.get("/admin/posts/?search=post").get_data(as_text=True)
    live, draft = _row_of(page, shelf["live"]), _row_of(page, shelf["draft"])

    assert set(links(live)) == {"View Record", "Edit Record", "View on site"}
    assert set(links(draft)) == {"View Record", "Edit Record"}  # not on the site
    assert links(live)["View on site"] == f"/posts/{shelf['live'].slug}"
    assert client.get(links(live)["View on site"]).status_code == 200
    details = client.get(links(draft)["View Record"])
    assert details.status_code == 200 and "Draft post" in details.get_data(as_text=True)
    editor = client.get(links(draft)["Edit Record"])
    assert editor.status_code == 200 and 'value="Draft post"' in editor.get_data(as_text=True)

    action, fields = delete_form(draft)
    assert action == "/admin/posts/delete/"
    assert fields["id"] == str(shelf["draft"].id)
    assert fields["url"] == "/admin/posts/?search=post&page_size=20"
    response = client.post(action, data=fields)  # its own CSRF token, as a browser sends it
    assert response.status_code == 302 and response.location == fields["url"]
    assert "“Draft post” was moved to the trash, where it can be restored." in flashed(
        client.get(response.location)
    )
    db.session.expire_all()
    assert db.session.get(Post, shelf["draft"].id).in_trash


def test_a_trash_row_deletes_for_good_for_an_admin_only(client, users, shelf):
    client.login(users["editor"].email)
    row = _row_of(client.get("/admin/trash/").get_data(as_text=True), shelf["binned"])
    assert set(links(row)) == {"View Record"} and delete_form(row) is None
    client.logout()

    client.login(users["admin"].email)
    binned_id = shelf["binned"].id
    row = _row_of(client.get("/admin/trash/").get_data(as_text=True), shelf["binned"])
    assert client.get(links(row)["View Record"]).status_code == 200
    action, fields = delete_form(row)
    assert (action, fields["id"]) == ("/admin/trash/delete/", str(binned_id))
    response = client.post(action, data=fields)
    assert response.status_code == 302
    assert "“Binned post” was deleted for good." in flashed(client.get(response.location))
    db.session.expire_all()
    assert db.session.get(Post, binned_id) is None


def test_an_audit_log_row_opens_its_entry(client, users, shelf):
    client.login(users["admin"].email)
    [first, *_] = rows(client.get("/admin/audit/").get_data(as_text=True))
    assert set(links(first)) == {"View Record"} and delete_form(first) is None
    details = client.get(links(first)["View Record"])
    assert details.status_code == 200 and "auth.login" in details.get_data(as_text=True)


def test_the_buttons_of_a_row_stand_apart(client, users, shelf):
    """White space between the buttons, as Flask-Admin's macros leave it: without it the
    icons touch."""
    client.login(users["admin"].email)
    live = _row_of(client.get("/admin/posts/").get_data(as_text=True), shelf["live"])
    cell = re.search(r'<td class="list-buttons-column">(.*?)</td>', live, re.S).group(1)
    assert cell.count("</a>") == 3 and cell.count("</form>") == 1
    assert re.search(r"</(a|form)><(a|form)", cell) is None


@pytest.mark.parametrize("url", ["/admin/posts/", "/admin/trash/", "/admin/audit/"])
def test_no_id_is_given_twice_in_a_list(client, users, shelf, post_factory, url):
    """Flask-Admin's delete forms gave every row's hidden inputs id="id" and id="url"."""
    for number in range(3):
        post_factory(users["author"], title=f"More {number}", deleted_at=clock.utcnow())
        post_factory(users["author"], title=f"Also {number}")
    client.login(users["admin"].email)
    page = client.get(url).get_data(as_text=True)
    assert len(rows(page)) >= 3
    ids = _ID.findall(page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


@pytest.mark.parametrize(
    "return_url",
    ["/admin/posts/", "/admin/posts/?search=a%26b%3Dc&page_size=50", "/x/?id=0&y=?id=0"],
)
def test_a_row_url_is_the_one_url_for_builds(app, return_url):
    with app.test_request_context():
        url = url_for_each(lambda **args: url_for("posts.details_view", **args), url=return_url)
        for row_id in ("7", "1234567", "a b&c"):
            assert url(row_id) == url_for("posts.details_view", id=row_id, url=return_url)


def test_a_row_url_of_another_shape_is_built_for_each_row():
    def build(**args):  # the id last: no head and tail to reuse
        return f"/x/?url={args['url']}&id={args['id']}"

    assert url_for_each(build, url="/y/")("5") == "/x/?url=/y/&id=5"


@pytest.mark.parametrize("slug", ["plain-slug-2", "Crème brûlée", "a/b?c"])
def test_view_on_site_links_to_the_address_url_for_builds(app, users, post_factory, slug):
    post = post_factory(users["author"], slug=slug, status=PostStatus.PUBLISHED)
    with app.test_request_context():
        link = view_on_site_part()("1", post)
        expected = html.escape(url_for("public.post_detail", slug=slug))
    assert f'href="{expected}"' in link
