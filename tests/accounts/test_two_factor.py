"""Two-factor sign-in: who must set it up, logging in with a code or a recovery code,
turning it off, and what the audit log keeps."""

from __future__ import annotations

import re

import pytest

from cms.accounts.totp import USED_ALREADY
from cms.audit.models import AuditEntry
from cms.extensions import db, security
from tests.client import flashed
from tests.factories import stored_user
from tests.two_factor import (
    Authenticator,
    code_for,
    enroll,
    generate_recovery_codes,
    give_code,
    start_setup,
)


@pytest.fixture
def required(app, monkeypatch):
    """Production's setting: two-factor required for admins and editors."""
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED", True)


def entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def enrolled(client, email: str) -> Authenticator:
    """Log in (enrolling if the role requires it) with two-factor set up; the phone."""
    response = client.login(email)
    if response.location != "/tf-setup":
        client.get("/tf-setup")
    return enroll(client)


@pytest.mark.usefixtures("required")
@pytest.mark.parametrize("role", ["admin", "editor"])
def test_admins_and_editors_must_set_it_up_before_the_dashboard(client, users, role):
    response = client.login(users[role].email)
    assert response.location == "/tf-setup"
    # The password alone signs nobody in: the dashboard still asks for a login.
    assert client.get("/admin/").location.startswith("/login")
    page = client.get("/tf-setup").get_data(as_text=True)
    assert "Your role requires two-factor sign-in" in page
    assert 'value="disable"' not in page

    key, action, token = start_setup(client)
    assert action == "/tf-validate"
    assert client.get("/admin/").location.startswith("/login")  # not before the code either
    response = client.post(action, data={"csrf_token": token, "code": Authenticator(key).code()})
    assert response.location == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert stored_user(users[role].email).tf_primary_method == "authenticator"


@pytest.mark.usefixtures("required")
def test_an_author_is_not_made_to_but_may_set_it_up(client, users):
    email = users["author"].email
    assert client.login(email).location == "/admin/"
    page = client.get("/tf-setup").get_data(as_text=True)
    assert "Two-factor sign-in is <strong>off</strong>" in page
    phone = enroll(client)
    client.logout()

    assert client.login(email).location.startswith("/tf-validate")
    assert client.get("/admin/").location.startswith("/login")
    assert give_code(client, phone.code()).location == "/admin/"


def test_with_the_requirement_off_nobody_is_made_to(users, can_log_in):
    for role in ("admin", "editor", "author"):
        assert can_log_in(users[role].email)


@pytest.mark.usefixtures("required")
def test_turning_the_requirement_off_lets_admins_in_with_a_password(app, users, can_log_in):
    assert not can_log_in(users["admin"].email)
    app.config["TWO_FACTOR_REQUIRED"] = False
    assert can_log_in(users["admin"].email)


@pytest.mark.usefixtures("required")
def test_the_required_roles_are_a_setting(app, monkeypatch, users, can_log_in):
    monkeypatch.setitem(app.config, "TWO_FACTOR_REQUIRED_ROLES", frozenset({"admin"}))
    assert can_log_in(users["editor"].email)
    assert not can_log_in(users["admin"].email)


@pytest.mark.usefixtures("required")
def test_a_wrong_code_is_refused(client, users):
    email = users["editor"].email
    phone = enrolled(client, email)
    client.logout()

    client.login(email)
    response = give_code(client, phone.wrong_code())
    assert response.status_code == 200
    assert "Invalid code" in response.get_data(as_text=True)
    assert client.get("/admin/").location.startswith("/login")
    assert give_code(client, phone.code()).location == "/admin/"


def enrolled_earlier(user) -> str:
    """Give ``user`` an authenticator set up some time ago (no code used since); its key."""
    factory = security.totp_factory
    user.tf_totp_secret = factory.generate_totp_secret()
    user.tf_primary_method = "authenticator"
    db.session.commit()
    return factory.get_totp_b32_key(user.tf_totp_secret)


