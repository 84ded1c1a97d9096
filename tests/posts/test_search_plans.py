"""Search reads the index, not every post: the query plans on a few thousand posts with
the planner's statistics refreshed (ANALYZE), as at a million posts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from cms import clock
from cms.extensions import db
from cms.posts import policy, search
from cms.posts.models import Post

POSTS = 3000
COMMON = "the quick brown fox jumps over the lazy dog and writes another long paragraph"


@pytest.fixture
def many_posts(users):
    """``POSTS`` posts, five of which mention "zeppelin" (in a title, summary or body)."""
    author = users["author"]
    now = clock.utcnow()
    rows = []
    for n in range(POSTS):
        rare = n % (POSTS // 5) == 0
        rows.append(
            {
                "title": f"Post {n} {'zeppelin' if rare and n % 2 else 'notes'}",
                "slug": f"post-{n}",
                "summary": "Zeppelins, again." if rare else "",
                "body": f"{COMMON} {n}. " * 20,
                "status": "draft",
                "author_id": author.id,
                "created_at": now - timedelta(minutes=n),
                "updated_at": now - timedelta(minutes=n),
                "version": 1,
            }
        )
    db.session.execute(insert(Post.__table__), rows)
    connection = db.session.connection()
    if _dialect() == "postgresql":
        # New GIN entries wait in the index's pending list (fastupdate) until a vacuum
        # moves them into the index, and the planner prices an index with a long pending
        # list as a full read of it. Autovacuum does this on a live table; VACUUM cannot
        # run in the test's transaction, this function can.
        connection.exec_driver_sql("SELECT gin_clean_pending_list('ix_posts_search_vector')")
    connection.exec_driver_sql("ANALYZE" if _dialect() == "sqlite" else "ANALYZE posts")
    return users


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def plan_of(query) -> str:
    bind = db.session.get_bind()
    sql = str(query.compile(bind, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if _dialect() == "sqlite" else "EXPLAIN "
    rows = db.session.connection().exec_driver_sql(explain + sql).all()
    return "\n".join(str(row[-1]) for row in rows)


def admin_list(user, words: str):
    """The query the posts list sends for a search: the policy's scope, out of the trash,
    the list's default order, one page."""
    return (
        select(Post)
        .where(policy.admin_scope(user), ~Post.in_trash, search.matching(words))
        .order_by(Post.updated_at.desc())
        .limit(20)
    )


def assert_reads_the_index(plan: str) -> None:
    if _dialect() == "sqlite":
        assert re.search(r"SCAN posts_fts VIRTUAL TABLE INDEX \d+:M", plan), plan
        assert not re.search(r"SCAN posts\b(?! USING)", plan), plan
    else:
        assert "Bitmap Index Scan on ix_posts_search_vector" in plan, plan
        assert "Seq Scan on posts" not in plan, plan


@pytest.mark.parametrize("words", ["zeppelin", "zepp", "zeppelin again"])
@pytest.mark.parametrize("role", ["editor", "author"])
def test_the_admin_search_reads_the_index(many_posts, role, words):
    assert_reads_the_index(plan_of(admin_list(many_posts[role], words)))
    found = db.session.scalars(admin_list(many_posts[role], words)).all()
    assert len(found) == 5


def test_the_ranked_search_reads_the_index(many_posts):
    query = search.ranked(select(Post).where(~Post.in_trash), "zeppelin").limit(10)
    assert_reads_the_index(plan_of(query))
    assert len(db.session.scalars(query).all()) == 5
