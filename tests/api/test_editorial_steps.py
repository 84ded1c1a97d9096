"""Workflow steps through a token: an author submits, an editor publishes, and each
refusal answers its own status and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cms import clock
from cms.posts.models import PostStatus
from tests.api.editorial import bearer, database_state, last_audit

POSTS = "/api/v1/editorial/posts"


def step(client, headers, post: dict, name: str, **extra):
    body = {"step": name, "version": post["version"], **extra}
    return client.post(f"{POSTS}/{post['id']}/transitions", json=body, headers=headers)


def test_an_author_submits_and_an_editor_publishes(client, users):
    author, editor = bearer(users["author"], "writer"), bearer(users["editor"], "desk")
    draft = client.post(POSTS, json={"title": "Going live"}, headers=author).json

    submitted = step(client, author, draft, "submit")
    assert submitted.status_code == 200 and submitted.json["state"] == "review"
    before = database_state()
    refused = step(client, author, submitted.json, "publish")
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    assert database_state() == before

    published = step(client, editor, submitted.json, "publish")
    assert published.status_code == 200 and published.json["state"] == "published"
    assert (last_audit().action, last_audit().source, last_audit().token_name) == (
        "post.publish", "api", "desk",
    )  # fmt: skip
    public = client.get(f"/api/v1/posts/{published.json['slug']}")
    assert public.status_code == 200 and public.json["title"] == "Going live"


def test_a_stale_step_is_refused(client, users, post_factory):
    post = post_factory(users["author"], status=PostStatus.REVIEW)
    editor = bearer(users["editor"])
    shown = client.get(f"{POSTS}/{post.id}", headers=editor).json
    client.patch(
        f"{POSTS}/{post.id}", json={"body": "new", "version": shown["version"]}, headers=editor
    )
    before = database_state()
    response = step(client, editor, shown, "publish")
    assert response.status_code == 409
    assert database_state() == before


def test_a_step_from_the_wrong_state_is_a_conflict(client, users, post_factory):
    post = post_factory(users["author"], status=PostStatus.PUBLISHED)
    editor = bearer(users["editor"])
    shown = client.get(f"{POSTS}/{post.id}", headers=editor).json
    before = database_state()
    response = step(client, editor, shown, "submit")
    assert response.status_code == 409
    assert "cannot be" in response.json["detail"]
    assert database_state() == before


@pytest.mark.parametrize(
    ("name", "extra", "field"),
    [
        ("return", {}, "comment"),
        ("return", {"comment": "   "}, "comment"),
        ("schedule", {}, "publish_at"),
        ("schedule", {"publish_at": "2001-01-01T00:00:00+00:00"}, "publish_at"),
        ("schedule", {"publish_at": "2030-01-01T00:00:00"}, "publish_at"),  # no zone
        ("fly", {}, "step"),
    ],
)
def test_a_steps_bad_input_is_a_field_error(client, users, post_factory, name, extra, field):
    post = post_factory(users["author"], status=PostStatus.REVIEW)
    editor = bearer(users["editor"])
    shown = client.get(f"{POSTS}/{post.id}", headers=editor).json
    before = database_state()
    response = step(client, editor, shown, name, **extra)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert database_state() == before


def test_an_editor_returns_and_schedules(client, users, post_factory):
    post = post_factory(users["author"], status=PostStatus.REVIEW)
    editor = bearer(users["editor"])
    shown = client.get(f"{POSTS}/{post.id}", headers=editor).json
    returned = step(client, editor, shown, "return", comment="Shorter, please.")
    assert returned.json["state"] == "draft" and returned.json["editor_note"] == "Shorter, please."
    when = (clock.utcnow() + timedelta(days=1)).replace(microsecond=0)
    scheduled = step(client, editor, returned.json, "schedule", publish_at=when.isoformat())
    assert scheduled.status_code == 200 and scheduled.json["state"] == "scheduled"
    assert scheduled.json["published_at"].startswith(when.strftime("%Y-%m-%dT%H:%M:%S"))


def test_an_author_withdraws_but_cannot_touch_another_authors_post(client, users, post_factory):
    own = post_factory(users["author"], status=PostStatus.REVIEW)
    theirs = post_factory(users["other_author"], status=PostStatus.REVIEW)
    author = bearer(users["author"])
    shown = client.get(f"{POSTS}/{own.id}", headers=author).json
    assert step(client, author, shown, "withdraw").json["state"] == "draft"
    before = database_state()
    refused = step(client, author, {"id": theirs.id, "version": theirs.version}, "withdraw")
    assert refused.status_code == 404
    assert database_state() == before
