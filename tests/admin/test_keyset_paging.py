"""Paging through the admin's lists: First, Previous, Next and Last reach every post once,
in the list's order, for every sortable column in both directions, with filters and a
search; a damaged or forged page address is a 400, never a 500."""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from cms import clock, counting
from cms.admin.cursors import Cursor, SortKey
from cms.audit.models import AuditEntry
from cms.counting import Precision, RowCount
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.client import flashed

PAGE = 20
# The posts list's columns, by position: title, status, author, published_at, updated_at.
SORTS = {"title": 0, "status": 1, "author": 2, "published_at": 3, "updated_at": 4}


@pytest.fixture
def posts(users, post_factory):
    """45 posts: equal titles, statuses and times (the id breaks the ties), drafts without
    a publish time (NULLs sort first on SQLite and last on PostgreSQL), two authors."""
    now = clock.utcnow()
    made = []
    for number in range(45):
        published = number % 3 != 0
        made.append(
            post_factory(
                users["author"] if number % 2 else users["other_author"],
                title=f"Title {number % 7}",
                status=PostStatus.PUBLISHED if published else PostStatus.DRAFT,
                published_at=now - timedelta(days=number % 5) if published else None,
            )
        )
    return made


def _titles_and_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'name="rowid" class="action-checkbox" value="(\d+):', page)]


def _link(page: str, rel_or_label: str) -> str | None:
    match = re.search(rf'<a class="page-link" href="([^"]+)"[^>]*>{re.escape(rel_or_label)}', page)
    return html.unescape(match.group(1)) if match else None


def _walk(client, url: str, link: str) -> list[int]:
    """Every row id from ``url`` on, following the pager's ``link``, Next or Previous."""
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        ids = _titles_and_ids(page)
        seen += ids if link.startswith("Next") else list(reversed(ids))
        url = _link(page, link)
        pages += 1
        assert pages < 10
    return seen


def _expected(order, descending: bool, nulls_larger: bool, **where) -> list[int]:
    """The ids in the list's order, worked out in Python."""
    rows = [p for p in db.session.query(Post).filter_by(**where) if not p.in_trash]

    def key(post):
        value = order(post)
        missing = value is None
        return ((missing if nulls_larger else not missing), value if not missing else 0, post.id)

    ordered = sorted(rows, key=key)
    return [post.id for post in (reversed(ordered) if descending else ordered)]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("column", list(SORTS))
def test_next_and_previous_reach_every_post_once_in_order(client, users, posts, column, descending):
    nulls_larger = db.session.get_bind().dialect.name == "postgresql"
    order = {
        "title": lambda p: p.title,
        "status": lambda p: p.status.value,
        "author": lambda p: p.author.email,
        "published_at": lambda p: p.published_at,
        "updated_at": lambda p: p.updated_at,
    }[column]
    expected = _expected(order, descending, nulls_larger)
    client.login(users["admin"].email)
    url = f"/admin/posts/?sort={SORTS[column]}" + ("&desc=1" if descending else "")

    assert _walk(client, url, "Next ›") == expected
    last = url + "&last=1"
    assert list(reversed(_walk(client, last, "‹ Previous"))) == expected


def test_the_default_order_pages_both_ways_and_first_and_last_mark_the_ends(client, users, posts):
    client.login(users["admin"].email)
    first = client.get("/admin/posts/").get_data(as_text=True)
    assert "45 posts" in first and "List (45)" in first
    assert _link(first, "« First") is None and _link(first, "‹ Previous") is None
    last = client.get(_link(first, "Last »")).get_data(as_text=True)
    assert _link(last, "Next ›") is None and _link(last, "Last »") is None
    assert len(_titles_and_ids(last)) == PAGE
    middle = client.get(_link(first, "Next ›")).get_data(as_text=True)
    back = client.get(_link(middle, "‹ Previous")).get_data(as_text=True)
    assert _titles_and_ids(back) == _titles_and_ids(first)


def test_filters_and_the_search_keep_their_order_and_page_within_their_rows(client, users, posts):
    client.login(users["admin"].email)
    mine = f"/admin/posts/?flt0_1={users['author'].id}&sort={SORTS['title']}&desc=1"
    expected = _expected(lambda p: p.title, True, False, author_id=users["author"].id)
    assert _walk(client, mine, "Next ›") == expected

    drafts = _walk(client, "/admin/posts/?flt0_0=draft&search=Title", "Next ›")
    assert drafts == _expected(lambda p: p.updated_at, True, False, status=PostStatus.DRAFT)


