"""``flask cms token create|list|revoke``: the operator's way to the same tokens."""

from __future__ import annotations

import re

import pytest

from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.tokens import service as tokens
from cms.tokens.models import ApiToken
from tests.test_cli import assert_one_line_error


def token_cli(runner, *args: str):
    return runner.invoke(args=["cms", "token", *args])


def test_create_prints_the_token_once_and_it_works(runner, users):
    result = token_cli(
        runner, "create", "--user", "Editor@Example.com", "--name", "deploy bot",
        "--expires-in-days", "30",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    [raw] = re.findall(r"cms_\S+", result.output)
    assert result.output.count(raw) == 1
    assert "shown only now" in result.output
    assert tokens.authenticate(raw) == users["editor"]
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "token.create")
    ).one()
    assert (entry.source, entry.actor_id) == ("cli", None)


def test_list_shows_each_tokens_start_and_state_never_the_token(runner, users):
    token_cli(runner, "create", "--user", users["author"].email, "--name", "laptop")
    result = token_cli(runner, "create", "--user", users["author"].email, "--name", "ci")
    raw = re.search(r"cms_\S+", result.output).group()
    token_cli(runner, "revoke", str(db.session.scalar(db.select(db.func.max(ApiToken.id)))))

    listed = token_cli(runner, "list", "--user", users["author"].email)

    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert [line.split("\t")[2:4] for line in lines] == [["revoked", "ci"], ["active", "laptop"]]
    assert raw not in listed.output and raw[:12] in listed.output
    empty = token_cli(runner, "list", "--user", users["editor"].email)
    assert empty.output.strip() == "editor@example.com has no API tokens."


def test_revoke_stops_the_token(runner, users):
    token, raw = tokens.create(users["author"], "laptop", by=None)
    db.session.commit()

    result = token_cli(runner, "revoke", str(token.id))

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Revoked token {token.id} ('laptop') of author@example.com."
    assert tokens.authenticate(raw) is None
    again = token_cli(runner, "revoke", str(token.id))
    assert again.exit_code == 0 and "already revoked" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "--user", "nobody@example.com", "--name", "x"), "No user has the address"),
        (("create", "--user", "author@example.com"), "Missing option '--name'"),
        (("create", "--name", "x"), "Missing option '--user'"),
        (("create", "--user", "author@example.com", "--name", " "), "Give the token a name"),
        (
            ("create", "--user", "author@example.com", "--name", "x", "--expires-in-days", "0"),
            "is not in the range",
        ),
        (
            ("create", "--user", "author@example.com", "--name", "x", "--expires-in-days", "ten"),
            "is not a valid integer",
        ),
        (("list", "--user", "nobody@example.com"), "No user has the address"),
        (("revoke", "abc"), "'abc' is not a valid integer"),
        (("revoke", "99999"), "No API token has the id 99999."),
        (("revoke", "99999999999999999999"), "No API token has the id 99999999999999999999."),
        (("revoke", "-1"), "No such option '-1'"),
    ],
)
def test_bad_input_fails_in_one_line_and_keeps_nothing(runner, users, args, message):
    result = token_cli(runner, *args)
    assert_one_line_error(result)
    assert message in result.output
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_a_name_taken_by_the_owner_fails_in_one_line(runner, users):
    token_cli(runner, "create", "--user", users["author"].email, "--name", "ci")
    result = token_cli(runner, "create", "--user", users["author"].email, "--name", "ci")
    assert_one_line_error(result)
    assert "already a token named 'ci'" in result.output
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 1
