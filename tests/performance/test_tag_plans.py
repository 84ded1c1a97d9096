"""Tags read what they show from indexes: the posts list filtered by a tag, and a tag's
posts for readers, newest first at any depth (``ix_post_tags_tag_published``).

As the other plan tests: a few thousand posts, statistics refreshed, the exact statements
EXPLAINed; no full read of ``posts`` or ``post_tags``, and no sort of either for a page
of a tag on many posts, which walks the list's order (``cms.tags.listing``; its bound
between few and many is scaled down to these few thousand posts). A tag on few posts is
read from its index range and sorted: that small sort is the point.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import literal, select, text

from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post
from cms.tags import listing
from cms.tags import service as tags
from cms.tags.models import post_tags
from tests.factories import UserFactory
from tests.performance.plans import plan_problems
from tests.performance.seeding import refresh_statistics, seed_posts
from tests.statements import recorded_executions

POSTS = 3000
#: The posts list's filters, by position: state, author, tag.
TAG_FILTER = 2


FEW = 100  # listing.FEW_POSTS, scaled down to POSTS


@pytest.fixture
def tagged_posts(users, monkeypatch):
    """``POSTS`` posts; "common" on a third of them, "rare" on ten."""
    monkeypatch.setattr(listing, "FEW_POSTS", FEW)
    authors = [users["author"], users["other_author"], users["editor"]]
    authors += [UserFactory(roles=["author"]) for _ in range(7)]
    seed_posts(authors, POSTS)
    common, rare = (
        tags.create_tag(users["editor"], "Common"),
        tags.create_tag(users["editor"], "Rare"),
    )
    for tag, every in ((common, 3), (rare, POSTS // 10)):
        chosen = select(Post.id, literal(tag.id)).where(Post.id % every == 0)
        db.session.execute(post_tags.insert().from_select(["post_id", "tag_id"], chosen))
    # Many tags, as a site has them, so the planner knows one tag is a small part.
    for number in range(40):
        tag = tags.create_tag(users["editor"], f"Other {number}")
        chosen = select(Post.id, literal(tag.id)).where(Post.id % 40 == number)
        db.session.execute(post_tags.insert().from_select(["post_id", "tag_id"], chosen))
    db.session.commit()
    refresh_statistics()
    return common, rare


def _problems(executions, *, may_sort: bool = False) -> list[str]:
    reading = [(s, p) for s, p in executions if re.search(r"\bFROM posts\b", s)]
    assert reading
    return [
        problem
        for statement, parameters in reading
        for table in ("posts", "post_tags")
        for problem in plan_problems(
            statement, parameters, table, ordered="ORDER BY" in statement and not may_sort
        )
    ]


def _request_problems(app, client, url: str) -> list[str]:
    with recorded_executions(app) as executions:
        assert client.get(url).status_code == 200, url
    return _problems(executions, may_sort=f"flt0_{TAG_FILTER}=rare" in url)


def test_the_posts_list_filtered_by_a_tag_reads_indexes(app, client, users, tagged_posts):
    client.login(users["admin"].email)
    urls = [
        f"/admin/posts/?flt0_{TAG_FILTER}=common",
        f"/admin/posts/?flt0_{TAG_FILTER}=rare",
        f"/admin/posts/?flt0_{TAG_FILTER}=common&sort=0",
        f"/admin/posts/?flt0_{TAG_FILTER}=common&flt1_0=draft",
    ]
    problems = {url: found for url in urls if (found := _request_problems(app, client, url))}
    assert problems == {}


def _page_plan(app, client, url: str) -> str:
    """The plan of the page's own SELECT (the one with the list's ORDER BY), EXPLAINed
    exactly as the request sent it."""
    with recorded_executions(app) as executions:
        assert client.get(url).status_code == 200, url
    pages = [(s, p) for s, p in executions if re.search(r"\bFROM posts\b.*ORDER BY", s, re.S)]
    assert len(pages) == 1, executions
    statement, parameters = pages[0]
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(row[3] for row in rows)
    rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
    return "\n".join(row[0] for row in rows)


def _walks(plan: str, index: str) -> bool:
    if db.session.get_bind().dialect.name == "sqlite":
        return (
            re.search(rf"(SCAN|SEARCH) posts USING (COVERING )?INDEX {index}\b", plan) is not None
        )
    return re.search(rf"Index (Only )?Scan (Backward )?using {index} on posts", plan) is not None


def _probes_each_post(plan: str) -> bool:
    """A seek in post_tags' primary key (post, tag) for each post read."""
    if db.session.get_bind().dialect.name == "sqlite":
        probe = r"SEARCH post_tags USING COVERING INDEX \w+ \(post_id=\? AND tag_id=\?\)"
        return "CORRELATED SCALAR SUBQUERY" in plan and re.search(probe, plan) is not None
    return re.search(r"Index (Only )?Scan using pk_post_tags on post_tags", plan) is not None


def _reads_the_tags_range(plan: str) -> bool:
    if db.session.get_bind().dialect.name == "sqlite":
        return "SEARCH post_tags USING COVERING INDEX ix_post_tags_tag_published" in plan
    return re.search(r"Index (Only )?Scan using ix_post_tags_tag_published", plan) is not None


LISTS = [("editor", "ix_posts_live_updated_at"), ("author", "ix_posts_live_author_updated_at")]


@pytest.mark.parametrize(("role", "order_index"), LISTS)
def test_a_tag_on_many_posts_walks_the_lists_order_and_tests_each_post(
    app, client, users, tagged_posts, role, order_index
):
    client.login(users[role].email)
    plan = _page_plan(app, client, f"/admin/posts/?flt0_{TAG_FILTER}=common")
    assert _walks(plan, order_index), plan
    assert _probes_each_post(plan), plan
    # (The figure counts the list's posts among a sample of the tag's: a read of its range.)
    assert "TEMP B-TREE" not in plan and "Sort" not in plan, plan


@pytest.mark.parametrize(("role", "order_index"), LISTS)
def test_a_tag_on_few_posts_reads_them_from_its_index_range_first(
    app, client, users, tagged_posts, role, order_index
):
    client.login(users[role].email)
    plan = _page_plan(app, client, f"/admin/posts/?flt0_{TAG_FILTER}=rare")
    assert _reads_the_tags_range(plan), plan
    assert not _walks(plan, order_index), plan


def _statement_problems(app, query) -> list[str]:
    with recorded_executions(app) as executions:
        db.session.execute(query).all()
    return _problems(executions)


@pytest.mark.parametrize("which", ["common", "rare"])
def test_a_tags_page_for_readers_is_one_index_range_at_any_depth(app, users, tagged_posts, which):
    tag = tagged_posts[0] if which == "common" else tagged_posts[1]
    first = publication.published_with_tag(tag.id).limit(11)
    posts = db.session.scalars(publication.published_with_tag(tag.id)).all()
    deep = posts[len(posts) * 2 // 3]
    later = publication.published_with_tag(
        tag.id, deep.published_at, before=(deep.published_at, deep.id)
    ).limit(11)
    assert _statement_problems(app, first) == []
    assert _statement_problems(app, later) == []


def test_the_check_sees_a_tag_page_without_its_index(app, users, tagged_posts):
    common, _ = tagged_posts
    query = publication.published_with_tag(common.id).limit(11)
    assert _statement_problems(app, query) == []
    db.session.execute(text("DROP INDEX ix_post_tags_tag_published"))
    refresh_statistics()
    assert _statement_problems(app, query) != []