@pytest.mark.usefixtures("required")
def test_a_code_from_minutes_ago_is_refused(client, users, totp_clock):
    email = users["editor"].email
    key = enrolled_earlier(users["editor"])
    totp_clock(totp_clock.now + 15)  # mid-step: the codes below are the server's too

    client.login(email)
    assert "Invalid code" in give_code(client, code_for(key, seconds_ago=120)).get_data(
        as_text=True
    )
    assert client.get("/admin/").location.startswith("/login")
    # The code of the previous 30 seconds still works: a phone's clock may be a little behind.
    assert give_code(client, code_for(key, seconds_ago=30)).location == "/admin/"


@pytest.mark.usefixtures("required")
def test_a_code_works_once(app, client, users, totp_clock):
    email = users["editor"].email
    key = enrolled_earlier(users["editor"])
    totp_clock(totp_clock.now + 15)
    client.login(email)
    code = code_for(key)
    assert give_code(client, code).location == "/admin/"
    client.logout()

    someone_else = app.test_client()  # who saw the code typed, within the same 30 seconds
    someone_else.login(email)
    replayed = give_code(someone_else, code).get_data(as_text=True)
    earlier = give_code(someone_else, code_for(key, seconds_ago=30)).get_data(as_text=True)

    # Refused, and counted as a failed attempt. The editor themselves, logging in again
    # within the 30 seconds, is told why and what to do rather than that the code is wrong.
    for refused in (replayed, earlier):
        assert USED_ALREADY in refused and "Invalid code" not in refused
    assert someone_else.get("/admin/").location.startswith("/login")
    assert stored_user(email).failed_login_count == 2
    # The next code the app shows works.
    assert give_code(someone_else, code_for(key, seconds_ago=-30)).location == "/admin/"


@pytest.mark.usefixtures("required")
def test_the_code_that_set_up_the_authenticator_is_spent(app, client, users, totp_clock):
    email = users["editor"].email
    client.login(email)
    key, action, token = start_setup(client)
    code = code_for(key)
    assert client.post(action, data={"csrf_token": token, "code": code}).status_code == 302
    client.logout()

    someone_else = app.test_client()
    someone_else.login(email)

    assert USED_ALREADY in give_code(someone_else, code).get_data(as_text=True)
    assert someone_else.get("/admin/").location.startswith("/login")


@pytest.mark.usefixtures("required")
def test_a_code_read_as_its_step_ends_is_taken_in_the_next_and_not_given_again(
    app, client, users, totp_clock
):
    """How the test's authenticator gives codes: the one of now, even when the server checks
    it a moment later in the next step (a code of the previous step would then be refused),
    and after that the next step's code, not the one just used."""
    email = users["editor"].email
    client.login(email)
    key, action, token = start_setup(client)
    phone = Authenticator(key)
    step_starts = totp_clock.now
    totp_clock(step_starts + 29)  # read off the phone in the step's last second
    code = phone.code()
    totp_clock(step_starts + 30)  # and checked in the next step
    assert client.post(action, data={"csrf_token": token, "code": code}).location == "/admin/"
    client.logout()

    again = app.test_client()  # logging in again within the same step
    again.login(email)
    next_code = phone.code()
    assert next_code != code
    assert give_code(again, next_code).location == "/admin/"


@pytest.mark.usefixtures("required")
def test_a_session_from_before_the_requirement_is_sent_to_set_it_up(app, client, users):
    app.config["TWO_FACTOR_REQUIRED"] = False
    client.login(users["editor"].email)
    assert client.get("/admin/posts/").status_code == 200
    app.config["TWO_FACTOR_REQUIRED"] = True
    response = client.get("/admin/posts/")
    assert response.location == "/tf-setup"
    enroll(client)
    assert client.get("/admin/posts/").status_code == 200


