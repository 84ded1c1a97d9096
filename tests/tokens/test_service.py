"""Personal API tokens as the API will use them: a token acts as its owner, with the
owner's roles as they are at each request, until it expires or is revoked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cms.accounts.models import Role
from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.tokens import service as tokens
from cms.tokens.models import ApiToken
from tests.factories import UserFactory
from tests.statements import recorded_statements


def make(owner, name="laptop", **kwargs) -> tuple[ApiToken, str]:
    token, raw = tokens.create(owner, name, by=owner, **kwargs)
    db.session.commit()
    return token, raw


def stored(token: ApiToken) -> ApiToken:
    db.session.expire_all()
    return db.session.get(ApiToken, token.id)


def test_a_new_token_is_long_random_recognisable_and_stored_only_as_its_hash(users):
    token, raw = make(users["author"])

    assert re.fullmatch(r"cms_[A-Za-z0-9_-]{43,}", raw)
    row = (
        db.session.execute(db.text("SELECT * FROM api_tokens WHERE id = :id"), {"id": token.id})
        .mappings()
        .one()
    )
    assert raw not in {str(value) for value in row.values()}
    assert not any(raw[4:20] in str(value) for value in row.values())  # not even part of it
    assert row["token_hash"] == tokens.hash_token(raw) and len(row["token_hash"]) == 64
    assert raw.startswith(row["prefix"]) and len(row["prefix"]) == 12
    assert make(users["author"], "other")[1] != raw


def test_a_token_acts_as_its_owner(users):
    _, raw = make(users["editor"])
    assert tokens.authenticate(raw) == users["editor"]


@pytest.mark.parametrize(
    "raw",
    ["", None, "cms_", "cms_unknown-token-of-the-right-length-123456789012345", "x" * 10_000],
)
def test_unknown_tokens_act_as_nobody(users, raw):
    make(users["editor"])
    assert tokens.authenticate(raw) is None


def test_a_tampered_token_acts_as_nobody(users):
    _, raw = make(users["editor"])
    assert tokens.authenticate(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    assert tokens.authenticate(raw + "x") is None


def test_a_revoked_token_stops_working_at_once_and_is_logged(users):
    token, raw = make(users["author"])
    assert tokens.revoke(token, by=users["author"]) is True
    db.session.commit()

    assert tokens.authenticate(raw) is None
    assert stored(token).revoked_at is not None
    assert tokens.revoke(stored(token), by=users["author"]) is False  # nothing twice
    actions = db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["token.create", "token.revoke"]


def test_creating_a_token_is_logged_without_the_secret(users):
    token, raw = make(users["author"], expires_in_days=7)
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "token.create")
    ).one()
    assert (entry.actor_email, entry.target_type, entry.target_id) == (
        users["author"].email,
        "apitoken",
        token.id,
    )
    assert entry.changes_dict["name"] == "laptop"
    assert entry.changes_dict["prefix"] == token.prefix
    assert raw not in entry.changes and raw not in (entry.target_label or "")


def test_a_token_expires_by_the_projects_clock(users, frozen_clock):
    start = frozen_clock.now
    _, raw = make(users["author"], expires_in_days=2)

    frozen_clock(start + timedelta(days=2) - timedelta(seconds=1))
    assert tokens.authenticate(raw) == users["author"]
    frozen_clock(start + timedelta(days=2))
    assert tokens.authenticate(raw) is None


def test_a_deactivated_owner_is_refused_from_the_next_request(users):
    _, raw = make(users["editor"])
    assert tokens.authenticate(raw) is not None
    # Another session (the admin's request) deactivates them; this one still holds the row.
    db.session.execute(
        db.text("UPDATE users SET active = false WHERE id = :id"), {"id": users["editor"].id}
    )
    assert tokens.authenticate(raw) is None


def test_a_role_taken_away_is_gone_from_the_next_request(users):
    editor = users["editor"]
    _, raw = make(editor)
    assert "editor" in tokens.authenticate(raw).role_names
    editor_role = db.session.scalar(db.select(Role).where(Role.name == "editor"))
    db.session.execute(
        db.text("DELETE FROM roles_users WHERE user_id = :user AND role_id = :role"),
        {"user": editor.id, "role": editor_role.id},
    )
    assert tokens.authenticate(raw).role_names == frozenset()


def test_last_use_is_written_at_most_once_a_minute(app, users, frozen_clock):
    token, raw = make(users["author"])
    assert stored(token).last_used_at is None
    start = frozen_clock.now

    tokens.authenticate(raw)
    assert stored(token).last_used_at == start

    frozen_clock(start + timedelta(seconds=59))
    with recorded_statements(app) as statements:
        assert tokens.authenticate(raw) == users["author"]
    assert [s for s in statements if s.lstrip().upper().startswith("UPDATE")] == []
    assert len(statements) <= 2  # the token with its owner, and the owner's roles
    assert stored(token).last_used_at == start

    frozen_clock(start + timedelta(seconds=60))
    tokens.authenticate(raw)
    assert stored(token).last_used_at == start + timedelta(seconds=60)


@pytest.mark.parametrize(
    ("name", "days", "message"),
    [
        ("  ", None, "Give the token a name"),
        ("x" * 101, None, "at most 100 characters"),
        ("ok", 0, "between 1 and 3650 days"),
        ("ok", 3651, "between 1 and 3650 days"),
    ],
)
def test_bad_names_and_expiries_are_refused(users, name, days, message):
    with pytest.raises(tokens.TokenError, match=message):
        tokens.create(users["author"], name, expires_in_days=days, by=users["author"])


def test_names_are_unique_per_owner_only(users):
    make(users["author"], "ci")
    with pytest.raises(tokens.TokenError, match="already a token named 'ci'"):
        tokens.create(users["author"], " ci ", by=users["author"])
    db.session.rollback()
    make(users["other_author"], "ci")  # another owner may use the same name


def test_a_deactivated_user_gets_no_token(users):
    inactive = UserFactory(roles=["author"], active=False)
    with pytest.raises(tokens.TokenError, match="deactivated"):
        tokens.create(inactive, "x", by=None)


def test_only_the_owner_or_an_admin_may_revoke(users):
    token, raw = make(users["author"])
    for someone in ("other_author", "editor"):
        with pytest.raises(tokens.NotAllowed):
            tokens.revoke(token, by=users[someone])
    assert tokens.authenticate(raw) == users["author"]
    assert tokens.revoke(token, by=users["admin"]) is True


def test_the_owners_list_is_theirs_newest_first(users, frozen_clock):
    start = frozen_clock.now
    make(users["author"], "old")
    frozen_clock(start + timedelta(minutes=1))
    make(users["author"], "new")
    make(users["other_author"], "theirs")
    assert [t.name for t in tokens.tokens_of(users["author"])] == ["new", "old"]
