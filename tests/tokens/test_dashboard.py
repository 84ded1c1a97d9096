"""The API tokens page: every staff member makes, sees and revokes their own tokens from the
account menu. The secret is shown in the response that made it, once."""

from __future__ import annotations

import html
import re

import pytest

from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.tokens import service as tokens
from cms.tokens.models import ApiToken
from tests.client import flashed

PAGE = "/admin/tokens/"
SECRET = re.compile(r'id="new-token-value"[^>]*value="(cms_[^"]+)"')


def errors_under(response, field: str) -> list[str]:
    found = re.findall(
        rf'<div class="invalid-feedback d-block" id="{field}-error">(.*?)</div>',
        response.get_data(as_text=True),
    )
    return [html.unescape(message) for message in found]


def create(client, name="laptop", days=""):
    return client.submit(PAGE, {"name": name, "expires_in_days": days})


def secret_in(response) -> str | None:
    match = SECRET.search(response.get_data(as_text=True))
    return match.group(1) if match else None


def rows(owner) -> list[ApiToken]:
    db.session.expire_all()
    return db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == owner.id)).all()


@pytest.mark.parametrize("role", ["author", "editor", "admin"])
def test_staff_create_a_token_see_it_once_and_it_acts_as_them(client, users, role):
    me = users[role]
    client.login(me.email)
    assert f'href="{PAGE}"' in client.get("/admin/").get_data(as_text=True)  # account menu

    response = create(client, " deploy bot ", "30")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert "Copy it now: it will not be shown again." in text
    raw = secret_in(response)
    assert raw and text.count(raw) == 1
    assert tokens.authenticate(raw) == me
    [row] = rows(me)
    assert (row.name, (row.expires_at - row.created_at).days) == ("deploy bot", 30)
    # Never again: not on the next visit, not in a flash, not in the database.
    again = client.get(PAGE).get_data(as_text=True)
    assert raw not in again and "Copy it now" not in again
    assert row.prefix in again and "deploy bot" in again
    stored = (
        db.session.execute(db.text("SELECT * FROM api_tokens WHERE id = :id"), {"id": row.id})
        .mappings()
        .one()
    )
    assert not any(raw in str(value) for value in stored.values())
    with client.session_transaction() as session:
        assert raw not in str(dict(session))


def test_the_list_shows_only_ones_own_tokens_with_their_state(client, users, frozen_clock):
    from datetime import timedelta

    mine, _ = tokens.create(users["author"], "mine", expires_in_days=1, by=None)
    old, _ = tokens.create(users["author"], "old", by=None)
    tokens.revoke(old, by=None)
    tokens.create(users["other_author"], "someone else's", by=None)
    db.session.commit()
    frozen_clock(frozen_clock.now + timedelta(days=2))
    client.login(users["author"].email)

    text = client.get(PAGE).get_data(as_text=True)

    assert "mine" in text and "old" in text and "someone else" not in text
    assert "Expired" in text and "Revoked 20" in text
    assert mine.prefix in text


def test_revoking_asks_first_and_stops_the_token(client, users):
    token, raw = tokens.create(users["editor"], "ci", by=None)
    db.session.commit()
    client.login(users["editor"].email)
    page = client.get(PAGE).get_data(as_text=True)
    assert re.search(
        rf'<form method="post" action="{PAGE}{token.id}/revoke"\s+data-confirm="Revoke the token',
        page,
    )

    response = client.post_with_token(f"{PAGE}{token.id}/revoke")

    assert response.status_code == 302 and response.location == PAGE
    assert flashed(client.get(PAGE)) == [
        "The token 'ci' is revoked: programs using it are refused."
    ]
    assert tokens.authenticate(raw) is None
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "token.revoke")
    ).one()
    assert (entry.actor_email, entry.source, entry.target_id) == (
        users["editor"].email,
        "admin",
        token.id,
    )


