"""Each state of ``Post.in_state_at`` is one index range: the dashboard counts every state
and the list filters by them, so a state that reads all published posts to find the few
scheduled ones costs a tenth of a second per page at a million posts."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostState
from tests.factories import UserFactory
from tests.performance.seeding import refresh_statistics, seed_posts


@pytest.fixture
def many_posts():
    seed_posts([UserFactory(roles=["author"]) for _ in range(3)], 3000)
    refresh_statistics()


def _conditions_served_by_the_index(query) -> str:
    """The part of the plan that says how the index range is bounded."""
    compiled = query.compile(dialect=db.session.get_bind().dialect)
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(
            f"EXPLAIN QUERY PLAN {compiled}",
            tuple(compiled.params[name] for name in compiled.positiontup),
        ).all()
        return " ".join(row[3] for row in rows)
    plan = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params).scalar()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        found.append(node.get("Index Cond", ""))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return " ".join(found)


def test_a_timed_state_is_bounded_by_its_publish_time_in_the_index(many_posts):
    states = [PostState.SCHEDULED]
    if db.session.get_bind().dialect.name == "sqlite":
        # Nine posts in ten are published: PostgreSQL rightly reads those from the table
        # and stops at the count's bound; SQLite must still take the index range.
        states.append(PostState.PUBLISHED)
    for state in states:
        query = select(Post.id).where(Post.in_state_at(state, clock.utcnow())).limit(10_001)
        served = _conditions_served_by_the_index(query)
        assert "status" in served, (state, served)
        assert "published_at" in served, (state, served)
