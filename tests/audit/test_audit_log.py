"""The audit log: every change through the admin and the CLI is recorded, with who, when
and what; admins read and export it; nothing in the application can change or delete it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from cms.audit.models import AuditEntry
from cms.audit.service import AppendOnlyError
from cms.extensions import db
from cms.posts.models import PostStatus

_before_this_test = 0


@pytest.fixture(autouse=True)
def _only_this_tests_entries(_transaction):
    """Entries committed before this test (another test's separate app instances commit
    theirs for real, and the log is append-only) are not this test's to see."""
    global _before_this_test
    _before_this_test = db.session.scalar(db.select(db.func.max(AuditEntry.id))) or 0


def _entries(action: str | None = None) -> list[AuditEntry]:
    db.session.expire_all()
    query = db.select(AuditEntry).where(AuditEntry.id > _before_this_test).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def test_post_edits_keep_the_fields_before_and_after(client, users, post_factory):
    post = post_factory(users["author"], title="Before", slug="before")
    client.login(users["editor"].email)
    client.submit(
        f"/admin/posts/edit/?id={post.id}",
        {"title": "After", "slug": "before", "summary": "", "body": post.body,
         "author": users["author"].id},
    )  # fmt: skip
    [entry] = _entries("post.edit")
    assert entry.actor_email == users["editor"].email
    assert (entry.target_type, entry.target_id, entry.target_label) == ("post", post.id, "After")
    assert entry.changes_dict == {"title": ["Before", "After"]}
    assert entry.source == "admin"
    assert entry.ip == "127.0.0.1"


def test_creating_and_moving_a_post_are_recorded(client, users):
    client.login(users["editor"].email)
    client.submit(
        "/admin/posts/new/",
        {"title": "Fresh", "slug": "", "summary": "", "body": "x", "author": users["editor"].id},
    )
    [created] = _entries("post.create")
    assert created.changes_dict["title"] == [None, "Fresh"]
    post_id = created.target_id
    for step in ("submit", "publish", "unpublish"):
        client.submit(
            "/admin/posts/transition/",
            {"id": post_id, "transition": step},
            form_url=f"/admin/posts/edit/?id={post_id}",
        )
    states = [entry.changes_dict["state"] for entry in _entries() if entry.action in (
        "post.submit", "post.publish", "post.unpublish")]  # fmt: skip
    assert states == [["draft", "review"], ["review", "published"], ["published", "draft"]]


def test_trash_restore_and_purge_are_recorded(client, users, post_factory):
    post = post_factory(users["author"], title="Doomed")
    client.login(users["admin"].email)
    client.post_with_token("/admin/posts/delete/", {"id": str(post.id)})
    client.post_with_token("/admin/trash/action/", {"action": "restore", "rowid": str(post.id)})
    client.post_with_token("/admin/posts/delete/", {"id": str(post.id)})
    client.post_with_token("/admin/trash/empty/")
    actions = [e.action for e in _entries() if e.target_type == "post"]
    assert actions == ["post.trash", "post.restore", "post.trash", "post.purge"]
    assert _entries("post.purge")[0].target_label == "Doomed"  # outlives the post


def test_user_changes_are_recorded_without_passwords(client, users):
    client.login(users["admin"].email)
    target = users["norole"]
    editor_role = db.session.scalar(db.text("SELECT id FROM roles WHERE name = 'editor'"))
    client.submit(
        f"/admin/users/edit/?id={target.id}",
        {"email": target.email, "full_name": "Renamed", "roles": [str(editor_role)],
         "active": "y"},
    )  # fmt: skip
    [entry] = _entries("user.edit")
    changes = entry.changes_dict
    assert changes["full_name"] == [None, "Renamed"]
    assert changes["roles"] == [[], ["editor"]]
    assert "password" not in changes
    assert "$2b$" not in entry.changes


def test_logins_failed_logins_and_logouts_are_recorded(client, users):
    client.login(users["editor"].email, "wrong password")
    client.login("nobody@example.com", "whatever")
    client.login(users["editor"].email)
    client.logout()
    rows = [(e.action, e.actor_email, e.changes_dict.get("email")) for e in _entries()
            if e.action.startswith("auth.")]  # fmt: skip
    assert rows == [
        ("auth.login_failed", None, users["editor"].email),
        ("auth.login_failed", None, "nobody@example.com"),
        ("auth.login", users["editor"].email, None),
        ("auth.logout", users["editor"].email, None),
    ]


def test_the_cli_is_recorded_as_such(runner):
    runner.invoke(args=["cms", "create-admin", "boss@example.com", "--password", "long enough pw"])
    [entry] = _entries("user.create")
    assert (entry.source, entry.actor_email, entry.target_label) == (
        "cli",
        None,
        "boss@example.com",
    )