@pytest.mark.parametrize("role", ["author", "editor"])
def test_nobody_but_an_admin_revokes_anothers_token_by_its_id(client, users, role):
    token, raw = tokens.create(users["other_author"], "theirs", by=None)
    db.session.commit()
    client.login(users[role].email)

    response = client.post_with_token(f"{PAGE}{token.id}/revoke")

    assert response.status_code == 404  # as for a token that does not exist
    assert tokens.authenticate(raw) == users["other_author"]
    assert rows(users["other_author"])[0].revoked_at is None


def test_an_admin_may_revoke_anyones_token_as_the_policy_says(client, users):
    token, raw = tokens.create(users["author"], "theirs", by=None)
    db.session.commit()
    client.login(users["admin"].email)
    assert client.post_with_token(f"{PAGE}{token.id}/revoke").status_code == 302
    assert tokens.authenticate(raw) is None


@pytest.mark.parametrize("token_id", ["999999", "abc", "0", "99999999999999999999"])
def test_unknown_ids_are_not_found(client, users, token_id):
    client.login(users["author"].email)
    assert client.post_with_token(f"{PAGE}{token_id}/revoke").status_code == 404


def test_forms_without_the_csrf_token_are_refused(client, users):
    token, raw = tokens.create(users["author"], "ci", by=None)
    db.session.commit()
    client.login(users["author"].email)
    assert client.post(PAGE, data={"name": "forged"}).status_code == 400
    assert client.post(f"{PAGE}{token.id}/revoke").status_code == 400
    assert [row.name for row in rows(users["author"])] == ["ci"]
    assert tokens.authenticate(raw) == users["author"]


def test_revoking_is_a_post(client, users):
    token, _ = tokens.create(users["author"], "ci", by=None)
    db.session.commit()
    client.login(users["author"].email)
    assert client.get(f"{PAGE}{token.id}/revoke").status_code == 405


@pytest.mark.parametrize(
    ("name", "days", "field", "message"),
    [
        ("", "", "name", "Give the token a name, such as the program that will use it."),
        ("x" * 101, "", "name", "Field cannot be longer than 100 characters."),
        ("ok", "0", "expires_in_days", "Number must be between 1 and 3650."),
        ("ok", "soon", "expires_in_days", "Not a valid integer value."),
    ],
)
def test_bad_input_is_refused_under_its_field(client, users, name, days, field, message):
    client.login(users["author"].email)
    response = create(client, name, days)
    assert response.status_code == 200
    assert errors_under(response, field) == [message]
    assert secret_in(response) is None and rows(users["author"]) == []


def test_a_name_already_used_is_refused_under_the_name(client, users):
    client.login(users["author"].email)
    create(client, "ci")
    response = create(client, "ci")
    assert errors_under(response, "name") == [
        "There is already a token named 'ci' (revoked ones keep their names): choose another name."
    ]
    assert secret_in(response) is None and len(rows(users["author"])) == 1


def test_only_staff_have_the_page(client, users):
    assert client.get(PAGE).location.startswith("/login?next=/admin/tokens/")
    client.login(users["norole"].email)
    assert client.get(PAGE).status_code == 403
    response = client.post_with_token(PAGE, {"name": "mine"})
    assert response.status_code == 403 and rows(users["norole"]) == []


def test_the_page_is_valid_html(client, users):
    from tests.html_validity import assert_valid

    client.login(users["author"].email)
    made = create(client, "laptop")
    refused = create(client, "", "0")
    assert_valid(
        {
            "tokens with the new secret": made.get_data(as_text=True),
            "tokens with errors": refused.get_data(as_text=True),
            "tokens": client.get(PAGE).get_data(as_text=True),
        }
    )


def test_an_empty_expiry_means_the_token_never_expires(client, users):
    client.login(users["author"].email)
    response = create(client, "forever", "")
    assert secret_in(response) is not None
    assert errors_under(response, "expires_in_days") == []
    [row] = rows(users["author"])
    assert row.expires_at is None
    assert "Never" in client.get(PAGE).get_data(as_text=True)
