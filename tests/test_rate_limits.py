"""Rate limits on sign-in and password reset: per account, per address, shared through Redis."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
import redis
from flask import Blueprint
from limits.storage import RedisStorage

from cms import rate_limits
from cms.extensions import db
from tests.accounts.invites import accept, invite, link_in, mails_to
from tests.client import CMSClient, csrf_token_in
from tests.factories import PASSWORD
from tests.redis_server import redis_for_tests
from tests.two_factor import add_security_key

WRONG = "not the password"


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def login(app, email: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    return app.test_client().submit(
        "/login", {"email": email, "password": password}, **from_address(address)
    )


def forgot(client, email: str, address: str = "10.0.0.1"):
    return client.submit("/reset", {"email": email}, **from_address(address))


@pytest.fixture
def limits(app, monkeypatch):
    """Set this test's limits (the rest stay high enough to stay out of the way)."""
    for name in (
        "RATE_LIMIT_SIGN_IN_PER_ACCOUNT",
        "RATE_LIMIT_SIGN_IN_PER_ADDRESS",
        "RATE_LIMIT_RESET_PER_ACCOUNT",
        "RATE_LIMIT_RESET_PER_ADDRESS",
    ):
        monkeypatch.setitem(app.config, name, "1000 per minute")

    def set_limits(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setitem(app.config, f"RATE_LIMIT_{name.upper()}", value)

    return set_limits


def test_failed_logins_are_limited_per_account_from_any_address(app, users, limits):
    limits(sign_in_per_account="3 per minute")
    for number in range(3):
        assert login(app, "editor@example.com", WRONG, f"10.0.0.{number}").status_code == 200

    refused = login(app, "editor@example.com", PASSWORD, "10.0.0.99")  # the right password

    assert refused.status_code == 429
    assert login(app, "author@example.com", PASSWORD, "10.0.0.99").status_code == 302


def test_failed_logins_are_limited_per_address_whatever_the_account(app, users, limits):
    limits(sign_in_per_address="3 per minute")
    for email in ("a@example.com", "b@example.com", "editor@example.com"):
        assert login(app, email, WRONG, "10.0.0.7").status_code == 200

    assert login(app, "author@example.com", PASSWORD, "10.0.0.7").status_code == 429
    assert login(app, "author@example.com", PASSWORD, "10.0.0.8").status_code == 302


def test_an_ipv6_client_is_counted_by_its_64_block(app, users, limits):
    """One household or server gets a whole /64: stepping through it changes nothing."""
    limits(sign_in_per_address="2 per minute")
    login(app, "a@example.com", WRONG, "2001:db8:1:2::10")
    login(app, "b@example.com", WRONG, "2001:db8:1:2:ffff::99")

    assert login(app, "c@example.com", WRONG, "2001:db8:1:2::beef").status_code == 429
    assert login(app, "c@example.com", WRONG, "2001:db8:1:3::1").status_code == 200


def test_successful_logins_are_not_counted(app, users, limits):
    limits(sign_in_per_account="2 per minute", sign_in_per_address="2 per minute")
    for _ in range(4):
        assert login(app, "editor@example.com").status_code == 302


def test_unknown_accounts_are_limited_like_known_ones(app, users, limits):
    """A 429 must not tell a stranger which addresses have accounts."""
    limits(sign_in_per_account="2 per minute")
    answers = {}
    for email in ("editor@example.com", "nobody@example.com"):
        answers[email] = [login(app, email, WRONG).status_code for _ in range(3)]

    assert answers["editor@example.com"] == answers["nobody@example.com"] == [200, 200, 429]


def test_the_429_page_is_in_the_dashboard_layout_and_says_when_to_try_again(app, users, limits):
    limits(sign_in_per_account="1 per minute")
    login(app, "editor@example.com", WRONG)

    response = login(app, "editor@example.com", WRONG)

    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert re.search(rf'class="navbar-brand"[^>]*>\s*{app.config["SITE_NAME"]}\s*<', html)
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 60
    assert re.search(r"Too many attempts\. Try again in \d+ seconds\.", html)


def test_the_429_answer_is_json_for_json_clients(app, users, limits):
    limits(sign_in_per_account="1 per minute")
    client = app.test_client()
    token = client.token()

    def json_login():
        return client.post(
            "/login",
            json={"email": "editor@example.com", "password": WRONG},
            headers={"X-CSRF-Token": token},
        )

    assert json_login().status_code == 400
    response = json_login()

    assert response.status_code == 429
    body = response.get_json()
    assert body["error"] == "Too Many Requests"
    assert body["retry_after"] == int(response.headers["Retry-After"]) > 0
    assert body["message"] == f"Too many attempts. Try again in {body['retry_after']} seconds."


def test_the_wait_is_that_of_the_longest_limit_broken(app, users, limits):
    limits(sign_in_per_account="1 per minute; 1 per hour")
    login(app, "editor@example.com", WRONG)

    response = login(app, "editor@example.com", WRONG)

    assert 60 < int(response.headers["Retry-After"]) <= 3600
    assert "Try again in 60 minutes." in response.get_data(as_text=True)


def test_reset_requests_are_limited_per_account_known_or_not(app, client, users, limits, outbox):
    limits(reset_per_account="2 per minute")
    for email in ("editor@example.com", "nobody@example.com"):
        assert [forgot(client, email).status_code for _ in range(3)] == [200, 200, 429]
    assert len(outbox) == 2  # the third request for the real account sent nothing


def test_reset_requests_are_limited_per_address(app, client, users, limits):
    limits(reset_per_address="2 per minute")
    forgot(client, "a@example.com")
    forgot(client, "b@example.com")

    assert forgot(client, "c@example.com").status_code == 429
    assert forgot(client, "c@example.com", address="10.0.0.2").status_code == 200


def test_the_reset_link_form_is_limited_per_address(app, client, limits):
    limits(reset_per_address="2 per minute")

    def set_password():
        return client.post_with_token(
            "/reset/not-a-token", {"password": "x"}, **from_address("10.0.0.3")
        )

    assert [set_password().status_code for _ in range(2)] == [302, 302]  # to "forgot"
    refused = set_password()

    assert refused.status_code == 429


def test_the_login_page_itself_is_not_limited(app, limits):
    limits(sign_in_per_address="1 per minute")
    client = app.test_client()
    assert [client.get("/login").status_code for _ in range(3)] == [200, 200, 200]


def test_views_marked_for_limiting_are_limited_once(make_app, database_url):
    """How another feature's view (an invitation form, say) asks for the sign-in limits."""
    door = Blueprint("door_for_test", __name__)

    @door.post("/door-for-test")
    @rate_limits.limited(rate_limits.SIGN_IN)
    def knock():
        return "wrong code", 200  # a failed attempt: the form shown again

    app = make_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "2 per minute",
            "WTF_CSRF_ENABLED": False,
        }
    )
    app.register_blueprint(door)  # after create_app, so it must ask
    rate_limits.apply_limits(app)
    rate_limits.apply_limits(app)  # twice changes nothing

    client = app.test_client()
    assert [client.post("/door-for-test").status_code for _ in range(3)] == [200, 200, 429]
    with pytest.raises(ValueError, match="unknown kind"):
        rate_limits.limited("everything")


