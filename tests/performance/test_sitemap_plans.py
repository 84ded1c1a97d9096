"""The sitemap's grouped reads over every published post (the index's blocks of ids, the
pages file's authors and tags, each with when readers last saw a post change) read the
posts from an index that holds every column they need, never a table row per post: at a
million posts on SQLite a row read goes past the post's 2 KB body, and the index took 12 s
instead of 1.7 s, the pages file 51 s instead of 9 s (README, "Performance").

As the other plan tests: a few thousand posts, statistics refreshed, the exact statements
a request sent EXPLAINed. SQLite's plan names the index it reads and whether it is
covering.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, literal, select

from cms.extensions import db
from cms.posts.models import Post
from cms.tags import service as tags
from cms.tags.models import post_tags
from tests.factories import UserFactory
from tests.performance.plans import dialect
from tests.performance.seeding import refresh_statistics, seed_posts
from tests.statements import recorded_executions

POSTS = 3000


@pytest.fixture
def site(app, users, monkeypatch):
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 500)  # an index of six posts files
    authors = [users["author"], users["other_author"]]
    authors += [UserFactory(roles=["author"]) for _ in range(6)]
    seed_posts(authors, POSTS)
    for number in range(5):
        tag = tags.create_tag(users["editor"], f"Topic {number}")
        chosen = select(Post.id, literal(tag.id)).where(Post.id % 5 == number)
        db.session.execute(post_tags.insert().from_select(["post_id", "tag_id"], chosen))
    db.session.commit()
    refresh_statistics()


def _grouped_reads(app, client, path: str) -> list[tuple[str, object]]:
    with recorded_executions(app) as executions:
        assert client.get(path).status_code == 200, path
    grouped = [(s, p) for s, p in executions if re.search(r"\bposts\b.*GROUP BY", s, re.S)]
    assert grouped, executions
    return grouped


def _sqlite_post_reads(statement: str, parameters) -> list[str]:
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    return [row[3] for row in rows if re.match(r"(SCAN|SEARCH) posts\b", row[3])]


def test_the_state_indexes_hold_when_each_post_last_changed(app):
    """Both databases: what the plans below rely on is in the schema the migrations made."""
    with app.app_context():
        indexes = {index["name"]: index for index in inspect(db.engine).get_indexes("posts")}
    for name in ("ix_posts_live_state", "ix_posts_live_author_state"):
        assert "updated_at" in indexes[name]["column_names"], name


@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-pages-1.xml"])
def test_the_sitemaps_grouped_reads_take_every_column_from_an_index(app, client, site, path):
    if dialect() != "sqlite":
        # A Seq Scan is PostgreSQL's right choice on a few thousand rows, and it costs an
        # index-only scan as an index scan while the rows are not in the visibility map
        # (inserted in the test's transaction): its plans at a million posts are in the
        # README ("Performance").
        pytest.skip("PostgreSQL's plan for a read of most of the table is not pinned here")
    for statement, parameters in _grouped_reads(app, client, path):
        reads = _sqlite_post_reads(statement, parameters)
        assert reads, statement
        assert all("USING COVERING INDEX" in read for read in reads), (statement, reads)
