"""Two editors edit the same post: the later save is kept, the second editor is told what
changed, and their text is not lost."""

from __future__ import annotations

import pytest

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.client import flashed, hidden_fields_in


@pytest.fixture
def two_editors(app, users):
    from tests.factories import UserFactory

    second = UserFactory(roles=["editor"], email="second-editor@example.com")
    first_client, second_client = app.test_client(), app.test_client()
    first_client.login(users["editor"].email)
    second_client.login(second.email)
    return first_client, second_client


def _open(client, post_id) -> dict:
    """Open the edit form: its hidden fields, as the browser keeps them."""
    return hidden_fields_in(client.get(f"/admin/posts/edit/?id={post_id}").get_data(as_text=True))


def _save(client, post_id, opened: dict, **fields):
    author = db.session.get(Post, post_id).author_id
    form = {"title": "Shared", "slug": "shared", "summary": "", "body": "Start.", "author": author}
    form.update(fields)
    data = {"csrf_token": opened["csrf_token"], "seen_version": opened["seen_version"], **form}
    return client.post(f"/admin/posts/edit/?id={post_id}", data=data)


@pytest.fixture
def shared_post(users, post_factory):
    return post_factory(users["author"], title="Shared", slug="shared", body="Start.")


def test_the_second_save_is_stopped_and_told_what_changed(two_editors, shared_post):
    first, second = two_editors
    first_form, second_form = _open(first, shared_post.id), _open(second, shared_post.id)

    assert (
        _save(first, shared_post.id, first_form, body="Start.\nFirst editor's line.").status_code
        == 302
    )
    response = _save(second, shared_post.id, second_form, body="Start.\nSecond editor's line.")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    [message] = [m for m in flashed(response) if "after you opened it" in m]
    assert message.startswith("editor@example.com saved this post at")
    assert (
        "Second editor&#39;s line." in page or "Second editor's line." in page
    )  # kept in the form
    assert '<span class="diff-removed">− First editor&#39;s line.</span>' in page
    assert '<span class="diff-added">+ Second editor&#39;s line.</span>' in page
    db.session.expire_all()
    assert db.session.get(Post, shared_post.id).body == "Start.\nFirst editor's line."


def test_saving_again_after_the_warning_replaces_their_version(two_editors, shared_post):
    first, second = two_editors
    first_form, second_form = _open(first, shared_post.id), _open(second, shared_post.id)
    _save(first, shared_post.id, first_form, body="Theirs.")
    warned = _save(second, shared_post.id, second_form, body="Mine.")
    retry = hidden_fields_in(warned.get_data(as_text=True))
    assert _save(second, shared_post.id, retry, body="Mine.").status_code == 302
    db.session.expire_all()
    assert db.session.get(Post, shared_post.id).body == "Mine."


def test_a_workflow_step_by_someone_else_also_counts(two_editors, shared_post):
    first, second = two_editors
    second_form = _open(second, shared_post.id)
    first.post(
        "/admin/posts/transition/",
        data={**_open(first, shared_post.id), "id": shared_post.id, "transition": "submit"},
    )
    response = _save(second, shared_post.id, second_form)
    assert response.status_code == 200
    assert "they changed its status or other settings" in response.get_data(as_text=True)


def test_one_editor_saving_twice_is_no_conflict(two_editors, shared_post):
    first, _ = two_editors
    _save(first, shared_post.id, _open(first, shared_post.id), body="One.")
    assert (
        _save(first, shared_post.id, _open(first, shared_post.id), body="Two.").status_code == 302
    )


def test_the_database_refuses_a_save_based_on_a_stale_read(app, users, shared_post):
    """Two saves at the same instant both pass the form check; the version column stops one."""
    from sqlalchemy.orm.exc import StaleDataError

    stale = db.session.get(Post, shared_post.id)
    # Another process's UPDATE: not synchronised into this session's copy of the post.
    db.session.execute(
        db.update(Post)
        .where(Post.id == shared_post.id)
        .values(body="Sneaked in", version=Post.version + 1),
        execution_options={"synchronize_session": False},
    )
    stale.body = "Overwrite"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("what_happened", ["published", "trashed"])
def test_an_author_whose_post_changed_state_keeps_their_text(
    client, users, post_factory, what_happened
):
    post = post_factory(users["author"], title="Mine", status=PostStatus.REVIEW)
    client.login(users["author"].email)
    opened = _open(client, post.id)
    post.status, post.published_at = (PostStatus.PUBLISHED, clock.utcnow())
    if what_happened == "trashed":
        post.status, post.deleted_at = PostStatus.DRAFT, clock.utcnow()
    db.session.commit()

    response = client.post(
        f"/admin/posts/edit/?id={post.id}",
        data={"csrf_token": opened["csrf_token"], "seen_version": opened["seen_version"],
              "title": "Mine", "slug": post.slug, "summary": "", "body": "My precious paragraph."},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "My precious paragraph." in page
    assert "nothing was saved" in page
    db.session.expire_all()
    assert db.session.get(Post, post.id).body != "My precious paragraph."


def test_the_conflict_names_whoever_last_touched_the_post(two_editors, users, shared_post):
    first, second = two_editors
    second_form = _open(second, shared_post.id)
    first.post(
        "/admin/posts/transition/",
        data={**_open(first, shared_post.id), "id": shared_post.id, "transition": "publish"},
    )
    response = _save(second, shared_post.id, second_form)
    assert any(m.startswith(f"{users['editor'].email} saved") for m in flashed(response))


def test_the_conflict_shows_an_author_they_reassigned(two_editors, users, shared_post):
    first, second = two_editors
    first_form, second_form = _open(first, shared_post.id), _open(second, shared_post.id)
    _save(first, shared_post.id, first_form, author=users["other_author"].id)
    response = _save(second, shared_post.id, second_form, author=users["author"].id)
    page = response.get_data(as_text=True)
    assert f'<span class="diff-removed">− {users["other_author"].email}</span>' in page
    assert f'<span class="diff-added">+ {users["author"].email}</span>' in page