def test_the_application_cannot_change_or_delete_an_entry(users):
    entry = _entries()[0]
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(_entries()[0])
    with pytest.raises(AppendOnlyError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET action = 'tampered'", "DELETE FROM audit_log"]
)
def test_the_database_refuses_to_change_or_delete_entries(users, statement):
    assert _entries()
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert all(entry.action != "tampered" for entry in _entries())


def test_admins_read_filter_and_export_the_log(client, users, post_factory):
    post_factory(users["author"], title="Logged", status=PostStatus.PUBLISHED)
    client.login(users["admin"].email)
    page = client.get("/admin/audit/?flt0_0=user.create").get_data(as_text=True)
    assert "user.create" in page and "auth.login" not in page
    export = client.get("/admin/audit/export/csv/").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export)))
    assert {"user.create", "auth.login"} <= {row["Action"] for row in rows}


@pytest.mark.parametrize("role", ["editor", "author", "norole"])
def test_only_admins_see_the_log(client, users, role):
    client.login(users[role].email)
    assert client.get("/admin/audit/").status_code == 403


def test_the_log_view_offers_no_way_to_change_it(client, users):
    client.login(users["admin"].email)
    before = len(_entries())
    entry_id = _entries()[0].id
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "Delete" not in page and "/admin/audit/edit/" not in page
    client.post_with_token("/admin/audit/delete/", {"id": str(entry_id)})
    client.post_with_token("/admin/audit/action/", {"action": "delete", "rowid": str(entry_id)})
    assert client.get(f"/admin/audit/edit/?id={entry_id}").status_code in (302, 404)
    assert len(_entries()) >= before
    assert _entries()[0].id == entry_id


def test_role_descriptions_share_links_and_revision_restores_are_recorded(
    client, users, post_factory
):
    client.login(users["admin"].email)
    role_id = db.session.scalar(db.text("SELECT id FROM roles WHERE name = 'author'"))
    client.submit(f"/admin/roles/edit/?id={role_id}", {"description": "Writes things."})
    [role_edit] = _entries("role.edit")
    assert role_edit.changes_dict["description"][1] == "Writes things."

    post = post_factory(users["author"], title="Shared draft")
    client.submit(
        "/admin/posts/share/", {"id": post.id}, form_url=f"/admin/posts/edit/?id={post.id}"
    )
    [shared] = _entries("post.share")
    client.submit(
        "/admin/posts/unshare/",
        {"link": shared.changes_dict["link"]},
        form_url=f"/admin/posts/edit/?id={post.id}",
    )
    assert [e.target_id for e in _entries("post.unshare")] == [post.id]

    client.submit(
        f"/admin/posts/edit/?id={post.id}",
        {"title": "Shared draft, v2", "slug": post.slug, "summary": "", "body": post.body,
         "author": users["author"].id},
    )  # fmt: skip
    first = db.session.scalars(db.text("SELECT id FROM post_revisions ORDER BY id")).first()
    client.submit(
        "/admin/posts/revisions/restore/",
        {"id": post.id, "revision": first},
        form_url=f"/admin/posts/edit/?id={post.id}",
    )
    assert [e.changes_dict for e in _entries("post.revision_restore")] == [{"revision": first}]


def test_password_changes_are_recorded(client, users):
    client.login(users["author"].email)
    client.submit(
        "/change",
        {"password": "correct horse battery", "new_password": "another long secret",
         "new_password_confirm": "another long secret"},
    )  # fmt: skip
    assert [e.actor_email for e in _entries("auth.password_change")] == [users["author"].email]


def test_cli_housekeeping_is_recorded(runner, users, post_factory, frozen_clock):
    post_factory(users["author"], title="Ancient", deleted_at=frozen_clock.now - timedelta(days=90))
    runner.invoke(args=["cms", "purge-trash"])
    runner.invoke(args=["cms", "prune-revisions", "--keep", "5"])
    [purged] = _entries("post.purge")
    assert (purged.source, purged.target_label) == ("cli", "Ancient")
    [pruned] = _entries("revisions.prune")
    assert pruned.changes_dict == {"deleted": 0, "kept_per_post": 5}


def test_a_post_created_published_is_logged_with_its_publish_time(users, frozen_clock):
    from cms.posts import service

    post = service.create_post(users["editor"], title="Straight out", status=PostStatus.PUBLISHED)
    [entry] = _entries("post.create")
    assert entry.target_id == post.id
    assert entry.changes_dict["published_at"] == [None, frozen_clock.now.isoformat()]


def test_the_database_refuses_to_empty_the_log(users):
    """TRUNCATE on PostgreSQL; SQLite has none, and its way to empty a table is DELETE."""
    assert _entries()
    if db.session.get_bind().dialect.name == "postgresql":
        statements = ["TRUNCATE audit_log"]
    else:
        statements = ["DELETE FROM audit_log"]
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(text(statement))
    assert _entries()
