"""What readers may see, and when: the Python and SQL halves of "published" agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cms.extensions import db
from cms.posts.models import PostStatus
from cms.posts.publication import find_published, is_published, published_posts

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PUBLISHED = PostStatus.PUBLISHED


def visible_titles() -> list[str]:
    """What the SQL side lets readers see now, in its order."""
    return [post.title for post in db.session.scalars(published_posts())]


@pytest.fixture
def author(users):
    return users["author"]


def test_a_draft_is_not_published(frozen_clock, post_factory, author):
    draft = post_factory(author, title="Draft")

    assert not is_published(draft)
    assert visible_titles() == []
    assert find_published(draft.slug) is None


def test_an_unpublished_post_with_a_past_publish_time_is_not_published(
    frozen_clock, post_factory, author
):
    taken_down = post_factory(author, title="Taken down", published_at=NOW - timedelta(days=3))

    assert taken_down.status is PostStatus.DRAFT
    assert not is_published(taken_down)
    assert visible_titles() == []


def test_a_post_published_in_the_past_is_published(frozen_clock, post_factory, author):
    post = post_factory(
        author, title="Out", status=PUBLISHED, published_at=NOW - timedelta(hours=1)
    )

    assert is_published(post)
    assert visible_titles() == ["Out"]
    assert find_published(post.slug).id == post.id


def test_a_post_scheduled_for_the_future_appears_once_its_time_comes(
    frozen_clock, post_factory, author
):
    publish_time = NOW + timedelta(days=1)
    post = post_factory(author, title="Tomorrow", status=PUBLISHED, published_at=publish_time)

    assert not is_published(post)
    assert visible_titles() == []
    assert find_published(post.slug) is None

    frozen_clock(publish_time - timedelta(microseconds=1))
    assert not is_published(post)
    assert visible_titles() == []

    frozen_clock(publish_time)
    assert is_published(post)
    assert visible_titles() == ["Tomorrow"]
    assert find_published(post.slug).id == post.id

    frozen_clock(publish_time + timedelta(days=30))
    assert is_published(post)
    assert visible_titles() == ["Tomorrow"]


@pytest.mark.parametrize(
    "moment",
    [
        NOW - timedelta(days=400),
        NOW - timedelta(hours=2),
        NOW - timedelta(hours=1, seconds=1),
        NOW - timedelta(hours=1),
        NOW,
        NOW + timedelta(minutes=30),
        NOW + timedelta(hours=3),
        NOW + timedelta(days=400),
    ],
)
def test_python_and_sql_agree_on_what_is_published(frozen_clock, post_factory, author, moment):
    cet = timezone(timedelta(hours=1))
    posts = [
        post_factory(author, title="draft, no time"),
        post_factory(author, title="draft, past time", published_at=NOW - timedelta(days=1)),
        post_factory(
            author, title="an hour ago", status=PUBLISHED, published_at=NOW - timedelta(hours=1)
        ),
        post_factory(author, title="now", status=PUBLISHED, published_at=NOW),
        post_factory(
            author, title="in two hours", status=PUBLISHED, published_at=NOW + timedelta(hours=2)
        ),
        # 12:30 in UTC+1 is 11:30 UTC: half an hour ago, not half an hour from now.
        post_factory(
            author,
            title="11:30 UTC given as CET",
            status=PUBLISHED,
            published_at=datetime(2026, 1, 15, 12, 30, tzinfo=cet),
        ),
    ]
    frozen_clock(moment)

    in_python = {post.title for post in posts if is_published(post)}
    in_sql = set(visible_titles())

    assert in_python == in_sql
    for post in posts:
        assert (find_published(post.slug) is not None) is (post.title in in_python)


def test_the_moment_of_publication_in_both_halves(frozen_clock, post_factory, author):
    """A spot check of the table above, so a wrong agreement (both never publish) fails too."""
    cet = timezone(timedelta(hours=1))
    post_factory(
        author,
        title="12:30 CET",
        status=PUBLISHED,
        published_at=datetime(2026, 1, 15, 12, 30, tzinfo=cet),
    )
    post_factory(author, title="now", status=PUBLISHED, published_at=NOW)
    post_factory(author, title="later", status=PUBLISHED, published_at=NOW + timedelta(hours=2))

    frozen_clock(datetime(2026, 1, 15, 11, 29, 59, tzinfo=UTC))
    assert visible_titles() == []
    frozen_clock(datetime(2026, 1, 15, 11, 30, tzinfo=UTC))
    assert visible_titles() == ["12:30 CET"]
    frozen_clock(NOW)
    assert visible_titles() == ["now", "12:30 CET"]
    frozen_clock(NOW + timedelta(hours=2))
    assert visible_titles() == ["later", "now", "12:30 CET"]


def test_published_posts_are_newest_first(frozen_clock, post_factory, author, users):
    # Created in an order unlike their publish order, by two authors.
    post_factory(author, title="Tuesday", status=PUBLISHED, published_at=NOW - timedelta(days=2))
    post_factory(users["editor"], title="Thursday", status=PUBLISHED, published_at=NOW)
    post_factory(author, title="Monday", status=PUBLISHED, published_at=NOW - timedelta(days=3))
    post_factory(author, title="Draft", published_at=NOW - timedelta(days=1))
    post_factory(author, title="Friday", status=PUBLISHED, published_at=NOW + timedelta(days=1))
    post_factory(author, title="Wednesday", status=PUBLISHED, published_at=NOW - timedelta(days=1))

    assert visible_titles() == ["Thursday", "Wednesday", "Tuesday", "Monday"]


def test_posts_published_at_the_same_moment_have_a_stable_order(frozen_clock, post_factory, author):
    first = post_factory(author, title="First saved", status=PUBLISHED, published_at=NOW)
    second = post_factory(author, title="Second saved", status=PUBLISHED, published_at=NOW)

    assert visible_titles() == ["Second saved", "First saved"]
    assert second.id > first.id


def test_find_published_only_finds_what_readers_may_see(frozen_clock, post_factory, author):
    out = post_factory(author, title="Out", status=PUBLISHED, published_at=NOW - timedelta(days=1))
    draft = post_factory(author, title="Draft")
    future = post_factory(
        author, title="Future", status=PUBLISHED, published_at=NOW + timedelta(days=1)
    )

    assert find_published(out.slug).id == out.id
    assert find_published(draft.slug) is None
    assert find_published(future.slug) is None
    assert find_published("no-such-post") is None