@pytest.mark.usefixtures("required")
def test_a_recovery_code_logs_in_once(client, users):
    email = users["admin"].email
    enrolled(client, email)
    codes = generate_recovery_codes(client)
    assert len(codes) == 5
    client.logout()

    client.login(email)
    response = client.submit("/mf-recovery", {"code": codes[0]})
    assert response.location == "/admin/"
    client.logout()

    client.login(email)
    response = client.submit("/mf-recovery", {"code": codes[0]})
    assert response.status_code == 200
    assert "Recovery code invalid" in response.get_data(as_text=True)
    assert client.get("/admin/").location.startswith("/login")
    assert client.submit("/mf-recovery", {"code": codes[1]}).location == "/admin/"

    used = entries("auth.recovery_code_used")
    assert [entry.actor_email for entry in used] == [email, email]
    assert [entry.changes for entry in used] == ['{"codes_left": 4}', '{"codes_left": 3}']


@pytest.mark.usefixtures("required")
def test_secrets_and_recovery_codes_are_stored_encrypted(client, users):
    email = users["editor"].email
    phone = enrolled(client, email)
    codes = generate_recovery_codes(client)
    user = stored_user(email)
    plain_key = phone.key.replace("-", "")
    assert plain_key not in user.tf_totp_secret.replace("-", "")
    assert not set(codes) & set(user.mf_recovery_codes)
    assert len(user.mf_recovery_codes) == len(codes)


@pytest.mark.usefixtures("required")
def test_a_required_user_cannot_turn_it_off(client, users):
    enrolled(client, users["editor"].email)
    page = client.get("/tf-setup").get_data(as_text=True)
    assert "Two-factor sign-in is <strong>on</strong>" in page
    assert 'value="disable"' not in page
    response = client.submit("/tf-setup", {"setup": "disable"})
    assert "Marked method is not valid" in response.get_data(as_text=True)
    assert stored_user(users["editor"].email).tf_primary_method == "authenticator"


@pytest.mark.usefixtures("required")
def test_an_author_turns_it_off_and_logs_in_with_a_password_again(client, users, can_log_in):
    email = users["author"].email
    enrolled(client, email)
    assert not can_log_in(email)
    response = client.submit("/tf-setup", {"setup": "disable"})
    assert response.location == "/tf-setup"
    assert stored_user(email).tf_primary_method is None
    assert can_log_in(email)
    assert [entry.actor_email for entry in entries("auth.two_factor_disable")] == [email]


@pytest.mark.usefixtures("required")
def test_setting_up_changing_and_logging_in_are_audited(client, users):
    email = users["editor"].email
    old_phone = enrolled(client, email)  # during the login
    enroll(client)  # a new phone, from the account menu
    client.logout()
    client.login(email)
    give_code(client, old_phone.code())  # the old phone's key no longer works
    assert client.get("/admin/").location.startswith("/login")

    setups = entries("auth.two_factor_setup")
    assert [entry.actor_email for entry in setups] == [email, email]
    assert setups[0].changes == '{"method": "authenticator", "during": "login"}'
    assert setups[1].changes == '{"method": "authenticator"}'
    logins = entries("auth.login")
    assert '"second_factor": "authenticator"' in logins[0].changes


def test_the_account_menu_leads_to_two_factor_sign_in(client, users):
    client.login(users["author"].email)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/tf-setup">Two-factor sign-in</a>' in page


def test_setup_needs_the_password_step_first(client):
    response = client.get("/tf-setup")
    assert response.location.startswith("/login")
    assert "You currently do not have permissions" in " ".join(
        flashed(client.get(response.location))
    )


@pytest.mark.parametrize("url", ["/tf-setup", "/mf-recovery-codes?show_codes=1"])
def test_two_factor_pages_have_the_dashboards_policy(client, users, url):
    """The public site's policy allows no script, and these pages' account menu (logging
    out) needs the dashboard's scripts."""
    client.login(users["author"].email)
    enroll(client)
    generate_recovery_codes(client)
    response = client.get(url)
    assert response.status_code == 200
    nonce = re.search(r"script-src 'nonce-([^']+)'", response.headers["Content-Security-Policy"])
    assert nonce, "the page got the public site's policy, which runs no script"
    assert f'<script nonce="{nonce.group(1)}"' in response.get_data(as_text=True)
