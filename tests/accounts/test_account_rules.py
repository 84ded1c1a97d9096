"""The account rules in ``cms.accounts.service``, which the dashboard and the CLI share,
and the acting context the audit log reads."""

from __future__ import annotations

import pytest

from cms import acting
from cms.accounts import service
from cms.audit.models import AuditEntry
from cms.extensions import db


def _entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_addresses_are_unique_ignoring_case(users):
    with pytest.raises(service.AccountError, match="already exists"):
        service.check_address_free(users["editor"].email.upper())
    service.check_address_free(users["editor"].email, users["editor"])  # its own address


@pytest.mark.parametrize("change", ["deactivate", "drop admin"])
def test_an_admin_cannot_lock_themselves_out(users, change):
    admin = users["admin"]
    if change == "deactivate":
        admin.active = False
    else:
        admin.roles = []
    with pytest.raises(service.AccountError, match="cannot deactivate your own account"):
        service.save_user(admin, by=admin)
    db.session.rollback()


def test_another_admin_may_deactivate_them(users):
    editor = users["editor"]
    assert editor.active  # loaded, as the dashboard's form loads it, so the log has "before"
    editor.active = False
    service.save_user(editor, by=users["admin"])
    [entry] = _entries("user.edit")
    assert entry.changes_dict == {"active": [True, False]}
    assert entry.actor_email == users["admin"].email


def test_a_user_with_posts_is_not_deleted(users, post_factory):
    post_factory(users["author"])
    with pytest.raises(service.AccountError, match="deactivate the account instead"):
        service.allow_deletion(users["author"], by=users["admin"])
    with pytest.raises(service.AccountError, match="your own account"):
        service.allow_deletion(users["admin"], by=users["admin"])
    service.allow_deletion(users["norole"], by=users["admin"])
    assert [e.target_label for e in _entries("user.delete")] == [users["norole"].email]


def test_the_cli_and_the_dashboard_record_a_new_account_alike(users):
    service.create_user("new@example.com", "long enough pw", ["author"], full_name="New")
    [entry] = [e for e in _entries("user.create") if e.target_label == "new@example.com"]
    assert entry.changes_dict == {
        "email": [None, "new@example.com"],
        "full_name": [None, "New"],
        "slug": [None, "new"],  # the author page's address, made from the name
        "active": [None, True],
        "roles": [[], ["author"]],
    }
    assert (entry.source, entry.ip, entry.actor_email) == ("cli", None, None)


def test_outside_a_request_the_cli_is_acting(app):
    assert acting.current() == acting.Acting(acting.Door.CLI)


def test_a_request_knows_its_door_and_address(app):
    with app.test_request_context("/admin/", environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        app.preprocess_request()
        assert acting.current() == acting.Acting(acting.Door.DASHBOARD, "203.0.113.9")
    with app.test_request_context("/"):
        app.preprocess_request()
        assert acting.current().door is acting.Door.SITE