def test_sorting_filtering_or_searching_starts_again_from_the_first_page(client, users, posts):
    client.login(users["admin"].email)
    second = client.get("/admin/posts/").get_data(as_text=True)
    second = client.get(_link(second, "Next ›")).get_data(as_text=True)
    sort_links = re.findall(r'href="(/admin/posts/\?[^"]*sort=[^"]*)"', second)
    assert sort_links and not any("after=" in link for link in sort_links)
    assert 'name="after"' not in second and 'name="before"' not in second


def test_an_author_pages_through_their_own_posts_only(client, users, posts):
    client.login(users["author"].email)
    seen = _walk(client, "/admin/posts/", "Next ›")
    assert seen == _expected(lambda p: p.updated_at, True, False, author_id=users["author"].id)


def _forged(*cursor) -> str:
    """A cursor as the list writes them, holding whatever a forger puts in it."""
    return base64.urlsafe_b64encode(json.dumps(cursor).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "query",
    [
        "after=%%%",
        "after=" + base64.urlsafe_b64encode(b"[" * 1000).decode(),  # nested past recursion
        # Times that exist in their zone but not in UTC, before year 1 or after 9999.
        "after=" + _forged("default", "0001-01-01T00:00:00+05:00", 1),
        "after=" + _forged("default", "9999-12-31T23:59:59-05:00", 1),
        f"sort={SORTS['title']}&after=" + _forged("title", "\ud800", 1),  # a lone surrogate
        f"sort={SORTS['title']}&after=" + _forged("title", "a\u0000b", 1),  # NUL
        f"sort={SORTS['author']}&after=" + _forged("author", "a\u0000b", 1),
        "after=bm90IGpzb24",  # "not json"
        "before=WyJ0aXRsZSIsIngiLDFd",  # ["title","x",1]: made for another sort
        "after=WyJkZWZhdWx0IiwieCIsMV0",  # ["default","x",1]: not a time
        "after=WyJkZWZhdWx0IixudWxsLDFd",  # ["default",null,1]: updated_at is never empty
        "after=WyJkZWZhdWx0IiwiMjAyNi0wMS0wMVQwMDowMDowMCIsMV0",  # a time without a zone
        "after=WyJkZWZhdWx0IiwiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsOTk5OTk5OTk5OTk5XQ",
        "after=WyJkZWZhdWx0IiwiMjAyNi0wMS0wMVQwMDowMDowMCswMDowMCIsIjEiXQ",  # id "1"
        "after=WzEsMiwzLDRd",  # [1,2,3,4]
        "after=e30",  # {}
    ],
)
def test_a_damaged_or_forged_page_address_is_a_bad_request(client, users, posts, query):
    client.login(users["admin"].email)
    assert client.get(f"/admin/posts/?{query}").status_code == 400


@pytest.mark.parametrize("query", ["after=%%%", "before=bm90IGpzb24", "after=WyJ0aXRsZSIsIngiLDFd"])
def test_a_damaged_page_address_in_the_trash_is_a_bad_request(client, users, query):
    client.login(users["admin"].email)
    assert client.get(f"/admin/trash/?{query}").status_code == 400


def test_a_status_cursor_must_name_a_status(client, users, posts):
    client.login(users["admin"].email)
    forged = Cursor("status", "deleted", 1).token()  # no such status
    assert client.get(f"/admin/posts/?sort=1&after={forged}").status_code == 400
    real = Cursor("status", "draft", 1).token()
    assert client.get(f"/admin/posts/?sort=1&after={real}").status_code == 200


