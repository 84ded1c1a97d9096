"""Self-registration: off unless REGISTRATION_ENABLED; when on, the address is confirmed by
mail and the new account has no staff role until an admin grants one."""

from __future__ import annotations

import re

import pytest

from cms.audit.models import AuditEntry
from cms.extensions import db, security
from tests.accounts.invites import path_of
from tests.client import CMSClient
from tests.conftest import TEST_SETTINGS, rolled_back
from tests.factories import PASSWORD, UserFactory, stored_user

NEWCOMER = "newcomer@example.com"
NEW_PASSWORD = "my very own secret"


def register(client, email: str = NEWCOMER, password: str = NEW_PASSWORD):
    return client.submit(
        "/register", {"email": email, "password": password, "password_confirm": password}
    )


def test_registration_is_off_by_default(client):
    assert client.get("/register").status_code == 404
    assert client.post_with_token("/register", {"email": NEWCOMER}).status_code == 404
    assert "/register" not in client.get("/login").get_data(as_text=True)
    assert stored_user(NEWCOMER) is None


@pytest.fixture
def open_app(app, make_app, database_url):
    """The CMS with REGISTRATION_ENABLED=true, on the test database, rolled back afterwards
    (the suite's own app stays as it is: registration is chosen when the app starts).

    Flask-Security keeps its settings on the one ``Security`` object every app shares, so
    they are put back afterwards, or the suite's app would require confirmed addresses."""
    shared_settings = dict(vars(security))
    opened = make_app(
        {"SQLALCHEMY_DATABASE_URI": database_url},
        environ={**TEST_SETTINGS, "REGISTRATION_ENABLED": "true"},
    )
    opened.test_client_class = CMSClient
    try:
        with rolled_back(opened):
            yield opened
    finally:
        vars(security).update(shared_settings)


@pytest.fixture
def mails(open_app):
    mailman = open_app.extensions["mailman"]
    mailman.outbox = []
    return mailman.outbox


def logs_in(app, email: str, password: str) -> bool:
    response = app.test_client().login(email, password)
    return response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_the_login_page_offers_registration_when_it_is_on(open_app):
    page = open_app.test_client().get("/login").get_data(as_text=True)

    assert 'href="/register"' in page


def test_a_newcomer_confirms_the_address_then_logs_in_without_a_staff_role(open_app, mails):
    visitor = open_app.test_client()

    response = register(visitor)

    assert response.status_code == 302
    user = stored_user(NEWCOMER)
    assert user.role_names == frozenset()
    assert user.confirmed_at is None
    assert not logs_in(open_app, NEWCOMER, NEW_PASSWORD)  # not before confirming
    [mail] = [m for m in mails if NEWCOMER in m.to]
    link = re.search(r"http://\S+/confirm/[^\s\"<>]+", mail.body).group(0)

    visitor.get(path_of(link))

    assert stored_user(NEWCOMER).confirmed_at is not None
    assert logs_in(open_app, NEWCOMER, NEW_PASSWORD)
    member = open_app.test_client()
    member.login(NEWCOMER, NEW_PASSWORD)
    assert member.get("/admin/").status_code == 403
    assert member.get("/admin/posts/").status_code == 403
    db.session.expire_all()
    actions = db.session.scalars(
        db.select(AuditEntry.action).where(AuditEntry.target_label == NEWCOMER)
    ).all()
    assert actions[0] == "user.register"
    assert "user.confirm" in actions


def test_a_weak_password_is_refused_at_registration(open_app, mails):
    response = register(open_app.test_client(), password="seven77")

    assert response.status_code == 200
    assert "Password must be at least 8 characters" in response.get_data(as_text=True)
    assert stored_user(NEWCOMER) is None
    assert mails == []


def test_staff_created_before_keep_logging_in_when_registration_is_on(open_app):
    UserFactory(roles=["editor"], email="staff@example.com")

    assert logs_in(open_app, "staff@example.com", PASSWORD)


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.fixture
def limits(open_app, monkeypatch):
    """Mail-sending limits for this test; the others high enough to stay out of the way."""
    for kind in ("RESET", "SIGN_IN"):
        for per in ("ACCOUNT", "ADDRESS"):
            monkeypatch.setitem(open_app.config, f"RATE_LIMIT_{kind}_PER_{per}", "1000 per minute")

    def set_limits(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setitem(open_app.config, f"RATE_LIMIT_{name.upper()}", value)

    return set_limits


def resend_confirmation(app, email: str = NEWCOMER, address: str = "10.0.0.1"):
    return app.test_client().submit("/confirm", {"email": email}, **from_address(address))


def test_confirmation_mails_are_limited_per_account(open_app, mails, limits):
    register(open_app.test_client())
    limits(reset_per_account="2 per minute")
    sent_before = len(mails)

    answers = [resend_confirmation(open_app, address=f"10.0.1.{n}").status_code for n in range(4)]

    assert answers[:2] != [429, 429]
    assert answers[2:] == [429, 429]
    assert len(mails) == sent_before + 2


def test_confirmation_requests_are_limited_per_address(open_app, mails, limits):
    limits(reset_per_address="2 per minute")
    resend_confirmation(open_app, "a@example.com")
    resend_confirmation(open_app, "b@example.com")

    assert resend_confirmation(open_app, "c@example.com").status_code == 429
    assert resend_confirmation(open_app, "c@example.com", address="10.0.0.2").status_code != 429


def test_registrations_are_limited_per_account(open_app, mails, limits):
    limits(reset_per_account="2 per minute")

    answers = [
        open_app.test_client()
        .submit(
            "/register",
            {"email": NEWCOMER, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
            **from_address(f"10.0.2.{n}"),
        )
        .status_code
        for n in range(4)
    ]

    assert 429 not in answers[:2]
    assert answers[2:] == [429, 429]
    assert len([m for m in mails if NEWCOMER in m.to]) <= 2


def test_registrations_are_limited_per_address(open_app, mails, limits):
    limits(reset_per_address="2 per minute")
    register(open_app.test_client(), "a@example.com")
    register(open_app.test_client(), "b@example.com")

    assert register(open_app.test_client(), "c@example.com").status_code == 429
    assert stored_user("c@example.com") is None
