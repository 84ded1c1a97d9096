"""Edit conflicts and publish times, without HTTP: the rules the editor's form relies on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cms.audit import service as audit
from cms.extensions import db
from cms.posts import conflicts, workflow
from cms.posts.models import PostStatus


def _words(post, **changed) -> dict:
    return {"title": post.title, "slug": post.slug, "summary": post.summary,
            "body": post.body, **changed}  # fmt: skip


def test_no_conflict_while_nobody_saved_since(users, post_factory):
    post = post_factory(users["author"], body="Mine.")
    assert conflicts.conflict_with(post, post.version, _words(post, body="Changed.")) is None


def test_a_later_save_is_a_conflict_naming_who_and_what_differs(users, post_factory):
    post = post_factory(users["author"], body="Start.")
    opened = post.version
    post.body = "Theirs."
    audit.record("post.edit", post, actor=users["editor"])
    db.session.commit()

    conflict = conflicts.conflict_with(post, opened, _words(post, body="Mine."))

    assert conflict.who == users["editor"].email
    assert conflict.when == post.updated_at
    [diff] = conflict.diffs
    assert (diff.name, diff.lines) == ("body", [("-", "Theirs."), ("+", "Mine.")])


def test_a_different_author_choice_is_shown_too(users, post_factory):
    post = post_factory(users["author"])
    conflict = conflicts.conflict_with(post, post.version - 1, _words(post), users["editor"])
    assert [d.name for d in conflict.diffs] == ["author"]
    assert conflict.who == "Someone"  # nothing in the log names them


def test_a_save_is_refused_once_the_post_left_the_authors_hands(users, post_factory):
    post = post_factory(users["author"])
    assert conflicts.save_refused(users["author"], post) is None
    post.status, post.published_at = PostStatus.PUBLISHED, datetime.now(UTC)
    assert "now published and no longer yours" in conflicts.save_refused(users["author"], post)
    post.deleted_at = datetime.now(UTC)
    assert "moved to the trash" in conflicts.save_refused(users["author"], post)
    assert conflicts.save_refused(users["other_author"], post) is None  # never theirs at all


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-01T09:30", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        (" 2026-03-01 09:30:15 ", datetime(2026, 3, 1, 9, 30, 15, tzinfo=UTC)),
        ("2026-03-01T10:30+01:00", datetime(2026, 3, 1, 9, 30, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_publish_times_are_read_as_utc(typed, expected):
    parsed = workflow.parse_publish_time(typed)
    assert parsed == expected
    if parsed is not None:
        assert parsed.utcoffset() == timedelta(0) and parsed.tzinfo is UTC


@pytest.mark.parametrize("typed", ["tomorrow", "2026-13-01T00:00", "99999-01-01T00:00"])
def test_a_publish_time_that_is_no_time_is_a_transition_error(typed):
    with pytest.raises(workflow.TransitionError, match="is not a date and time"):
        workflow.parse_publish_time(typed)


def test_an_aware_time_keeps_its_moment():
    cet = timezone(timedelta(hours=1))
    assert workflow.parse_publish_time("2026-03-01T10:30+01:00") == datetime(
        2026, 3, 1, 10, 30, tzinfo=cet
    )
