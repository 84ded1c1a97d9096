"""The workflow in the dashboard: the edit page's steps, scheduling as readers see it, and
refusals that change nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.client import flashed


def _reload(post: Post) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post.id)


def _steps_offered(client, post) -> list[str]:
    page = client.get(f"/admin/posts/edit/?id={post.id}").get_data(as_text=True)
    return re.findall(r'name="transition" value="(\w+)"', page)


def _step(client, post, transition, **fields):
    return client.submit(
        "/admin/posts/transition/",
        {"id": post.id, "transition": transition, **fields},
        form_url=f"/admin/posts/edit/?id={post.id}",
    )


def test_author_submits_and_withdraws_their_draft(client, users, post_factory):
    post = post_factory(users["author"], title="Mine")
    client.login(users["author"].email)
    assert _steps_offered(client, post) == ["submit"]

    response = _step(client, post, "submit")
    assert response.location == f"/admin/posts/edit/?id={post.id}"
    assert _reload(post).status is PostStatus.REVIEW
    assert _steps_offered(client, post) == ["withdraw"]
    _step(client, post, "withdraw")
    assert _reload(post).status is PostStatus.DRAFT


@pytest.mark.parametrize("step", ["publish", "schedule", "unpublish", "return"])
def test_author_cannot_take_an_editors_step(client, users, post_factory, step):
    post = post_factory(users["author"], title="Mine", status=PostStatus.REVIEW)
    client.login(users["author"].email)
    response = _step(client, post, step, publish_at="2099-01-01T09:00", comment="Please publish me")
    assert _reload(post).status is PostStatus.REVIEW
    assert _reload(post).published_at is None
    follow = client.get(response.location)
    assert any("You may not" in message for message in flashed(follow))


def test_editor_sees_every_step_for_a_post_in_review(client, users, post_factory):
    post = post_factory(users["author"], title="Pending", status=PostStatus.REVIEW)
    client.login(users["editor"].email)
    assert _steps_offered(client, post) == ["withdraw", "return", "publish", "schedule"]


def test_editor_returns_a_post_and_the_author_reads_the_note(client, users, post_factory):
    post = post_factory(users["author"], title="Pending", status=PostStatus.REVIEW)
    client.login(users["editor"].email)
    _step(client, post, "return", comment="Add a source for the second claim.")
    assert _reload(post).status is PostStatus.DRAFT
    client.logout()

    client.login(users["author"].email)
    page = client.get(f"/admin/posts/edit/?id={post.id}").get_data(as_text=True)
    assert "Returned by the editor:" in page
    assert "Add a source for the second claim." in page


def test_scheduled_post_appears_to_readers_only_when_its_time_comes(
    client, users, post_factory, frozen_clock
):
    post = post_factory(users["author"], title="Tomorrow's news", status=PostStatus.REVIEW)
    client.login(users["editor"].email)
    response = _step(client, post, "schedule", publish_at="2026-01-16T09:30")
    assert "The post is now scheduled for 2026-01-16 09:30 UTC." in flashed(
        client.get(response.location)
    )
    listing = client.get("/admin/posts/").get_data(as_text=True)
    assert 'data-state="scheduled">Scheduled 2026-01-16 09:30 UTC<' in listing
    client.logout()

    assert client.get(f"/posts/{post.slug}").status_code == 404
    assert "Tomorrow" not in client.get("/").get_data(as_text=True)

    frozen_clock(frozen_clock.now + timedelta(days=1))  # 2026-01-16 12:00
    assert client.get(f"/posts/{post.slug}").status_code == 200
    assert "Tomorrow" in client.get("/").get_data(as_text=True)
    client.login(users["editor"].email)
    listing = client.get("/admin/posts/?flt0_0=published").get_data(as_text=True)
    assert 'data-state="published">Published<' in listing


@pytest.mark.parametrize(
    ("publish_at", "message"),
    [
        ("next tuesday", "is not a date and time"),
        ("", "Give the date and time to publish at."),
        ("2020-01-01T00:00", "The publish time must be in the future"),
        ("9999-12-31T23:59-05:00", "is not a date and time"),
        ("0001-01-01T00:30+01:00", "is not a date and time"),
    ],
)
def test_bad_publish_times_are_explained_and_change_nothing(
    client, users, post_factory, frozen_clock, publish_at, message
):
    post = post_factory(users["author"], title="Pending", status=PostStatus.REVIEW)
    client.login(users["editor"].email)
    response = _step(client, post, "schedule", publish_at=publish_at)
    assert any(message in text for text in flashed(client.get(response.location)))
    assert _reload(post).status is PostStatus.REVIEW


def test_a_step_the_state_does_not_allow_is_explained(client, users, post_factory):
    post = post_factory(users["author"], title="Draft")
    client.login(users["editor"].email)
    response = _step(client, post, "unpublish")
    assert "A post that is draft cannot be: Unpublish." in flashed(client.get(response.location))


def test_state_filter_and_dashboard_know_scheduled_posts(client, users, post_factory, frozen_clock):
    later = frozen_clock.now + timedelta(hours=5)
    post_factory(users["author"], title="Later", status=PostStatus.PUBLISHED, published_at=later)
    post_factory(users["author"], title="Live", status=PostStatus.PUBLISHED)
    post_factory(users["author"], title="Waiting", status=PostStatus.REVIEW)
    client.login(users["editor"].email)

    page = client.get("/admin/posts/?flt0_0=scheduled").get_data(as_text=True)
    assert "Later" in page and "Live" not in page and "Waiting" not in page
    page = client.get("/admin/posts/?flt0_0=review").get_data(as_text=True)
    assert "Waiting" in page and "Later" not in page
    dashboard = client.get("/admin/").get_data(as_text=True)
    for state, count in {"draft": 0, "review": 1, "scheduled": 1, "published": 1}.items():
        assert f'data-status-count="{state}">{count}<' in dashboard


def test_author_submits_in_bulk_but_cannot_publish_in_bulk(client, users, post_factory):
    mine = post_factory(users["author"], title="Mine")
    client.login(users["author"].email)
    assert (
        client.post_with_token(
            "/admin/posts/action/", {"action": "publish", "rowid": f"{mine.id}:{mine.version}"}
        ).status_code
        == 403
    )
    client.post_with_token(
        "/admin/posts/action/", {"action": "submit", "rowid": f"{mine.id}:{mine.version}"}
    )
    assert _reload(mine).status is PostStatus.REVIEW


def test_a_published_post_is_no_longer_the_authors_to_edit(client, users, post_factory):
    post = post_factory(users["author"], title="Live", status=PostStatus.PUBLISHED)
    client.login(users["author"].email)
    assert client.get(f"/admin/posts/edit/?id={post.id}").status_code == 403
    assert client.get(f"/admin/posts/details/?id={post.id}").status_code == 200


def test_a_change_at_the_same_moment_is_a_conflict_not_an_error(
    client, users, post_factory, monkeypatch
):
    """Another request bumps the post between this request's read and its write."""
    from cms.posts import workflow

    post = post_factory(users["author"], title="Contested", status=PostStatus.REVIEW)
    real_apply = workflow.apply

    def apply_after_someone_else(target, *args, **kwargs):
        db.session.execute(
            db.update(Post).where(Post.id == target.id).values(version=Post.version + 1),
            execution_options={"synchronize_session": False},
        )
        return real_apply(target, *args, **kwargs)

    monkeypatch.setattr(workflow, "apply", apply_after_someone_else)
    client.login(users["editor"].email)
    response = _step(client, post, "publish")
    assert response.status_code == 409
    assert "Someone else changed this at the same moment" in response.get_data(as_text=True)
    assert _reload(post).status is PostStatus.REVIEW