# --- Several app instances, and Redis going away. ---


@pytest.fixture
def redis_url():
    """A Redis database for this run's limits; in CI, Redis is required."""
    return redis_for_tests()


@pytest.fixture
def key_prefix(redis_url):
    """A prefix of this test's own; its keys are deleted afterwards (and no one else's)."""
    prefix = f"cms-test-{uuid.uuid4().hex}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        for key in client.scan_iter(match=f"*{prefix}*"):
            client.delete(key)
    finally:
        client.close()


def close_limiter_storage(app) -> None:
    storage = app.extensions["cms_rate_limits"].storage
    if isinstance(storage, RedisStorage):
        storage.storage.close()


@pytest.fixture
def instances(make_app, database_url):
    """Build app instances on the test database; their Redis connections close afterwards."""
    made = []

    def build(**config):
        app = make_app({"SQLALCHEMY_DATABASE_URI": database_url, **config})
        app.test_client_class = CMSClient
        made.append(app)
        return app

    yield build
    for app in made:
        close_limiter_storage(app)


def test_two_app_instances_share_the_counts_through_redis(instances, redis_url, key_prefix):
    settings = {
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": key_prefix,
        "RATE_LIMIT_RESET_PER_ACCOUNT": "3 per minute",
    }
    first, second = instances(**settings), instances(**settings)
    clients = [first.test_client(), second.test_client()]

    answers = [forgot(clients[n % 2], "nobody@example.com").status_code for n in range(4)]

    assert answers == [200, 200, 200, 429]
    keys = redis.Redis.from_url(redis_url)
    try:
        assert list(keys.scan_iter(match=f"*{key_prefix}*"))  # the counts are in Redis
    finally:
        keys.close()


def test_two_app_instances_share_failed_sign_ins_through_redis(instances, redis_url, key_prefix):
    """Failed sign-ins are counted after the answer (only failures count), in Redis too."""
    settings = {
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": key_prefix,
        "RATE_LIMIT_SIGN_IN_PER_ACCOUNT": "3 per minute",
    }
    first, second = instances(**settings), instances(**settings)

    answers = [
        login(app, "nobody@example.com", WRONG).status_code
        for app in (first, second, first, second)
    ]

    assert answers == [200, 200, 200, 429]


