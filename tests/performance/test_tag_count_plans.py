"""Every tag with its published count (``/tags``, ``/api/v1/tags``, the sitemap's pages
file) reads the published posts as one range of the state index, each post's tags from
post_tags' primary key, and each tag once: the counts are grouped by the tag's id before
the tags are joined (``publication.tags_with_published_counts``). Grouping the join of
tags and posts looked a tag up and sorted its whole row for every (post, tag) pair: 1.2
times the bench's plain grouped query at 100,000 posts on SQLite; 0.7 times grouped first.

As the other plan tests: a few thousand posts, statistics refreshed, the exact statements
a request sent EXPLAINed; SQLite's plan names the index it reads and whether it is
covering.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import literal, select, text

from cms.extensions import db
from cms.posts.models import Post
from cms.tags import service as tags
from cms.tags.models import post_tags
from tests.factories import UserFactory
from tests.performance.plans import dialect
from tests.performance.seeding import refresh_statistics, seed_posts
from tests.statements import recorded_executions

POSTS = 3000
TAGS = 12
STATE_INDEX = "ix_posts_live_state"
PAGES = ["/tags", "/api/v1/tags", "/sitemap-pages-1.xml"]


@pytest.fixture
def tagged_site(users):
    authors = [users["author"], users["other_author"]]
    authors += [UserFactory(roles=["author"]) for _ in range(4)]
    seed_posts(authors, POSTS)
    for number in range(TAGS):
        tag = tags.create_tag(users["editor"], f"Topic {number}")
        chosen = select(Post.id, literal(tag.id)).where(Post.id % TAGS == number)
        db.session.execute(post_tags.insert().from_select(["post_id", "tag_id"], chosen))
    db.session.commit()
    refresh_statistics()


def _counts(app, client, path: str) -> list[tuple[str, object]]:
    """The statements of the request that count posts per tag."""
    with recorded_executions(app) as executions:
        assert client.get(path).status_code == 200, path
    counting = [(s, p) for s, p in executions if re.search(r"\bpost_tags\b.*GROUP BY", s, re.S)]
    assert counting, executions
    return counting


def _sqlite_problems(statement: str, parameters) -> list[str]:
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    rows = [tuple(row) for row in rows]
    problems = []
    posts = [row for row in rows if re.match(r"(SCAN|SEARCH) posts\b", row[3])]
    problems += [
        f"posts not a range of {STATE_INDEX}: {row[3]}"
        for row in posts
        if not row[3].startswith(f"SEARCH posts USING COVERING INDEX {STATE_INDEX} (status=?")
    ]
    problems += [
        f"post_tags read through table rows: {row[3]}"
        for row in rows
        if re.match(r"(SCAN|SEARCH) post_tags\b", row[3]) and "COVERING INDEX" not in row[3]
    ]
    # The loop over the published posts (the lines beside the posts' read) reads no tag:
    # a tag looked up there is looked up, and grouped with, every (post, tag) pair.
    loop = {row[1] for row in posts}
    problems += [
        f"a tag read for each post: {row[3]}"
        for row in rows
        if row[1] in loop and re.match(r"(SCAN|SEARCH) tags\b", row[3])
    ]
    return problems


def _problems(app, client, path: str) -> list[str]:
    if dialect() != "sqlite":
        # As in test_sitemap_plans: at a few thousand rows, not yet in the visibility map,
        # PostgreSQL reads most of posts by a Seq Scan or its primary key (its right choice
        # here, even with those switched off one by one); at 100,000 posts its plan is a
        # hash join of post_tags with an Index Only Scan of the state index's range
        # (the commit that grouped the counts by tag id has it).
        pytest.skip("PostgreSQL's plan for a read of most of the table is not pinned here")
    return [problem for s, p in _counts(app, client, path) for problem in _sqlite_problems(s, p)]


@pytest.mark.parametrize("path", PAGES)
def test_counting_each_tags_posts_reads_the_state_index_and_each_tag_once(
    app, client, tagged_site, path
):
    assert _problems(app, client, path) == []


def test_the_check_sees_the_counts_without_the_state_index(app, client, tagged_site):
    assert _problems(app, client, "/tags") == []
    db.session.execute(text(f"DROP INDEX {STATE_INDEX}"))
    refresh_statistics()
    assert _problems(app, client, "/tags") != []
