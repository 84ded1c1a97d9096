"""The admin's lists and dashboard read what they show from indexes, not the whole table.

On a few thousand posts with the planner's statistics refreshed, every request below is
made as a user makes it, and the exact statements it sent are EXPLAINed: none may scan
all of ``posts`` (PostgreSQL: no Seq Scan, except in a count that stops at its bound), and
no list page may sort the table rather than read it in order (SQLite: no temporary
B-tree for the ORDER BY; PostgreSQL: no Sort over posts). At a million posts such a plan
is the difference between milliseconds and seconds.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, text

from cms import clock
from cms.accounts.models import User
from cms.admin.cursors import Cursor
from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts.models import Post
from tests.factories import UserFactory
from tests.performance.plans import dialect, plan_problems, sqlite_count_reads
from tests.performance.seeding import refresh_statistics, seed_posts
from tests.statements import recorded_executions

POSTS = 3000

# The posts list's sortable columns, by their position in its column_list.
TITLE, STATUS, AUTHOR, PUBLISHED_AT, UPDATED_AT = range(5)
# The trash's: title, author, deleted_at (status is not sortable there).
TRASH_TITLE, TRASH_AUTHOR, TRASH_DELETED_AT = 0, 2, 3


@pytest.fixture
def many_posts(users):
    authors = [users["author"], users["other_author"], users["editor"]]
    authors += [UserFactory(roles=["author"]) for _ in range(7)]
    seed_posts(authors, POSTS)
    now = clock.utcnow()
    entries = [
        {
            "at": now - timedelta(minutes=n),
            "action": "post.update",
            "changes": "{}",
            "source": "cli",
        }
        for n in range(POSTS)
    ]
    db.session.execute(insert(AuditEntry.__table__), entries)
    db.session.commit()
    refresh_statistics()
    return authors


def _middle(order_by, *where) -> Post:
    """A post from the middle of a list, for a cursor deep into it."""
    query = select(Post).where(*where).order_by(*order_by).offset(POSTS // 3).limit(1)
    return db.session.scalar(query)


def _token(name: str, value, post: Post) -> str:
    return Cursor(name, value, post.id).token()


#: Lists of a state that holds few posts by nature (posts waiting for their time): reading
#: its index range and sorting those rows beats walking the list's order past all the others.
SMALL_STATES = ("flt0_0=scheduled",)


def _problems(app, client, url: str, table: str = "posts") -> list[str]:
    may_sort = any(state in url for state in SMALL_STATES)
    with recorded_executions(app) as executions:
        response = client.get(url)
    assert response.status_code == 200, url
    reading = [(s, p) for s, p in executions if re.search(rf"\bFROM {table}\b", s)]
    assert reading, f"{url} read nothing from {table}"
    return [
        problem
        for statement, parameters in reading
        for problem in plan_problems(
            statement, parameters, table, ordered="ORDER BY" in statement and not may_sort
        )
    ]


def _assert_served_by_indexes(app, client, urls, table="posts"):
    problems = {url: found for url in urls if (found := _problems(app, client, url, table))}
    assert problems == {}


def test_every_sort_and_filter_of_the_posts_list_reads_an_index(app, client, users, many_posts):
    live = Post.deleted_at.is_(None)
    by_update = _middle([Post.updated_at.desc(), Post.id.desc()], live)
    by_title = _middle([Post.title, Post.id], live)
    by_time = _middle(
        [Post.published_at.desc(), Post.id.desc()], live, Post.published_at.is_not(None)
    )
    author = many_posts[0]
    urls = [
        "/admin/posts/",
        "/admin/posts/?last=1",
        f"/admin/posts/?after={_token('default', by_update.updated_at, by_update)}",
        f"/admin/posts/?before={_token('default', by_update.updated_at, by_update)}",
        f"/admin/posts/?sort={TITLE}&after={_token('title', by_title.title, by_title)}",
        f"/admin/posts/?sort={PUBLISHED_AT}&desc=1"
        f"&after={_token('published_at', by_time.published_at, by_time)}",
        "/admin/posts/?flt0_0=draft",
        "/admin/posts/?flt0_0=review",
        f"/admin/posts/?flt0_1={author.id}",
        f"/admin/posts/?flt0_1={author.id}&sort={TITLE}&desc=1",
        f"/admin/posts/?flt0_1={author.id}&sort={PUBLISHED_AT}",
    ]
    urls += [f"/admin/posts/?sort={column}" for column in range(5)]
    urls += [f"/admin/posts/?sort={column}&desc=1" for column in range(5)]
    urls += ["/admin/posts/?flt0_0=published", "/admin/posts/?flt0_0=scheduled"]
    client.login(users["admin"].email)
    _assert_served_by_indexes(app, client, urls)


def test_the_lists_sorted_by_author_read_a_page_of_each_authors_posts(
    app, client, users, many_posts
):
    """Sorted by author (e-mail, then id), PostgreSQL left to itself walks the authors in
    order and sorts each one's posts whole before it returns a row (0.85 s for an author
    of 120,000 posts at a million; see cms.admin.join_sorts)."""
    live = Post.deleted_at.is_(None)
    by_author = db.session.execute(
        select(User.email, Post.id)
        .join(Post.author)
        .where(live)
        .order_by(User.email, Post.id)
        .offset(POSTS // 3)
        .limit(1)
    ).one()
    after = Cursor("author", by_author.email, by_author.id).token()
    urls = [
        f"/admin/posts/?sort={AUTHOR}",
        f"/admin/posts/?sort={AUTHOR}&desc=1",
        f"/admin/posts/?sort={AUTHOR}&after={after}",
        f"/admin/posts/?sort={AUTHOR}&desc=1&after={after}",
        f"/admin/posts/?sort={AUTHOR}&before={after}",
        f"/admin/posts/?sort={AUTHOR}&last=1",
        f"/admin/posts/?sort={AUTHOR}&flt0_0=published",
        f"/admin/trash/?sort={TRASH_AUTHOR}",
        f"/admin/trash/?sort={TRASH_AUTHOR}&desc=1",
    ]
    client.login(users["admin"].email)
    _assert_served_by_indexes(app, client, urls)


def test_the_published_filter_counts_only_published_posts(app, client, users, many_posts):
    """The state filter hides "published" from SQLite's planner so that a page walks the
    list's own order (see ``StateFilter``); its count must still read only the published
    range of the states index. Counting under the hidden condition read the index from
    its first entry, every draft before the first published post: 40 ms at a million."""
    client.login(users["admin"].email)
    with recorded_executions(app) as executions:
        assert client.get("/admin/posts/?flt0_0=published").status_code == 200
    counts = [(s, p) for s, p in executions if re.search(r"\bcount\(", s)]
    assert len(counts) == 1
    if dialect() == "sqlite":
        reads = sqlite_count_reads(*counts[0])
        assert reads and all(
            read.startswith("SEARCH posts USING COVERING INDEX ix_posts_live_state (status=? AND")
            for read in reads
        ), reads
    else:
        assert plan_problems(*counts[0], "posts", ordered=False) == []


def test_the_trash_reads_an_index_in_every_order(app, client, users, many_posts):
    client.login(users["admin"].email)
    urls = ["/admin/trash/", "/admin/trash/?last=1"]
    urls += [f"/admin/trash/?sort={c}" for c in (TRASH_TITLE, TRASH_AUTHOR, TRASH_DELETED_AT)]
    urls += [f"/admin/trash/?sort={c}&desc=1" for c in (TRASH_TITLE, TRASH_DELETED_AT)]
    _assert_served_by_indexes(app, client, urls)


def test_an_authors_lists_read_their_own_posts_from_an_index(app, client, users, many_posts):
    client.login(users["author"].email)
    urls = [
        "/admin/posts/",
        "/admin/posts/?last=1",
        f"/admin/posts/?sort={TITLE}",
        f"/admin/posts/?sort={STATUS}&desc=1",
        f"/admin/posts/?sort={PUBLISHED_AT}&desc=1",
        "/admin/posts/?flt0_0=draft",
        "/admin/posts/?flt0_0=review",
        "/admin/posts/?flt0_0=scheduled",
        "/admin/posts/?flt0_0=published",
        f"/admin/posts/?flt0_0=published&sort={PUBLISHED_AT}&desc=1",
        "/admin/trash/",
        f"/admin/trash/?sort={TRASH_TITLE}",
        "/admin/",
    ]
    _assert_served_by_indexes(app, client, urls)


def test_the_dashboard_counts_each_state_from_an_index(app, client, users, many_posts):
    client.login(users["admin"].email)
    _assert_served_by_indexes(app, client, ["/admin/"])


def test_the_audit_log_reads_its_newest_entries_from_an_index(app, client, users, many_posts):
    client.login(users["admin"].email)
    _assert_served_by_indexes(app, client, ["/admin/audit/", "/admin/audit/?last=1"], "audit_log")


def test_the_check_sees_a_list_that_lost_its_index(app, client, users, many_posts):
    """The plans above are what the indexes make them: without the title index, sorting by
    title reads and sorts the table (the DROP is rolled back with the test)."""
    client.login(users["admin"].email)
    url = f"/admin/posts/?sort={TITLE}"
    assert _problems(app, client, url) == []
    db.session.execute(text("DROP INDEX ix_posts_live_title"))
    refresh_statistics()
    assert _problems(app, client, url) != []


def test_the_check_sees_an_author_count_that_reads_the_table(app, client, users, many_posts):
    """An author's counts by state read their own index: without it, the dashboard's
    scheduled and published counts read each of the author's posts from the table to check
    its status or publish time (SQLite: an index that is not covering; PostgreSQL: a
    Filter on the rows read)."""
    client.login(users["author"].email)
    urls = ["/admin/", "/admin/posts/?flt0_0=scheduled"]
    assert [_problems(app, client, url) for url in urls] == [[], []]
    db.session.execute(text("DROP INDEX ix_posts_live_author_state"))
    refresh_statistics()
    # PostgreSQL finds other ranges as good for an author (no row read and thrown away):
    # the index is SQLite's, and the check's PostgreSQL side is shown by the title test.
    if dialect() == "sqlite":
        assert any(_problems(app, client, url) for url in urls)