def test_a_cursor_past_the_end_shows_an_empty_page_with_the_figure(client, users, posts):
    client.login(users["admin"].email)
    oldest = min(post.updated_at for post in posts) - timedelta(days=1)
    page = client.get(f"/admin/posts/?after={Cursor('default', oldest, 1).token()}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert _titles_and_ids(text) == [] and "45 posts" in text


def test_numbered_pages_are_gone(client, users, posts):
    client.login(users["admin"].email)
    assert client.get("/admin/posts/?page=2").status_code == 404


def test_a_bulk_action_returns_to_the_page_it_was_taken_from(client, users, posts):
    client.login(users["admin"].email)
    first = client.get("/admin/posts/").get_data(as_text=True)
    second_url = _link(first, "Next ›")
    second = client.get(second_url).get_data(as_text=True)
    return_url = html.unescape(
        re.search(r'id="url" name="url" type="hidden" value="([^"]+)"', second).group(1)
    )
    assert "after=" in return_url
    [row] = _titles_and_ids(second)[:1]
    version = db.session.get(Post, row).version
    response = client.post_with_token(
        "/admin/posts/action/",
        {"action": "submit", "rowid": f"{row}:{version}", "url": return_url},
    )
    assert response.status_code == 302 and "after=" in response.location
    assert flashed(client.get(response.location))


def test_the_export_holds_the_whole_list_whatever_the_page(client, users, posts):
    client.login(users["admin"].email)
    first = client.get("/admin/posts/").get_data(as_text=True)
    cursor = re.search(r"after=([\w-]+)", html.unescape(_link(first, "Next ›"))).group(1)
    export = client.get(f"/admin/posts/export/csv/?after={cursor}").get_data(as_text=True)
    assert len(export.strip().splitlines()) == 1 + 45


@pytest.mark.parametrize(
    ("count", "phrase"),
    [
        (RowCount(1), "1 post"),
        (RowCount(1234), "1,234 posts"),
        (RowCount(1_000_000, Precision.ESTIMATE), "about 1,000,000 posts"),
        (RowCount(10_000, Precision.AT_LEAST), "more than 10,000 posts"),
    ],
)
def test_the_figure_says_whether_it_is_exact(app, count, phrase):
    view = next(v for v in app.extensions["admin"][0]._views if v.endpoint == "posts")
    assert view.count_phrase(count) == phrase


@pytest.fixture
def audit_entries():
    """60 entries, more than a page of the log: some without an actor or a target."""
    now = clock.utcnow()
    db.session.execute(
        insert(AuditEntry.__table__),
        [
            {
                "at": now - timedelta(minutes=number % 17),
                "action": f"post.action{number % 4}",
                "actor_email": f"user{number % 3}@example.com" if number % 5 else None,
                "target_type": "post" if number % 2 else None,
                "changes": "{}",
                "source": "admin",
            }
            for number in range(60)
        ],
    )
    db.session.commit()


def _sort_headings(page: str) -> set[str]:
    """The sorts the column headings link to, by column position."""
    links = re.findall(r'<a href="([^"]*)" title="Sort by', page)
    return {re.search(r"sort=(\d+)", link).group(1) for link in links}


@pytest.mark.parametrize(
    ("view", "sortable"),
    [("posts", {"0", "1", "2", "3", "4"}), ("trash", {"0", "2", "3"}), ("audit", {"0"})],
)
def test_every_sortable_column_of_every_list_sorts_both_ways(
    client, users, posts, audit_entries, view, sortable
):
    """Each column heading that sorts gives its list, in both directions, and so does the
    page after (whose cursor holds the sorted column's value)."""
    for post in posts[:22]:  # more than a page in the trash, and out of it
        post.deleted_at = clock.utcnow() - timedelta(hours=post.id % 4)
    db.session.commit()
    client.login(users["admin"].email)
    page = client.get(f"/admin/{view}/").get_data(as_text=True)
    assert _sort_headings(page) == sortable
    for sort in sorted(sortable):
        for direction in ("", "&desc=1"):
            url = f"/admin/{view}/?sort={sort}{direction}"
            response = client.get(url)
            assert response.status_code == 200, url
            following = _link(response.get_data(as_text=True), "Next ›")
            assert following, url
            assert client.get(following).status_code == 200, following


@pytest.mark.parametrize("sort", range(8))
def test_the_audit_log_sorts_by_its_time_and_ignores_other_sorts(
    client, users, audit_entries, sort
):
    """Only the time has an index to sort by; a sort by any other column (a URL made by
    hand) shows the log in its usual order, newest first."""
    client.login(users["admin"].email)
    response = client.get(f"/admin/audit/?sort={sort}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _sort_headings(page) == {"0"}


def test_a_first_page_that_holds_the_whole_list_counts_its_rows(
    client, users, post_factory, monkeypatch
):
    """When the first page (or the last, from the other end) is not full, it is the whole
    list: the figure is its rows, whatever PostgreSQL's statistics (stale ones here) say."""
    post_factory(users["author"], title="The only post")
    monkeypatch.setattr(counting, "planner_estimate", lambda query: 500_000)
    client.login(users["admin"].email)
    for url in ("/admin/posts/", "/admin/posts/?last=1"):
        page = client.get(url).get_data(as_text=True)
        assert "1 post<" in page and 'data-list-count="1"' in page, url
    trash = client.get("/admin/trash/").get_data(as_text=True)
    assert 'data-list-count="0"' in trash
    assert "/admin/trash/empty/" not in trash  # nothing to empty


def test_a_sort_key_reads_a_table_column_as_well_as_a_model_attribute():
    """Flask-Admin hands a view without ``column_sortable_list`` the table's columns, a
    view with one the model's attributes: either must give the cursor's type."""
    for at in (AuditEntry.at, AuditEntry.__table__.c.at):
        key = SortKey("at", at, (), True)
        assert key.python_type is datetime and not key.nullable
    assert SortKey("published_at", Post.__table__.c.published_at, (), False).nullable
