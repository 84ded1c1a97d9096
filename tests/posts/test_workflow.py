"""Every transition, by every kind of user, from every state: allowed, or refused with
nothing changed. Scheduling runs against a frozen clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cms import clock
from cms.extensions import db
from cms.posts import publication, workflow
from cms.posts.models import PostState, PostStatus
from cms.posts.workflow import ChangedSinceSeen, Transition, TransitionError

ACTORS = ("author", "other_author", "editor", "admin", "norole")
# Who may take each step (on the author's post), and from which states.
MAY = {
    Transition.SUBMIT: {"author", "editor", "admin"},
    Transition.WITHDRAW: {"author", "editor", "admin"},
    Transition.RETURN: {"editor", "admin"},
    Transition.PUBLISH: {"editor", "admin"},
    Transition.SCHEDULE: {"editor", "admin"},
    Transition.UNPUBLISH: {"editor", "admin"},
}
FROM = {
    Transition.SUBMIT: {PostState.DRAFT},
    Transition.WITHDRAW: {PostState.REVIEW},
    Transition.RETURN: {PostState.REVIEW},
    Transition.PUBLISH: {PostState.DRAFT, PostState.REVIEW, PostState.SCHEDULED},
    Transition.SCHEDULE: {PostState.DRAFT, PostState.REVIEW, PostState.SCHEDULED},
    Transition.UNPUBLISH: {PostState.SCHEDULED, PostState.PUBLISHED},
}
RESULT = {
    Transition.SUBMIT: PostState.REVIEW,
    Transition.WITHDRAW: PostState.DRAFT,
    Transition.RETURN: PostState.DRAFT,
    Transition.PUBLISH: PostState.PUBLISHED,
    Transition.SCHEDULE: PostState.SCHEDULED,
    Transition.UNPUBLISH: PostState.DRAFT,
}
CASES = [
    pytest.param(actor, step, state, id=f"{actor}-{step}-from-{state}")
    for actor in ACTORS
    for step in Transition
    for state in PostState
]


@pytest.fixture
def post_in(frozen_clock, users, post_factory):
    """The author's post, arranged in a given state at the frozen time."""

    def arrange(state: PostState):
        now = frozen_clock.now
        fields = {
            PostState.DRAFT: {"status": PostStatus.DRAFT},
            PostState.REVIEW: {"status": PostStatus.REVIEW},
            PostState.SCHEDULED: {
                "status": PostStatus.PUBLISHED,
                "published_at": now + timedelta(days=1),
            },
            PostState.PUBLISHED: {
                "status": PostStatus.PUBLISHED,
                "published_at": now - timedelta(days=1),
            },
            # Published before it was trashed: no step may bring it back to readers.
            PostState.TRASHED: {
                "status": PostStatus.PUBLISHED,
                "published_at": now - timedelta(days=1),
                "deleted_at": now - timedelta(hours=1),
            },
        }[state]
        post = post_factory(users["author"], **fields)
        assert post.state_at(now) is state
        return post

    return arrange


def _input(step: Transition) -> dict:
    if step is Transition.SCHEDULE:
        return {"publish_at": clock.utcnow() + timedelta(hours=3)}
    if step is Transition.RETURN:
        return {"comment": "Tighten the intro."}
    return {}


@pytest.mark.parametrize(("actor", "step", "state"), CASES)
def test_transition(users, post_in, actor, step, state):
    post = post_in(state)
    before = (post.status, post.published_at, post.editor_note)
    allowed = actor in MAY[step] and state in FROM[step]
    if allowed:
        assert (
            workflow.apply(post, users[actor], step, seen_version=post.version, **_input(step))
            is RESULT[step]
        )
        assert post.state_at(clock.utcnow()) is RESULT[step]
    else:
        with pytest.raises(TransitionError):
            workflow.apply(post, users[actor], step, seen_version=post.version, **_input(step))
        assert (post.status, post.published_at, post.editor_note) == before


@pytest.mark.parametrize("state", list(PostState))
def test_available_steps_are_exactly_the_allowed_ones(users, post_in, state):
    post = post_in(state)
    for actor in ACTORS:
        expected = [s for s in Transition if actor in MAY[s] and state in FROM[s]]
        assert workflow.available(post, users[actor]) == expected, actor


def test_a_scheduled_post_goes_live_by_itself(frozen_clock, users, post_in):
    post = post_in(PostState.DRAFT)
    go_live = frozen_clock.now + timedelta(hours=2)
    workflow.apply(
        post, users["editor"], Transition.SCHEDULE, seen_version=post.version, publish_at=go_live
    )

    assert not publication.is_published(post)
    assert publication.find_published(post.slug) is None
    frozen_clock(go_live - timedelta(seconds=1))
    assert publication.find_published(post.slug) is None
    frozen_clock(go_live)
    assert publication.is_published(post)
    assert publication.find_published(post.slug).id == post.id
    assert post.state_at(clock.utcnow()) is PostState.PUBLISHED


def test_returning_keeps_the_editors_note_until_resubmission(users, post_in):
    post = post_in(PostState.REVIEW)
    workflow.apply(
        post,
        users["editor"],
        Transition.RETURN,
        seen_version=post.version,
        comment="  Needs sources.  ",
    )
    assert (post.status, post.editor_note) == (PostStatus.DRAFT, "Needs sources.")
    db.session.flush()  # the step is saved before the author reads the post again
    workflow.apply(post, users["author"], Transition.SUBMIT, seen_version=post.version)
    assert (post.status, post.editor_note) == (PostStatus.REVIEW, None)


@pytest.mark.parametrize(
    ("step", "given", "message"),
    [
        (Transition.RETURN, {"comment": "   "}, "Say what the author should change"),
        (Transition.SCHEDULE, {}, "Give the date and time"),
        (Transition.SCHEDULE, {"publish_at": "past"}, "must be in the future"),
        ("explode", {}, "There is no such step"),
    ],
)
def test_bad_input_changes_nothing(users, post_in, step, given, message):
    post = post_in(PostState.REVIEW)
    if given.get("publish_at") == "past":
        given = {"publish_at": clock.utcnow() - timedelta(minutes=1)}
    with pytest.raises(TransitionError, match=message):
        workflow.apply(post, users["editor"], step, seen_version=post.version, **given)
    assert (post.status, post.published_at, post.editor_note) == (PostStatus.REVIEW, None, None)


def test_publishing_now_sets_the_time_to_now(frozen_clock, users, post_in):
    post = post_in(PostState.SCHEDULED)
    workflow.apply(post, users["editor"], Transition.PUBLISH, seen_version=post.version)
    assert post.published_at == frozen_clock.now


def test_a_step_on_a_post_changed_since_it_was_read_is_refused(users, post_in):
    post = post_in(PostState.REVIEW)
    seen = post.version
    post.body = "Words nobody reviewed."
    db.session.flush()  # the author's save: a new version
    with pytest.raises(ChangedSinceSeen, match="after you opened it"):
        workflow.apply(post, users["editor"], Transition.PUBLISH, seen_version=seen)
    assert (post.status, post.published_at) == (PostStatus.REVIEW, None)

    with pytest.raises(ChangedSinceSeen, match="did not say which version"):
        workflow.apply(post, users["editor"], Transition.PUBLISH, seen_version=None)
    assert (
        workflow.apply(post, users["editor"], Transition.PUBLISH, seen_version=post.version)
        is PostState.PUBLISHED
    )
