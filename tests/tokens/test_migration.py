"""The tokens table's migration on its own: up from the revision before it, and down again
without touching the tables that were there."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from tests.test_migrations import empty_database, flask_db  # noqa: F401 - the fixture

BEFORE = "a3c8e1f6b9d2"
TOKENS = "6669b7d8795e"


def _schema(url: str) -> dict[str, set]:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        return {
            table: {column["name"] for column in inspector.get_columns(table)}
            for table in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def test_upgrade_adds_the_table_and_downgrade_removes_only_it(empty_database):  # noqa: F811
    assert flask_db(empty_database, "upgrade", BEFORE).returncode == 0
    before = _schema(empty_database)

    result = flask_db(empty_database, "upgrade", TOKENS)
    assert result.returncode == 0, result.stderr
    after = _schema(empty_database)
    assert after["api_tokens"] == {
        "id", "user_id", "name", "token_hash", "prefix",
        "created_at", "expires_at", "last_used_at", "revoked_at",
    }  # fmt: skip
    engine = create_engine(empty_database)
    try:
        unique = {
            tuple(constraint["column_names"])
            for constraint in inspect(engine).get_unique_constraints("api_tokens")
        }
    finally:
        engine.dispose()
    assert {("token_hash",), ("user_id", "name")} <= unique

    result = flask_db(empty_database, "downgrade", BEFORE)
    assert result.returncode == 0, result.stderr
    assert _schema(empty_database) == before