def test_with_redis_down_each_instance_counts_in_memory_and_says_so(instances, caplog):
    app = instances(
        REDIS_URL="redis://127.0.0.1:9/0",  # the discard port: nothing answers there
        RATE_LIMIT_RESET_PER_ACCOUNT="2 per minute",
    )
    client = app.test_client()

    with caplog.at_level(logging.WARNING, logger="flask-limiter"):
        answers = [forgot(client, "nobody@example.com").status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert "falling back to in-memory storage" in caplog.text


def test_two_factor_codes_are_limited_when_two_factor_is_on(instances):
    """The two-factor code form gets the sign-in limits."""
    from passlib import totp

    app = instances(
        SECURITY_TWO_FACTOR=True,
        SECURITY_TWO_FACTOR_ENABLED_METHODS=["authenticator"],
        SECURITY_TOTP_SECRETS={"1": totp.generate_secret()},
        SECURITY_TOTP_ISSUER="CMS tests",
        RATE_LIMIT_SIGN_IN_PER_ADDRESS="2 per minute",
    )
    client = app.test_client()
    token = client.token()

    def send_code():
        return client.post("/tf-validate", json={"code": "123456"}, headers={"X-CSRF-Token": token})

    answers = [send_code().status_code for _ in range(3)]

    assert answers[:2] != [429, 429]
    assert answers[2] == 429


def test_invitation_links_count_refused_passwords_per_address(app, client, users, limits, outbox):
    limits(sign_in_per_address="2 per minute")
    client.login("admin@example.com")
    invite(client, "new@example.com", roles=["author"])
    link = link_in(mails_to(outbox, "new@example.com")[-1])
    invitee = app.test_client()

    statuses = [accept(invitee, link, "password123!").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_sending_invitations_is_limited_like_password_resets(app, client, users, limits, outbox):
    limits(reset_per_account="1 per minute")
    client.login("admin@example.com")
    assert invite(client, "new@example.com", roles=["author"]).status_code == 302
    assert invite(client, "new@example.com", roles=["author"]).status_code == 429
    assert len(mails_to(outbox, "new@example.com")) == 1


def test_refused_security_key_answers_are_limited_per_account(app, users, limits):
    """Flask-Security answers a refused key with a redirect, as it does a success."""
    limits(sign_in_per_account="2 per minute")
    add_security_key(users["author"])
    db.session.commit()
    client = app.test_client()
    assert client.login("author@example.com").location.startswith("/wan-signin")
    page = client.submit("/wan-signin").get_data(as_text=True)  # the key's challenge
    action = re.search(r'<form action="([^"]+)" method="post" name="wan_signin_response', page)
    token = csrf_token_in(page)

    def answer():
        return client.post(action.group(1), data={"csrf_token": token, "credential": "{}"})

    answers = [answer() for _ in range(3)]

    assert [response.status_code for response in answers] == [302, 302, 429]
    assert answers[0].location.startswith("/wan-signin")
    assert client.get("/admin/").location.startswith("/login")


def change_password(client, current: str, address: str = "10.0.0.1"):
    new = "a brand new passphrase"
    return client.submit(
        "/change",
        {"password": current, "new_password": new, "new_password_confirm": new},
        **from_address(address),
    )


def test_wrong_current_passwords_on_change_are_limited_per_account(app, users, limits):
    limits(sign_in_per_account="2 per minute")
    first, second = app.test_client(), app.test_client()
    first.login("editor@example.com")
    second.login("editor@example.com")

    assert change_password(first, WRONG, "10.0.3.1").status_code == 200
    assert change_password(second, WRONG, "10.0.3.2").status_code == 200

    refused = change_password(first, PASSWORD, "10.0.3.3")  # the right password
    assert refused.status_code == 429
    assert change_password(second, PASSWORD, "10.0.3.4").status_code == 429


def test_wrong_current_passwords_on_change_are_limited_per_address(app, users, limits):
    limits(sign_in_per_address="2 per minute")
    clients = {role: app.test_client() for role in ("editor", "author", "admin")}
    for role, client in clients.items():
        client.login(f"{role}@example.com")
    change_password(clients["editor"], WRONG)
    change_password(clients["author"], WRONG)

    assert change_password(clients["admin"], WRONG).status_code == 429
    assert change_password(clients["admin"], WRONG, "10.0.0.2").status_code == 200


def test_a_successful_password_change_is_not_counted(app, users, limits):
    limits(sign_in_per_account="1 per minute")
    client = app.test_client()
    client.login("editor@example.com")

    assert change_password(client, PASSWORD).status_code == 302
