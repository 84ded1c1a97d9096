"""Moving a post between draft, review, scheduled and published.

Every change of state, from the admin's buttons, its bulk actions or the CLI, is one of
these transitions, checked against the policy. Forms never carry a status or a publish
time, so there is no other way to publish.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime

from cms import clock
from cms.accounts.models import User
from cms.accounts.permissions import Someone
from cms.audit import service as audit
from cms.dates import format_utc
from cms.extensions import db
from cms.posts import conflicts, slugs
from cms.posts.models import Post, PostState, PostStatus
from cms.posts.policy import Action, can


class TransitionError(Exception):
    """The transition cannot happen; the message says why, for the person who asked."""

    #: Why, in a few words, when a bulk step counts the posts it left (None: the step's own).
    in_bulk: str | None = None


class ChangedSinceSeen(TransitionError):
    """The post changed after the actor read it: the step would act on words or a state they
    never saw (publish text nobody reviewed). An API answers 409 to it."""

    in_bulk = "changed since you opened the list"


class AddressTaken(TransitionError):
    """Going live would give the post an address another post holds."""

    in_bulk = "the address is another post's (open the post to see whose)"


class Transition(enum.StrEnum):
    SUBMIT = "submit"
    WITHDRAW = "withdraw"
    RETURN = "return"
    PUBLISH = "publish"
    SCHEDULE = "schedule"
    UNPUBLISH = "unpublish"


@dataclass(frozen=True)
class _Rule:
    label: str
    from_states: frozenset[PostState]
    needs: Action


RULES = {
    Transition.SUBMIT: _Rule("Submit for review", frozenset({PostState.DRAFT}), Action.SUBMIT),
    Transition.WITHDRAW: _Rule(
        "Withdraw from review", frozenset({PostState.REVIEW}), Action.SUBMIT
    ),
    Transition.RETURN: _Rule("Return to the author", frozenset({PostState.REVIEW}), Action.PUBLISH),
    Transition.PUBLISH: _Rule(
        "Publish now",
        frozenset({PostState.DRAFT, PostState.REVIEW, PostState.SCHEDULED}),
        Action.PUBLISH,
    ),
    Transition.SCHEDULE: _Rule(
        "Schedule",
        frozenset({PostState.DRAFT, PostState.REVIEW, PostState.SCHEDULED}),
        Action.PUBLISH,
    ),
    Transition.UNPUBLISH: _Rule(
        "Unpublish", frozenset({PostState.SCHEDULED, PostState.PUBLISHED}), Action.PUBLISH
    ),
}


def label(transition: Transition) -> str:
    return RULES[transition].label


def needs(transition: Transition) -> Action:
    """The permission ``transition`` needs, for whoever offers it (a button, a bulk action)."""
    return RULES[transition].needs


def parse_publish_time(text: str | None) -> datetime | None:
    """A publish time as typed (ISO 8601; a browser's datetime-local has no zone and means
    UTC), as an aware UTC moment; None for nothing typed.

    :raise TransitionError: when it is not a date and time.
    """
    if not text or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):  # not a date, or one no calendar here can hold
        raise TransitionError(
            f"{text.strip()!r} is not a date and time (use YYYY-MM-DD HH:MM, in UTC)."
        ) from None


def available(post: Post, actor: Someone) -> list[Transition]:
    """The transitions ``actor`` may make on ``post`` now, in the order to offer them."""
    state = post.state_at(clock.utcnow())
    return [
        transition
        for transition, rule in RULES.items()
        if state in rule.from_states and can(actor, rule.needs, post)
    ]


def apply(
    post: Post,
    actor: User,
    transition: Transition | str,
    *,
    seen_version: int | None,
    publish_at: datetime | None = None,
    comment: str | None = None,
) -> PostState:
    """Make the transition (not committed) and return the post's new state.

    ``seen_version`` is the ``post.version`` the actor read before asking (the page, list
    or API answer they decided on); None, from a client that did not say, is refused too.

    :raise ChangedSinceSeen: when the post changed since the actor read it.
    :raise TransitionError: when the transition is unknown, not allowed for this actor,
        not possible from the post's state, or its input is wrong. Nothing is changed then.
    """
    try:
        transition = Transition(transition)
    except ValueError:
        raise TransitionError(f"There is no such step as {transition!r}.") from None
    rule = RULES[transition]
    now = clock.utcnow()
    state = post.state_at(now)
    if not can(actor, rule.needs, post):
        raise TransitionError(f"You may not {rule.label.lower()} this post.")
    _require_unchanged(post, seen_version, rule)
    if state not in rule.from_states:
        raise TransitionError(f"A post that is {state.label.lower()} cannot be: {rule.label}.")
    if transition in (Transition.PUBLISH, Transition.SCHEDULE):
        _require_own_address(post, rule)

    if transition is Transition.SUBMIT:
        post.status, post.editor_note = PostStatus.REVIEW, None
    elif transition is Transition.WITHDRAW:
        post.status = PostStatus.DRAFT
    elif transition is Transition.RETURN:
        comment = (comment or "").strip()
        if not comment:
            raise TransitionError("Say what the author should change before returning the post.")
        post.status, post.editor_note = PostStatus.DRAFT, comment
    elif transition is Transition.PUBLISH:
        post.status, post.published_at = PostStatus.PUBLISHED, now
    elif transition is Transition.SCHEDULE:
        if publish_at is None:
            raise TransitionError("Give the date and time to publish at.")
        if publish_at.tzinfo is None:
            raise TransitionError("The publish time needs a time zone.")
        if publish_at <= now:
            raise TransitionError("The publish time must be in the future; use Publish now.")
        post.status, post.published_at = PostStatus.PUBLISHED, publish_at
    elif transition is Transition.UNPUBLISH:
        post.status = PostStatus.DRAFT
    new_state = post.state_at(now)
    details = {"state": [state.value, new_state.value]}
    if transition is Transition.SCHEDULE:
        details["publish_at"] = post.published_at
    if transition is Transition.RETURN:
        details["note"] = post.editor_note
    audit.record(f"post.{transition.value}", post, details, actor=actor)
    return new_state


def _require_unchanged(post: Post, seen_version: int | None, rule: _Rule) -> None:
    if seen_version is None:
        raise ChangedSinceSeen(
            f"“{rule.label}” was not done: the page did not say which version of the post "
            "you saw. Reload it and try again."
        )
    change = conflicts.changed_since(post, seen_version)
    if change is not None:
        raise ChangedSinceSeen(
            f"{change.who} changed this post at {format_utc(change.when)}, after you opened "
            f"it, so “{rule.label}” was not done. Look at it as it is now, then try again."
        )


def _require_own_address(post: Post, rule: _Rule) -> None:
    # Only editors take these steps, and they see every post: naming the holder tells them
    # nothing they could not look up. The flush lets a bulk step see the posts it has just
    # published.
    db.session.flush()
    holder = slugs.holder_of(post.slug, post.id)
    if holder is not None:
        raise AddressTaken(
            f"{holder.explain(post.slug)} “{rule.label}” was not done: give this post "
            "another address first."
        )
