"""The admin's search finds a page the cheap way for the word searched: the statements
the posts list sends, EXPLAINed exactly as sent.

Two cases, which neither planner tells apart by itself (``cms.posts.search.Lookup``):

- A word in few posts, and one the planner's statistics have never seen (the posts that
  hold it arrive after ANALYZE, as a typo or a new word would): the list reads its
  matches from the search index, then sorts that handful. PostgreSQL left to itself
  guesses ~0.5% of the table for such a word and walks the list's order index through
  the whole table, unpacking every post's vector (2.3 s at 200,000 posts).
- A word in most posts: the list walks its order index and tests each post, stopping
  after a page. SQLite left to itself reads the word's whole list of posts from the index
  first, then sorts them all (650 ms at 200,000 posts).

The lookup's bound (``FEW_MATCHES``, ten thousand) is scaled down to these few thousand
posts, so that both cases are what they are at a million.
"""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, text, update

from cms import clock
from cms.extensions import db
from cms.posts import search
from cms.posts.models import Post
from tests.statements import recorded_executions

POSTS = 3000
FEW = 100  # the bound, scaled down to POSTS
DENSE = 1000  # SQLite's bound between reading the ids once and a probe per post, scaled
MEDIUM = "tarragon"  # in one post of ten: more than FEW, fewer than DENSE
COMMON = "the weather report and the river notes"
RARE = "zyzzyva"  # in 5 posts, added after ANALYZE
_VOCABULARY = [f"lexeme{n}" for n in range(3000)]
ORDER_INDEX = "ix_posts_live_updated_at"
AUTHOR_ORDER_INDEX = "ix_posts_live_author_updated_at"


def _rows(author, count, words, start=0):
    """Posts whose bodies hold ``words`` and a draw from a vocabulary of a few thousand
    words, as real posts do: PostgreSQL's statistics then keep a full list of common
    lexemes, from which they estimate a prefix (with only a handful of distinct words
    they guess 2% for any prefix, "the" included)."""
    now = clock.utcnow()
    rng = random.Random(start)
    return [
        {
            "title": f"Post {n}",
            "slug": f"post-{n}",
            "summary": "",
            "body": f"{words} {n}. " * 3 + " ".join(rng.choices(_VOCABULARY, k=40)),
            "status": "draft",
            "author_id": author.id,
            "created_at": now - timedelta(minutes=n),
            "updated_at": now - timedelta(minutes=n),
            "version": 1,
        }
        for n in range(start, start + count)
    ]


