"""The search box of the posts list and the trash: full-text search, in the list's order,
within what the policy lets the user see."""

from __future__ import annotations

import html
import re

import pytest

from cms.extensions import db
from cms.posts import service
from tests.statements import recorded_statements

_TITLE_CELL = re.compile(r'<td class="col-title">\s*(.*?)\s*</td>', re.DOTALL)


def titles(client, url: str) -> list[str]:
    """The titles the list shows, top to bottom."""
    response = client.get(url)
    assert response.status_code == 200
    return [html.unescape(cell) for cell in _TITLE_CELL.findall(response.get_data(as_text=True))]


@pytest.fixture
def pantry(users, post_factory):
    author, other = users["author"], users["other_author"]
    post_factory(author, title="Apple pie", body="Bake it.")
    post_factory(author, title="Crumble", summary="With apples and oats.")
    post_factory(other, title="Banana bread", slug="my-banana-loaf", body="No apple here?")
    post_factory(other, title="Crème caramel", body="Eggs.")
    post_factory(other, title="Onions", body="Nothing sweet.")


def test_the_box_is_shown_and_searches_words_not_substrings(client, users, pantry):
    client.login(users["editor"].email)
    page = client.get("/admin/posts/").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="search"[^>]*placeholder="Words in the title', page)

    assert sorted(titles(client, "/admin/posts/?search=appl")) == [
        "Apple pie", "Banana bread", "Crumble",
    ]  # fmt: skip
    assert titles(client, "/admin/posts/?search=apple+bake") == ["Apple pie"]
    assert titles(client, "/admin/posts/?search=my-banana-loaf") == ["Banana bread"]
    assert titles(client, "/admin/posts/?search=creme") == ["Crème caramel"]
    # Flask-Admin's search matched inside words ("nion" found "Onions"); words match here.
    assert titles(client, "/admin/posts/?search=nion") == []


def test_a_search_keeps_the_lists_order_and_filters(client, users, pantry):
    client.login(users["editor"].email)
    by_title = "/admin/posts/?search=apple&sort=0"
    assert titles(client, by_title) == ["Apple pie", "Banana bread", "Crumble"]
    assert titles(client, by_title + "&desc=1") == ["Crumble", "Banana bread", "Apple pie"]
    # Newest change first, the list's default.
    assert titles(client, "/admin/posts/?search=apple") == ["Banana bread", "Crumble", "Apple pie"]
    other = users["other_author"].id
    assert titles(client, f"/admin/posts/?search=apple&flt0_1={other}") == ["Banana bread"]


_FIGURE = re.compile(r'data-list-count="(\d+)"\s+data-count-precision="(\w+)"')


def test_a_searchs_figure_counts_the_matches_the_filters_keep(client, users, post_factory):
    """More matches than a page: the figure is the list's, filters included (on
    PostgreSQL it is the length of the search's list of matches, looked up within the
    filtered list)."""
    author, other = users["author"], users["other_author"]
    for number in range(23):
        post_factory(other, title=f"Quince jam {number}")
    for number in range(4):
        post_factory(author, title=f"Quince tart {number}")
    client.login(users["editor"].email)
    figures = {
        url: _FIGURE.search(client.get(url).get_data(as_text=True)).groups()
        for url in ("/admin/posts/?search=quince", f"/admin/posts/?search=quince&flt0_1={other.id}")
    }
    assert list(figures.values()) == [("27", "exact"), ("23", "exact")]


def test_the_list_searches_the_index_not_the_text(app, client, users, pantry):
    client.login(users["editor"].email)
    with recorded_statements(app) as statements:
        assert titles(client, "/admin/posts/?search=apple") != []
    lists = [sql for sql in statements if "FROM posts" in sql]
    assert lists and all("LIKE" not in sql.upper() for sql in lists)
    assert any("posts_fts MATCH" in sql or "search_vector @@" in sql for sql in lists)


def test_an_author_finds_only_their_own_posts(client, users, pantry):
    client.login(users["author"].email)
    assert sorted(titles(client, "/admin/posts/?search=apple")) == ["Apple pie", "Crumble"]
    assert titles(client, "/admin/posts/?search=banana") == []


def test_the_trash_searches_its_own_posts(client, users, post_factory):
    editor = users["editor"]
    for title in ("Old apple notes", "Old pear notes"):
        service.trash(post_factory(editor, title=title), editor)
    post_factory(editor, title="Fresh apple notes")
    db.session.commit()
    client.login(editor.email)
    assert titles(client, "/admin/trash/?search=apple") == ["Old apple notes"]
    assert titles(client, "/admin/posts/?search=apple") == ["Fresh apple notes"]


@pytest.mark.parametrize(
    "search",
    ['hello-world OR "', "NEAR(", "*", "'\\", "a:* & !b", "%_\\", "x" * 3000, "!!!"],
)
def test_any_search_text_gives_a_list(client, users, pantry, search):
    client.login(users["editor"].email)
    for url in ("/admin/posts/", "/admin/trash/"):
        assert client.get(url, query_string={"search": search}).status_code == 200


def test_an_edit_in_the_editor_is_found_at_once(client, users, post_factory):
    post = post_factory(users["author"], title="Draft about figs", slug="figs")
    client.login(users["editor"].email)
    response = client.submit(
        f"/admin/posts/edit/?id={post.id}",
        {"title": "Notes about dates", "slug": "figs", "body": "", "author": str(post.author_id)},
    )
    assert response.status_code == 302
    assert titles(client, "/admin/posts/?search=dates") == ["Notes about dates"]
    assert titles(client, "/admin/posts/?search=figs") == ["Notes about dates"]  # the slug
    assert titles(client, "/admin/posts/?search=draft") == []
