"""The trash: deleting is never final by one click; admins alone delete for good."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.client import flashed


def _reload(post_id: int) -> Post | None:
    db.session.expire_all()
    return db.session.get(Post, post_id)


def _trash(client, post):
    return client.post_with_token("/admin/posts/delete/", {"id": str(post.id)})


def _in_trash_action(client, action, *posts):
    data = {"action": action, "rowid": [str(post.id) for post in posts]}
    return client.post_with_token("/admin/trash/action/", data)


def test_a_deleted_post_leaves_the_site_and_the_lists_and_comes_back(client, users, post_factory):
    post = post_factory(users["author"], title="Goodbye for now", status=PostStatus.PUBLISHED)
    client.login(users["editor"].email)
    response = _trash(client, post)
    assert "“Goodbye for now” was moved to the trash, where it can be restored." in flashed(
        client.get(response.location)
    )
    assert client.get(f"/posts/{post.slug}").status_code == 404
    assert "Goodbye for now" not in client.get("/admin/posts/").get_data(as_text=True)
    assert client.get(f"/admin/posts/edit/?id={post.id}").status_code == 404
    assert "Goodbye for now" in client.get("/admin/trash/").get_data(as_text=True)
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'data-status-count="trashed">1<' in dashboard
    assert "Goodbye for now" not in dashboard  # not among the recently changed

    _in_trash_action(client, "restore", post)
    restored = _reload(post.id)
    assert not restored.in_trash
    assert restored.status is PostStatus.PUBLISHED
    assert client.get(f"/posts/{post.slug}").status_code == 200


def test_an_author_restores_their_own_draft_and_sees_only_their_trash(client, users, post_factory):
    mine = post_factory(users["author"], title="My draft")
    theirs = post_factory(users["other_author"], title="Their draft")
    client.login(users["other_author"].email)
    _trash(client, theirs)
    client.logout()

    client.login(users["author"].email)
    _trash(client, mine)
    trash = client.get("/admin/trash/").get_data(as_text=True)
    assert "My draft" in trash and "Their draft" not in trash
    _in_trash_action(client, "restore", mine, theirs)
    assert not _reload(mine.id).in_trash
    assert _reload(theirs.id).in_trash


@pytest.mark.parametrize("role", ["author", "editor"])
def test_only_admins_delete_for_good(client, users, post_factory, role):
    post = post_factory(users["author"], title="Trashed", deleted_at=None)
    client.login(users[role].email)
    _trash(client, post)
    assert client.post_with_token("/admin/trash/delete/", {"id": str(post.id)}).status_code == 403
    assert _in_trash_action(client, "purge", post).status_code == 403
    assert client.post_with_token("/admin/trash/empty/").status_code == 403
    assert _reload(post.id) is not None
    assert "Empty trash" not in client.get("/admin/trash/").get_data(as_text=True)


def test_an_admin_deletes_one_for_good_and_empties_the_trash(client, users, post_factory):
    posts = [post_factory(users["author"], title=f"Old {n}") for n in range(3)]
    ids = [post.id for post in posts]
    client.login(users["admin"].email)
    for post in posts:
        _trash(client, post)
    assert "Empty trash" in client.get("/admin/trash/").get_data(as_text=True)

    client.post_with_token("/admin/trash/delete/", {"id": str(ids[0])})
    assert _reload(ids[0]) is None
    response = client.post_with_token("/admin/trash/empty/")
    assert "The trash is empty: 2 posts deleted for good." in flashed(client.get(response.location))
    assert all(_reload(post_id) is None for post_id in ids)


def test_posts_outside_the_trash_cannot_be_deleted_for_good(client, users, post_factory):
    post = post_factory(users["author"], title="Alive")
    client.login(users["admin"].email)
    assert client.post_with_token("/admin/trash/delete/", {"id": str(post.id)}).status_code == 404
    _in_trash_action(client, "purge", post)
    assert _reload(post.id) is not None


def test_bulk_delete_moves_to_the_trash(client, users, post_factory):
    posts = [post_factory(users["author"], title=f"Bulk {n}") for n in range(2)]
    client.login(users["editor"].email)
    data = {"action": "delete", "rowid": [str(post.id) for post in posts]}
    client.post_with_token("/admin/posts/action/", data)
    assert all(_reload(post.id).in_trash for post in posts)


def test_the_trash_offers_no_workflow_steps(client, users, post_factory):
    post = post_factory(users["author"], title="Trashed")
    client.login(users["editor"].email)
    _trash(client, post)
    assert _in_trash_action(client, "publish", post).status_code == 403
    assert _reload(post.id).status is PostStatus.DRAFT


def test_purge_command_deletes_only_posts_trashed_long_enough(
    runner, users, post_factory, frozen_clock
):
    now = frozen_clock.now
    old = post_factory(users["author"], title="Old", deleted_at=now - timedelta(days=31))
    recent = post_factory(users["author"], title="Recent", deleted_at=now - timedelta(days=29))
    alive = post_factory(users["author"], title="Alive")

    result = runner.invoke(args=["cms", "purge-trash"])
    assert result.exit_code == 0, result.output
    assert "Deleted for good 1 post(s) trashed more than 30 day(s) ago." in result.output
    assert _reload(old.id) is None
    assert _reload(recent.id) is not None
    assert _reload(alive.id) is not None

    result = runner.invoke(args=["cms", "purge-trash", "--older-than-days", "7"])
    assert "Deleted for good 1 post(s)" in result.output
    assert _reload(recent.id) is None
    assert _reload(alive.id) is not None


def test_purge_command_refuses_a_negative_age(runner):
    result = runner.invoke(args=["cms", "purge-trash", "--older-than-days", "-1"])
    assert result.exit_code == 2
    assert "Invalid value for '--older-than-days'" in result.output


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/admin/trash/transition/", {"transition": "publish"}),
        ("/admin/trash/share/", {}),
        ("/admin/trash/revisions/restore/", {"revision": "1"}),
    ],
)
def test_a_trashed_post_cannot_be_edited_through_the_trash(client, users, post_factory, url, data):
    post = post_factory(users["author"], title="Trashed")
    client.login(users["editor"].email)
    _trash(client, post)
    assert client.post_with_token(url, {"id": str(post.id), **data}).status_code == 404
    assert client.get(f"/admin/trash/edit/?id={post.id}").status_code in (302, 404)
    assert _reload(post.id).status is PostStatus.DRAFT


def test_every_dashboard_card_leads_to_a_list_of_its_posts(client, users, post_factory):
    """Each count links to a list holding exactly those posts; "In trash" to the trash (the
    posts list's state filter refuses "trashed")."""
    post_factory(users["author"], title="In the bin", deleted_at=clock.utcnow())
    post_factory(users["author"], title="Still a draft")
    client.login(users["editor"].email)
    dashboard = client.get("/admin/").get_data(as_text=True)
    links = dict(re.findall(r'href="([^"]+)">\s*<div class="card-body">\s*<div[^>]*'
                            r'data-status-count="(\w+)"', dashboard))  # fmt: skip
    by_state = {state: href.replace("&amp;", "&") for href, state in links.items()}
    assert by_state["trashed"] == "/admin/trash/"
    trash = client.get(by_state["trashed"]).get_data(as_text=True)
    assert "In the bin" in trash and "Still a draft" not in trash
    drafts = client.get(by_state["draft"]).get_data(as_text=True)
    assert "Still a draft" in drafts and "In the bin" not in drafts


def test_bulk_counts_say_what_happened_when_another_tab_did_it_first(client, users, post_factory):
    post = post_factory(users["author"], title="Twice")
    client.login(users["editor"].email)
    first = client.post_with_token("/admin/posts/action/", {"action": "delete", "rowid": post.id})
    assert flashed(client.get(first.location)) == ["1 post moved to the trash."]
    # The second tab still lists the post and moves it again.
    again = client.post_with_token("/admin/posts/action/", {"action": "delete", "rowid": post.id})
    assert flashed(client.get(again.location)) == [
        "1 post left as it was: already done, or no longer in this list."
    ]
    for expected in (
        "1 post restored.",
        "1 post left as it was: already done, or no longer in this list.",
    ):
        response = _in_trash_action(client, "restore", post)
        assert flashed(client.get(response.location)) == [expected]


def test_trash_and_restore_say_whether_they_changed_anything(users, post_factory):
    from cms.audit.models import AuditEntry
    from cms.posts import service

    post = post_factory(users["author"], title="Once")
    editor = users["editor"]
    assert [service.trash(post, editor), service.trash(post, editor)] == [True, False]
    assert [service.restore(post, editor), service.restore(post, editor)] == [True, False]
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.target_id == post.id).order_by(AuditEntry.id)
    ).all()
    assert [a for a in actions if a.startswith("post.") and a != "post.create"] == [
        "post.trash",
        "post.restore",
    ]
