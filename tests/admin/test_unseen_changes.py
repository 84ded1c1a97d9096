"""An editor's step acts on the post as the editor saw it: when its author changed it after
the editor opened it (the edit page or the list), "Publish now" and the bulk steps are
refused, so nobody publishes text nobody reviewed."""

from __future__ import annotations

import re

import pytest

from cms.dates import format_utc
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.client import flashed, hidden_fields_in

_ROW = re.compile(r'name="rowid" class="action-checkbox" value="([^"]+)"')


@pytest.fixture
def author_client(app, users):
    author = app.test_client()
    author.login(users["author"].email)
    return author


@pytest.fixture
def in_review(users, post_factory):
    return post_factory(
        users["author"], title="Pending", body="Reviewed words.", status=PostStatus.REVIEW
    )


def _stored(post_id: int) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post_id)


def _opened(client, post_id: int) -> dict:
    """The edit page's hidden fields, as the editor's browser holds them."""
    page = client.get(f"/admin/posts/edit/?id={post_id}")
    assert page.status_code == 200
    return hidden_fields_in(page.get_data(as_text=True))


def _author_rewrites(author_client, post_id: int, body: str) -> None:
    """The author saves new words through their own edit form."""
    opened = _opened(author_client, post_id)
    post = _stored(post_id)
    response = author_client.post(
        f"/admin/posts/edit/?id={post_id}",
        data={**opened, "title": post.title, "slug": post.slug, "summary": "", "body": body},
    )
    assert response.status_code == 302
    assert _stored(post_id).body == body


def _step(client, post_id: int, opened: dict, transition: str, **fields):
    data = {**opened, "id": post_id, "transition": transition, **fields}
    response = client.post("/admin/posts/transition/", data=data)
    assert response.status_code == 302
    return flashed(client.get(response.location))


def test_publish_now_is_refused_when_the_author_changed_the_post_since(
    client, users, author_client, in_review
):
    client.login(users["editor"].email)
    opened = _opened(client, in_review.id)
    _author_rewrites(author_client, in_review.id, "Words nobody reviewed.")

    messages = _step(client, in_review.id, opened, "publish")

    post = _stored(in_review.id)
    assert post.status is PostStatus.REVIEW
    assert post.published_at is None
    when = format_utc(post.updated_at)
    assert (
        f"{users['author'].email} changed this post at {when}, after you opened it, so "
        "“Publish now” was not done. Look at it as it is now, then try again."
    ) in messages
    assert client.get(f"/posts/{post.slug}").status_code == 404


def test_after_reading_the_new_version_the_editor_can_publish_it(
    client, users, author_client, in_review
):
    client.login(users["editor"].email)
    opened = _opened(client, in_review.id)
    _author_rewrites(author_client, in_review.id, "Words reviewed at last.")
    _step(client, in_review.id, opened, "publish")

    reopened = _opened(client, in_review.id)  # the page now shows the author's new words
    assert "The post is now published." in _step(client, in_review.id, reopened, "publish")
    assert _stored(in_review.id).status is PostStatus.PUBLISHED
    assert "Words reviewed at last." in client.get("/posts/pending").get_data(as_text=True)


@pytest.mark.parametrize("transition", ["return", "schedule", "withdraw"])
def test_every_step_is_refused_on_a_post_changed_since(
    client, users, author_client, in_review, transition
):
    client.login(users["editor"].email)
    opened = _opened(client, in_review.id)
    _author_rewrites(author_client, in_review.id, "Changed meanwhile.")

    messages = _step(
        client,
        in_review.id,
        opened,
        transition,
        comment="Shorter, please.",
        publish_at="2099-01-01T09:00",
    )
    assert any("after you opened it" in message for message in messages)
    post = _stored(in_review.id)
    assert (post.status, post.published_at, post.editor_note) == (PostStatus.REVIEW, None, None)


def test_a_step_that_does_not_say_what_was_seen_is_refused(client, users, in_review):
    """An old page, or a client that sends no version: refused, never guessed."""
    client.login(users["editor"].email)
    opened = _opened(client, in_review.id)
    del opened["seen_version"]

    messages = _step(client, in_review.id, opened, "publish")
    assert any("did not say which version of the post you saw" in m for m in messages)
    assert _stored(in_review.id).status is PostStatus.REVIEW


def _list_rows(client) -> dict[int, str]:
    """The list's checkbox values by post id: what the browser sends for a ticked row."""
    page = client.get("/admin/posts/").get_data(as_text=True)
    values = _ROW.findall(page)
    assert values, "the list has no row checkboxes"
    return {int(value.split(":")[0]): value for value in values}


def test_bulk_publish_leaves_a_post_changed_since_the_list_was_opened(
    client, users, author_client, post_factory, in_review
):
    untouched = post_factory(users["author"], title="Untouched", status=PostStatus.REVIEW)
    client.login(users["editor"].email)
    rows = _list_rows(client)
    _author_rewrites(author_client, in_review.id, "Words nobody reviewed.")

    response = client.post_with_token(
        "/admin/posts/action/",
        {"action": "publish", "rowid": [rows[in_review.id], rows[untouched.id]]},
    )

    messages = flashed(client.get(response.location))
    assert "1 post published." in messages
    assert "1 post left as it was: changed since you opened the list." in messages
    assert _stored(untouched.id).status is PostStatus.PUBLISHED
    assert _stored(in_review.id).status is PostStatus.REVIEW
    assert client.get(f"/posts/{in_review.slug}").status_code == 404


def test_bulk_publish_of_rows_as_the_list_showed_them_publishes_them(
    client, users, post_factory, in_review
):
    other = post_factory(users["author"], title="Other", status=PostStatus.REVIEW)
    client.login(users["editor"].email)
    rows = _list_rows(client)
    response = client.post_with_token(
        "/admin/posts/action/", {"action": "publish", "rowid": [rows[in_review.id], rows[other.id]]}
    )
    assert "2 posts published." in flashed(client.get(response.location))
    assert {_stored(p.id).status for p in (in_review, other)} == {PostStatus.PUBLISHED}


def test_a_bulk_step_from_a_list_that_did_not_say_what_was_seen_is_refused(
    client, users, in_review
):
    client.login(users["editor"].email)
    response = client.post_with_token(
        "/admin/posts/action/", {"action": "publish", "rowid": str(in_review.id)}
    )
    messages = flashed(client.get(response.location))
    assert any("changed since you opened the list" in message for message in messages)
    assert _stored(in_review.id).status is PostStatus.REVIEW


@pytest.mark.parametrize("rowid", ["{id}:", "{id}:x", "{id}:0", ":3", "{id}:3:4"])
def test_a_row_with_an_impossible_version_is_a_bad_request(client, users, in_review, rowid):
    client.login(users["editor"].email)
    response = client.post_with_token(
        "/admin/posts/action/", {"action": "publish", "rowid": rowid.format(id=in_review.id)}
    )
    assert response.status_code == 400
    assert _stored(in_review.id).status is PostStatus.REVIEW
