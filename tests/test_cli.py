"""``flask cms create-admin`` and ``flask cms demo``."""

from __future__ import annotations

import re

import pytest

from cms.accounts.models import User
from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts.models import Post
from tests.factories import PASSWORD, UserFactory, stored_user

ADMIN_PASSWORD = "a long admin secret"


@pytest.fixture(autouse=True)
def _no_password_in_environment(monkeypatch):
    monkeypatch.delenv("CMS_ADMIN_PASSWORD", raising=False)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(model.id)))


def create_admin(runner, *args: str, env: dict | None = None):
    return runner.invoke(args=["cms", "create-admin", *args], env=env)


def assert_one_line_error(result) -> None:
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")


# --- create-admin ----------------------------------------------------------------------------


def test_create_admin_with_a_password(runner, can_log_in):
    result = create_admin(runner, "boss@example.com", "--password", ADMIN_PASSWORD, "--name", "Bo")

    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.com." in result.output
    assert ADMIN_PASSWORD not in result.output
    user = stored_user("boss@example.com")
    assert user.active
    assert user.role_names == {"admin"}
    assert user.full_name == "Bo"
    assert can_log_in("boss@example.com", ADMIN_PASSWORD)


def test_create_admin_reads_the_password_from_the_environment(runner, can_log_in):
    result = create_admin(runner, "boss@example.com", env={"CMS_ADMIN_PASSWORD": ADMIN_PASSWORD})

    assert result.exit_code == 0, result.output
    assert can_log_in("boss@example.com", ADMIN_PASSWORD)


def test_create_admin_without_password_or_terminal_prints_a_generated_one(runner, can_log_in):
    result = create_admin(runner, "boss@example.com")

    assert result.exit_code == 0, result.output
    match = re.search(r"Generated password \(shown only now\): (\S+)", result.output)
    assert match, result.output
    password = match.group(1)
    assert result.output.count(password) == 1
    assert can_log_in("boss@example.com", password)


def test_create_admin_refuses_an_invalid_email(runner):
    before = count(User)

    result = create_admin(runner, "not-an-email", "--password", ADMIN_PASSWORD)

    assert_one_line_error(result)
    assert "not a valid e-mail address" in result.output
    assert count(User) == before


def test_create_admin_refuses_a_taken_email(runner, users, can_log_in):
    result = create_admin(runner, "editor@example.com", "--password", ADMIN_PASSWORD)

    assert_one_line_error(result)
    assert "already exists" in result.output
    assert stored_user("editor@example.com").role_names == {"editor"}
    assert can_log_in("editor@example.com", PASSWORD)
    assert not can_log_in("editor@example.com", ADMIN_PASSWORD)


def test_create_admin_refuses_a_short_password(runner):
    result = create_admin(runner, "boss@example.com", "--password", "seven77")

    assert_one_line_error(result)
    assert "at least 8 characters" in result.output
    assert stored_user("boss@example.com") is None


def test_create_admin_refuses_a_case_variant_of_a_taken_email(runner):
    UserFactory(email="boss@example.com", roles=["editor"])

    result = create_admin(runner, "Boss@example.com", "--password", ADMIN_PASSWORD)

    assert result.exit_code != 0, "created an admin who cannot log in"
    assert count(User) == 1


def test_admin_created_with_an_accented_password_can_log_in(runner, can_log_in):
    password = "cr\u00e8me br\u00fbl\u00e9e"  # composed characters, as keyboards type them

    result = create_admin(runner, "chef@example.com", "--password", password)

    assert result.exit_code == 0, result.output
    assert can_log_in("chef@example.com", password)


# --- demo ------------------------------------------------------------------------------------


@pytest.fixture
def instance_path(app, tmp_path, monkeypatch):
    """Where the demo keeps its login file: a temporary folder, not the real instance/."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


def test_demo_creates_an_admin_and_three_posts(runner, instance_path, can_log_in):
    result = runner.invoke(args=["cms", "demo"])

    assert result.exit_code == 0, result.output
    assert "Added 3 demo posts." in result.output
    admin = stored_user("admin@example.com")
    assert admin.role_names == {"admin"}
    assert count(Post) == 3
    email, password = (instance_path / "demo-login.txt").read_text().split()
    assert email == "admin@example.com"
    assert f"as admin@example.com with password {password}" in result.output
    assert can_log_in("admin@example.com", password)


def test_demo_run_twice_adds_nothing_the_second_time(runner, instance_path, can_log_in):
    runner.invoke(args=["cms", "demo"])
    _, password = (instance_path / "demo-login.txt").read_text().split()

    again = runner.invoke(args=["cms", "demo"])

    assert again.exit_code == 0, again.output
    assert "Added" not in again.output
    assert count(User) == 1
    assert count(Post) == 3
    assert can_log_in("admin@example.com", password)


@pytest.mark.parametrize("group", ["users", "roles"])
def test_flask_securitys_unaudited_account_commands_are_off(runner, group):
    result = runner.invoke(args=[group, "--help"])
    assert result.exit_code == 2
    assert "No such command" in result.output


# --- invite ----------------------------------------------------------------------------------


@pytest.fixture
def public_site(app, monkeypatch):
    """The settings of a deployment behind TLS: links in mails name this host."""
    monkeypatch.setitem(app.config, "SERVER_NAME", "cms.example.com")
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    with app.app_context():  # a context of its own, as `flask` gives a command: built with them
        yield


def invite(runner, *args: str):
    return runner.invoke(args=["cms", "invite", *args])


def test_invite_mails_a_link_and_sets_the_roles(
    app, runner, outbox, public_site, can_log_in, monkeypatch
):
    from tests.accounts.invites import accept, link_in

    result = invite(
        runner, "Ines@Example.com", "--role", "editor", "--role", "author", "--name", "Ines"
    )

    assert result.exit_code == 0, result.output
    assert result.output.startswith("Invited ines@example.com; the link works until ")
    user = stored_user("ines@example.com")
    assert (user.role_names, user.full_name, user.password) == ({"editor", "author"}, "Ines", None)
    [mail] = outbox
    assert mail.to == ["ines@example.com"]
    assert "You are invited to Flask CMS as author, editor." in mail.body
    link = link_in(mail)
    assert link.startswith("https://cms.example.com/invitation/")
    entries = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action.like("invitation.%"))
    ).all()
    assert [(e.action, e.source, e.actor_email) for e in entries] == [
        ("invitation.send", "cli", None)
    ]

    # The test client would speak https now, which Flask-WTF checks for a Referer.
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "http")
    accept(app.test_client(), link, "Ines's own password")
    assert can_log_in("ines@example.com", "Ines's own password")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["new@example.com", "--role", "publisher"], "No such role: publisher."),
        (["editor@example.com", "--role", "editor"], "already exists"),
        (["not-an-address"], "is not a valid e-mail address"),
        (["new@example.com", "--name", "x" * 121], "The name is too long: at most 120"),
    ],
    ids=["unknown role", "taken address", "invalid address", "name too long"],
)
def test_invite_with_bad_input_fails_in_one_line_and_keeps_nothing(
    runner, users, outbox, public_site, args, message
):
    before = count(User)

    result = invite(runner, *args)

    assert_one_line_error(result)
    assert message in result.output
    assert count(User) == before
    assert outbox == []


def test_invite_without_a_public_host_says_what_to_set(runner, outbox):
    result = invite(runner, "new@example.com", "--role", "author")

    assert_one_line_error(result)
    assert "Set SERVER_NAME" in result.output
    assert stored_user("new@example.com") is None
    assert outbox == []