@pytest.fixture
def searched_posts(users, monkeypatch):
    monkeypatch.setattr(search, "FEW_MATCHES", FEW)
    monkeypatch.setattr(search, "DENSE_MATCHES", DENSE)
    authors = [users["author"], users["other_author"], users["editor"]]
    rows = []
    for number, author in enumerate(authors):
        rows += _rows(author, POSTS // 3, COMMON, start=number * POSTS)
    db.session.execute(insert(Post.__table__), rows)
    db.session.execute(update(Post).where(Post.id % 10 == 0).values(body=Post.body + f" {MEDIUM}"))
    _refresh_statistics()
    # After ANALYZE: the statistics do not know the rare word.
    db.session.execute(insert(Post.__table__), _rows(users["author"], 5, RARE, start=10 * POSTS))
    _clean_pending_list()
    return users


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _clean_pending_list() -> None:
    # New GIN entries wait in the index's pending list until a vacuum; the planner prices
    # a long pending list as a full read of the index. Autovacuum empties it on a live
    # table; VACUUM cannot run in the test's transaction, this function can.
    if _dialect() == "postgresql":
        db.session.execute(text("SELECT gin_clean_pending_list('ix_posts_search_vector')"))


def _refresh_statistics() -> None:
    _clean_pending_list()
    db.session.execute(text("ANALYZE"))


def _page_plan(app, client, url: str) -> str:
    """The plan of the page's own SELECT (the one with the list's ORDER BY), EXPLAINed
    exactly as the request sent it."""
    with recorded_executions(app) as executions:
        response = client.get(url)
    assert response.status_code == 200, url
    pages = [(s, p) for s, p in executions if re.search(r"\bFROM posts\b.*ORDER BY", s, re.S)]
    assert len(pages) == 1, executions
    statement, parameters = pages[0]
    connection = db.session.connection()
    if _dialect() == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(row[3] for row in rows)
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    return "\n".join(row[0] for row in rows)


def _walks(plan: str, index: str) -> bool:
    if _dialect() == "sqlite":
        return (
            re.search(rf"(SCAN|SEARCH) posts USING (COVERING )?INDEX {index}\b", plan) is not None
        )
    return re.search(rf"Index (Only )?Scan (Backward )?using {index} on posts", plan) is not None


def _shown(client, url) -> int:
    page = client.get(url).get_data(as_text=True)
    return len(re.findall(r'<td class="col-title">', page))


LISTS = [("editor", ORDER_INDEX), ("author", AUTHOR_ORDER_INDEX)]


@pytest.mark.parametrize(("role", "order_index"), LISTS)
def test_a_word_unknown_to_the_statistics_is_read_from_the_index_first(
    app, client, searched_posts, role, order_index
):
    client.login(searched_posts[role].email)
    url = f"/admin/posts/?search={RARE}"
    assert _shown(client, url) == 5
    plan = _page_plan(app, client, url)
    assert not _walks(plan, order_index), plan
    if _dialect() == "sqlite":
        assert re.search(r"LIST SUBQUERY.*\n.*SCAN posts_fts VIRTUAL TABLE INDEX \d+:M", plan)
        assert "SEARCH posts USING INTEGER PRIMARY KEY (rowid=?)" in plan, plan
    else:
        assert "Bitmap Index Scan on ix_posts_search_vector" in plan, plan
        # The matches fetched by their places in the table, once, then sorted.
        assert re.search(r"Tid Scan on posts", plan), plan
        assert plan.count("ix_posts_search_vector") == 1, plan


@pytest.mark.parametrize("words", ["the", "th", '"river" the'])
@pytest.mark.parametrize(("role", "order_index"), LISTS)
def test_a_common_word_walks_the_lists_order_and_tests_each_post(
    app, client, searched_posts, role, order_index, words
):
    client.login(searched_posts[role].email)
    url = f"/admin/posts/?search={words.replace(' ', '+')}"
    assert _shown(client, url) == 20
    plan = _page_plan(app, client, url)
    assert _walks(plan, order_index), plan
    if _dialect() == "sqlite":
        # A probe of the index for each post (its rowid), not a read of the word's list.
        assert "TEMP B-TREE" not in plan, plan
        assert re.search(
            r"CORRELATED SCALAR SUBQUERY.*\n.*SCAN posts_fts VIRTUAL TABLE INDEX \d+:=M", plan
        ), plan
    else:
        assert "ix_posts_search_vector" not in plan, plan
        assert "Sort" not in plan, plan


@pytest.mark.parametrize("words", ["river", "weather"])
@pytest.mark.parametrize(("role", "order_index"), LISTS)
def test_a_common_prefix_the_index_keeps_no_list_for_is_read_once_on_sqlite(
    app, client, searched_posts, role, order_index, words
):
    """SQLite: probing one post for a prefix of four letters or more merges the lists of
    every word it begins, each time (5.6 s for a page of "river", a prefix of one post in
    five, at a million posts); reading its ids once costs one such merge."""
    client.login(searched_posts[role].email)
    url = f"/admin/posts/?search={words}"
    assert _shown(client, url) == 20
    plan = _page_plan(app, client, url)
    assert _walks(plan, order_index), plan
    if _dialect() == "sqlite":
        assert "CORRELATED" not in plan, plan
        assert re.search(r"LIST SUBQUERY.*\n.*SCAN posts_fts VIRTUAL TABLE INDEX \d+:M", plan), plan
    else:
        assert "ix_posts_search_vector" not in plan, plan


@pytest.mark.parametrize(("role", "order_index"), LISTS)
def test_a_word_in_one_post_of_ten_walks_the_lists_order_against_its_ids_read_once(
    app, client, searched_posts, role, order_index
):
    # At a million posts, a probe of the index for each post (the common word's plan) took
    # a second for a word in 1% of them: a page was 2,000 probes away.
    client.login(searched_posts[role].email)
    url = f"/admin/posts/?search={MEDIUM}"
    assert _shown(client, url) == 20
    plan = _page_plan(app, client, url)
    # PostgreSQL picks its way from its statistics, which know the word (the tests above
    # pin its two ways); SQLite's is the lookup's choice.
    if _dialect() == "sqlite":
        assert _walks(plan, order_index), plan
        assert "TEMP B-TREE" not in plan, plan
        assert "CORRELATED" not in plan, plan
        assert re.search(r"LIST SUBQUERY.*\n.*SCAN posts_fts VIRTUAL TABLE INDEX \d+:M", plan), plan
