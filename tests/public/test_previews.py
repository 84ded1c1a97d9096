"""Previews: in the admin as readers will see it, and share links for people without an
account (signed, expiring, revocable, never indexed)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer

from cms.extensions import db
from cms.posts.models import PostStatus, PreviewLink
from tests.client import flashed


@pytest.fixture
def draft(users, post_factory):
    return post_factory(users["author"], title="Secret plans", body="## The plan\n\nBe *bold*.")


def _share(client, post) -> str:
    """Create a share link as the logged-in user; the path readers open."""
    response = client.submit(
        "/admin/posts/share/", {"id": post.id}, form_url=f"/admin/posts/edit/?id={post.id}"
    )
    assert response.status_code == 302
    [message] = [m for m in flashed(client.get(response.location)) if "Share link" in m]
    return re.search(r"http://[^/]+(/preview/\S+?)</code>", message).group(1)


def _assert_noindex_preview(response):
    assert response.status_code == 200
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    page = response.get_data(as_text=True)
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert 'rel="canonical"' not in page
    assert "Preview: this is how readers will see the post" in page
    return page


@pytest.mark.parametrize("role", ["author", "editor"])
def test_admin_preview_shows_the_draft_as_readers_will(client, users, draft, role):
    client.login(users[role].email)
    page = _assert_noindex_preview(client.get(f"/admin/posts/preview/?id={draft.id}"))
    assert "<h3>The plan</h3>" in page and "<em>bold</em>" in page
    assert "Not yet published" in page


def test_admin_preview_follows_the_policy(client, users, draft):
    assert client.get(f"/admin/posts/preview/?id={draft.id}").status_code == 302  # login
    client.login(users["other_author"].email)
    assert client.get(f"/admin/posts/preview/?id={draft.id}").status_code == 403


def test_a_share_link_works_for_someone_without_an_account(app, client, users, draft):
    client.login(users["editor"].email)
    path = _share(client, draft)
    stranger = app.test_client()
    page = _assert_noindex_preview(stranger.get(path))
    assert "Secret plans" in page
    # The draft itself stays hidden from readers.
    assert stranger.get(f"/posts/{draft.slug}").status_code == 404


def test_a_share_link_expires(app, client, users, draft, frozen_clock):
    client.login(users["editor"].email)
    path = _share(client, draft)
    stranger = app.test_client()
    frozen_clock(frozen_clock.now + timedelta(hours=71, minutes=59))
    assert stranger.get(path).status_code == 200
    frozen_clock(frozen_clock.now + timedelta(minutes=1))
    response = stranger.get(path)
    assert response.status_code == 410
    assert "This preview link no longer works" in response.get_data(as_text=True)


def test_a_revoked_share_link_stops_working(app, client, users, draft):
    client.login(users["editor"].email)
    path = _share(client, draft)
    link = db.session.scalars(db.select(PreviewLink)).one()
    edit = client.get(f"/admin/posts/edit/?id={draft.id}").get_data(as_text=True)
    assert path in edit
    client.submit(
        "/admin/posts/unshare/", {"link": link.id}, form_url=f"/admin/posts/edit/?id={draft.id}"
    )
    assert app.test_client().get(path).status_code == 410
    assert path not in client.get(f"/admin/posts/edit/?id={draft.id}").get_data(as_text=True)


def test_a_trashed_posts_share_link_stops_working(app, client, users, draft):
    client.login(users["editor"].email)
    path = _share(client, draft)
    client.post_with_token("/admin/posts/delete/", {"id": str(draft.id)})
    assert app.test_client().get(path).status_code == 410


@pytest.mark.parametrize(
    ("trash", "restore"),
    [
        ("/admin/posts/delete/", "/admin/trash/action/"),
        ("/admin/posts/action/", "/admin/trash/action/"),
    ],
)
def test_a_share_link_stays_dead_after_its_post_is_restored(
    app, client, users, draft, trash, restore
):
    client.login(users["editor"].email)
    path = _share(client, draft)
    client.post_with_token(trash, {"id": str(draft.id), "action": "delete", "rowid": draft.id})
    client.post_with_token(restore, {"action": "restore", "rowid": str(draft.id)})
    db.session.expire_all()
    assert db.session.get(type(draft), draft.id).deleted_at is None  # restored
    assert app.test_client().get(path).status_code == 410
    edit = client.get(f"/admin/posts/edit/?id={draft.id}").get_data(as_text=True)
    assert path not in edit  # not offered as a live link either


def test_tampered_and_foreign_tokens_are_not_found(app, client, users, draft):
    client.login(users["editor"].email)
    path = _share(client, draft)
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    forged = URLSafeSerializer("not-our-secret", salt="cms.preview-link").dumps({"link": 1})
    stranger = app.test_client()
    for bad in (tampered, forged, "garbage"):
        assert stranger.get(f"/preview/{bad}").status_code == 404


def test_authors_cannot_share(client, users, draft):
    client.login(users["author"].email)
    edit = client.get(f"/admin/posts/edit/?id={draft.id}").get_data(as_text=True)
    assert "Create a share link" not in edit
    response = client.post_with_token("/admin/posts/share/", {"id": str(draft.id)})
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(PreviewLink.id))) == 0


def test_a_published_post_can_be_previewed_too(client, users, post_factory):
    post = post_factory(users["author"], title="Live", status=PostStatus.PUBLISHED)
    client.login(users["editor"].email)
    _assert_noindex_preview(client.get(f"/admin/posts/preview/?id={post.id}"))


def test_a_reused_link_id_never_shows_another_post(app, client, users, draft, post_factory):
    """SQLite hands out a deleted row's id again: the old link must not open the new row."""
    client.login(users["editor"].email)
    path = _share(client, draft)
    [old] = db.session.scalars(db.select(PreviewLink)).all()
    old_id = old.id
    db.session.delete(old)
    db.session.commit()
    secret = post_factory(users["author"], title="Confidential")
    db.session.add(PreviewLink(id=old_id, post=secret, expires_at=old.expires_at))
    db.session.commit()
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "Confidential" not in response.get_data(as_text=True)
