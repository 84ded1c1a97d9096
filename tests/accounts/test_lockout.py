"""Brute force against one account: the lock after repeated failed logins, and unlocking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from cms.accounts import lockout
from cms.accounts.models import User
from cms.audit.models import AuditEntry
from cms.extensions import db
from tests.accounts.test_login import same_page
from tests.client import flashed
from tests.factories import PASSWORD, stored_user
from tests.two_factor import Authenticator, enroll, generate_recovery_codes, give_code

WRONG = "not the password"


@pytest.fixture
def lock_after_three(app, monkeypatch):
    """Three failures lock an account for 15 minutes; rate limits out of the way, so the
    lock alone is what refuses."""
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_ATTEMPTS", 3)
    monkeypatch.setitem(app.config, "LOGIN_LOCKOUT_MINUTES", 15)
    monkeypatch.setitem(app.config, "RATE_LIMIT_SIGN_IN_PER_ACCOUNT", "1000 per minute")
    monkeypatch.setitem(app.config, "RATE_LIMIT_SIGN_IN_PER_ADDRESS", "1000 per minute")


def fail_logins(app, email: str, times: int) -> None:
    for _ in range(times):
        assert app.test_client().login(email, WRONG).status_code == 200


def entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in(app, users, can_log_in):
    """Issue 8, defect 4, with the settings as they ship (the rate limit answers first)."""
    answers = {app.test_client().login("editor@example.com", WRONG).status_code for _ in range(30)}
    assert answers == {200, 429}

    assert not can_log_in("editor@example.com")


def test_after_the_failures_allowed_the_right_password_waits_for_the_lock_to_end(
    app, users, can_log_in, frozen_clock, lock_after_three
):
    start = frozen_clock.now
    fail_logins(app, "editor@example.com", 2)
    assert can_log_in("editor@example.com")  # a success forgets the failures before it
    fail_logins(app, "editor@example.com", 3)

    assert not can_log_in("editor@example.com")
    frozen_clock(start + timedelta(minutes=14))
    assert not can_log_in("editor@example.com")
    assert can_log_in("author@example.com")  # other accounts are not concerned

    frozen_clock(start + timedelta(minutes=15, seconds=1))
    assert can_log_in("editor@example.com")


def test_attempts_during_the_lock_do_not_lengthen_it(
    app, users, can_log_in, frozen_clock, lock_after_three
):
    start = frozen_clock.now
    fail_logins(app, "editor@example.com", 3)
    frozen_clock(start + timedelta(minutes=10))
    fail_logins(app, "editor@example.com", 5)

    frozen_clock(start + timedelta(minutes=16))
    assert can_log_in("editor@example.com")


def test_a_locked_account_answers_like_a_wrong_password_and_an_unknown_account(
    app, users, lock_after_three
):
    fail_logins(app, "editor@example.com", 3)

    locked = app.test_client().login("editor@example.com", PASSWORD)  # the right password
    wrong_password = app.test_client().login("author@example.com", WRONG)
    unknown = app.test_client().login("nobody@example.com", WRONG)

    assert locked.status_code == wrong_password.status_code == unknown.status_code == 200
    assert (
        same_page(locked, "editor@example.com")
        == same_page(wrong_password, "author@example.com")
        == same_page(unknown, "nobody@example.com")
    )
    assert "Authentication failed" in locked.get_data(as_text=True)


def test_a_locked_account_answers_json_clients_like_a_wrong_password(app, users, lock_after_three):
    fail_logins(app, "editor@example.com", 3)

    def json_login(email, password):
        client = app.test_client()
        token = client.token()
        response = client.post(
            "/login",
            json={"email": email, "password": password},
            headers={"X-CSRF-Token": token},
        )
        body = response.get_json()
        body["response"].pop("csrf_token", None)
        return response.status_code, body

    assert (
        json_login("editor@example.com", PASSWORD)
        == json_login("author@example.com", WRONG)
        == json_login("nobody@example.com", WRONG)
    )
    assert json_login("editor@example.com", PASSWORD)[0] == 400


def test_the_lock_is_in_the_audit_log(app, users, frozen_clock, lock_after_three):
    fail_logins(app, "editor@example.com", 3)

    [entry] = entries("user.lock")
    assert entry.target_label == "editor@example.com"
    assert entry.changes_dict == {
        "failed_logins": 3,
        "locked_until": (frozen_clock.now + timedelta(minutes=15)).isoformat(),
    }
    assert lockout.is_locked(stored_user("editor@example.com"))


def admin_client(app):
    client = app.test_client()
    assert client.login("admin@example.com").status_code == 302
    return client


def test_an_admin_unlocks_an_account_from_its_page(app, users, can_log_in, lock_after_three):
    fail_logins(app, "editor@example.com", 3)
    admin = admin_client(app)
    page = admin.get(f"/admin/users/details/?id={users['editor'].id}").get_data(as_text=True)
    assert "Unlock</button>" in page

    response = admin.submit(
        "/admin/users/unlock/",
        {"id": str(users["editor"].id)},
        form_url=f"/admin/users/details/?id={users['editor'].id}",
    )

    assert response.status_code == 302
    assert response.location == f"/admin/users/details/?id={users['editor'].id}"
    page = admin.get(response.location)
    assert "editor@example.com is unlocked and can log in again." in flashed(page)
    assert "Unlock</button>" not in page.get_data(as_text=True)
    assert can_log_in("editor@example.com")
    [entry] = entries("user.unlock")
    assert (entry.actor_email, entry.target_label, entry.source) == (
        "admin@example.com",
        "editor@example.com",
        "admin",
    )


def test_an_unlocked_account_shows_no_unlock_button(app, users):
    page = admin_client(app).get(f"/admin/users/details/?id={users['editor'].id}")
    assert "Unlock</button>" not in page.get_data(as_text=True)
    assert "not locked" in page.get_data(as_text=True)


def test_unlocking_an_account_that_is_not_locked_records_nothing(app, users):
    admin = admin_client(app)
    response = admin.post_with_token("/admin/users/unlock/", {"id": str(users["editor"].id)})

    assert "editor@example.com was not locked." in flashed(admin.get(response.location))
    assert entries("user.unlock") == []


def test_unlock_of_no_such_user_is_404(app, users):
    response = admin_client(app).post_with_token("/admin/users/unlock/", {"id": "999999"})
    assert response.status_code == 404


def test_unlock_needs_the_csrf_token(app, users, lock_after_three):
    fail_logins(app, "editor@example.com", 3)
    response = admin_client(app).post("/admin/users/unlock/", data={"id": users["editor"].id})

    assert response.status_code == 400
    assert lockout.is_locked(stored_user("editor@example.com"))


def test_the_cli_unlocks_an_account(app, users, runner, can_log_in, lock_after_three):
    fail_logins(app, "editor@example.com", 3)

    result = runner.invoke(args=["cms", "unlock", "Editor@Example.com"])

    assert result.exit_code == 0, result.output
    assert result.output == "Unlocked editor@example.com: they can log in again.\n"
    assert can_log_in("editor@example.com")
    [entry] = entries("user.unlock")
    assert (entry.actor_email, entry.source) == (None, "cli")


def test_the_cli_refuses_an_unknown_address_in_one_line(runner, users):
    result = runner.invoke(args=["cms", "unlock", "nobody@example.com"])

    assert result.exit_code == 1
    assert result.output == "Error: No user has the address nobody@example.com.\n"


# --- Second factors count too -----------------------------------------------------------------


@pytest.fixture
def two_factor_required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)


def enrolled_and_logged_out(client, email: str) -> Authenticator:
    """The authenticator of ``email``, who has set up two-factor and logged out."""
    client.login(email)
    phone = enroll(client)
    client.logout()
    return phone


@pytest.mark.usefixtures("two_factor_required", "lock_after_three")
def test_wrong_authenticator_codes_lock_the_account_even_against_the_right_code(
    app, client, users, can_log_in
):
    phone = enrolled_and_logged_out(client, "editor@example.com")

    client.login("editor@example.com")  # the right password
    for _ in range(3):
        assert "Invalid code" in give_code(client, phone.wrong_code()).get_data(as_text=True)
    refused = give_code(client, phone.code())

    assert "Invalid code" in refused.get_data(as_text=True)
    assert client.get("/admin/").location.startswith("/login")
    assert lockout.is_locked(stored_user("editor@example.com"))
    assert [entry.target_label for entry in entries("user.lock")] == ["editor@example.com"]
    assert not can_log_in("editor@example.com")


@pytest.mark.usefixtures("two_factor_required", "lock_after_three")
def test_wrong_recovery_codes_lock_the_account_even_against_a_right_one(app, client, users):
    client.login("editor@example.com")
    enroll(client)
    codes = generate_recovery_codes(client)
    client.logout()

    client.login("editor@example.com")
    for _ in range(3):
        assert client.submit("/mf-recovery", {"code": "not-a-code"}).status_code == 200
    refused = client.submit("/mf-recovery", {"code": codes[0]})

    assert "Recovery code invalid" in refused.get_data(as_text=True)
    assert client.get("/admin/").location.startswith("/login")
    assert lockout.is_locked(stored_user("editor@example.com"))


@pytest.mark.usefixtures("two_factor_required", "lock_after_three")
def test_a_complete_login_forgets_earlier_wrong_codes(app, client, users):
    phone = enrolled_and_logged_out(client, "editor@example.com")
    client.login("editor@example.com")
    for _ in range(2):
        give_code(client, phone.wrong_code())
    assert give_code(client, phone.code()).location == "/admin/"

    assert stored_user("editor@example.com").failed_login_count == 0


# --- Parallel attempts ------------------------------------------------------------------------


def lock_from_elsewhere(user_id: int, until) -> None:
    """What a parallel request that counts the last failure stores: the lock, in the table,
    behind the back of the user object this request loaded (tests share one transaction, so
    "elsewhere" is a Core UPDATE the ORM does not see)."""
    db.session.execute(update(User.__table__).where(User.id == user_id).values(locked_until=until))


def test_a_lock_stored_while_the_password_is_checked_refuses_the_right_password(
    app, users, frozen_clock, lock_after_three, monkeypatch
):
    """The reviewer's burst: the right password, loaded before the lock and checked after."""
    editor_id = users["editor"].id
    check = User.verify_and_update_password

    def check_while_locked_elsewhere(user, password):
        lock_from_elsewhere(editor_id, frozen_clock.now + timedelta(minutes=15))
        return check(user, password)

    monkeypatch.setattr(User, "verify_and_update_password", check_while_locked_elsewhere)
    response = app.test_client().login("editor@example.com", PASSWORD)

    assert response.status_code == 200
    assert "Authentication failed" in response.get_data(as_text=True)
