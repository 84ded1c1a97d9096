"""A post's state, in Python and in SQL: the hybrids on the model agree on every
combination of stored status, publish time and trash, and the database refuses the one
combination that names no state."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cms.extensions import db
from cms.posts.models import Post, PostState, PostStatus

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PUBLISH_TIMES = {
    "no time": None,
    "last year": NOW - timedelta(days=365),
    "now": NOW,
    "in a minute": NOW + timedelta(minutes=1),
}
MOMENTS = [NOW - timedelta(days=400), NOW - timedelta(seconds=1), NOW, NOW + timedelta(hours=1)]


@pytest.fixture
def every_kind_of_post(post_factory, users):
    """One post for each storable combination, titled after it."""
    posts = []
    for status, (when, published_at), trashed in itertools.product(
        PostStatus, PUBLISH_TIMES.items(), (False, True)
    ):
        if status is PostStatus.PUBLISHED and published_at is None:
            continue  # refused by the database: see the last test
        posts.append(
            post_factory(
                users["author"],
                title=f"{status.value}, {when}, {'trashed' if trashed else 'live'}",
                status=status,
                published_at=published_at,
                deleted_at=NOW - timedelta(days=2) if trashed else None,
            )
        )
    return posts


@pytest.mark.parametrize("moment", MOMENTS)
def test_python_and_sql_give_every_post_the_same_state(every_kind_of_post, moment):
    in_python = {post.title: post.state_at(moment).value for post in every_kind_of_post}
    rows = db.session.execute(select(Post.title, Post.state_at(moment)))
    in_sql = {title: state for title, state in rows}
    assert in_sql == in_python


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("state", PostState)
def test_the_state_filter_holds_exactly_the_posts_in_that_state(every_kind_of_post, moment, state):
    in_python = {post.title for post in every_kind_of_post if post.in_state_at(state, moment)}
    in_sql = set(db.session.scalars(select(Post.title).where(Post.in_state_at(state, moment))))
    assert in_sql == in_python
    assert in_python == {p.title for p in every_kind_of_post if p.state_at(moment) is state}


def test_in_trash_in_python_and_sql(every_kind_of_post):
    in_python = {post.title for post in every_kind_of_post if post.in_trash}
    in_sql = set(db.session.scalars(select(Post.title).where(Post.in_trash)))
    outside = set(db.session.scalars(select(Post.title).where(~Post.in_trash)))
    assert in_sql == in_python == {p.title for p in every_kind_of_post if "trashed" in p.title}
    assert outside == {post.title for post in every_kind_of_post} - in_python


def test_spot_checks_so_agreement_cannot_hide_a_shared_mistake(every_kind_of_post):
    states = {post.title: post.state_at(NOW) for post in every_kind_of_post}
    assert states["published, last year, live"] is PostState.PUBLISHED
    assert states["published, now, live"] is PostState.PUBLISHED
    assert states["published, in a minute, live"] is PostState.SCHEDULED
    assert states["published, now, trashed"] is PostState.TRASHED
    assert states["review, last year, live"] is PostState.REVIEW
    assert states["draft, in a minute, live"] is PostState.DRAFT


def test_the_database_refuses_a_published_post_without_a_publish_time(users):
    post = Post(title="Nowhen", slug="nowhen", author=users["author"], status=PostStatus.PUBLISHED)
    db.session.add(post)
    with pytest.raises(IntegrityError, match="published_has_time"):
        db.session.flush()
    db.session.rollback()
