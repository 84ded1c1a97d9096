"""What a reader's request skips (make bench-http, README "HTTP throughput"): work that
does nothing for a page that sets no cookie, posts no form and has no rate limit. Each
test pins the skip and, beside it, that the behaviour it stands for is unchanged."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flask.sessions import SecureCookieSessionInterface

from cms.extensions import db
from cms.posts.models import PostStatus
from tests.conftest import TEST_SETTINGS
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[1]


def _count_calls(monkeypatch, owner, name: str) -> list:
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_a_reader_without_a_session_cookie_costs_no_cookie_signer(app, client, monkeypatch):
    signers = _count_calls(monkeypatch, SecureCookieSessionInterface, "get_signing_serializer")

    page = client.get("/")

    assert page.status_code == 200
    assert signers == []
    assert "Set-Cookie" not in page.headers
    assert "Cookie" in page.headers.get("Vary", "")  # the page cache read the session


def test_a_signed_in_session_still_opens_and_a_forged_one_does_not(app, users, make_app):
    client = app.test_client()
    assert client.submit("/login", {"email": "editor@example.com", "password": PASSWORD})
    assert 'href="/admin/"' in client.get("/").text  # the Dashboard link: signed in

    forged = app.test_client()
    forged.set_cookie("session", "eyJfdXNlcl9pZCI6IjEifQ.forged.signature")
    page = forged.get("/")
    assert page.status_code == 200
    assert 'href="/admin/"' not in page.text


def test_public_pages_are_not_looked_up_by_the_rate_limiter(app, client, users, monkeypatch):
    limiter = app.extensions["cms_rate_limits"]
    resolved = _count_calls(monkeypatch, limiter.limit_manager, "resolve_limits")
    # The state its hooks keep for a request (read after the answer and at its end).
    contexts = []
    context = type(limiter).context
    monkeypatch.setattr(
        type(limiter), "context", property(lambda self: contexts.append(1) or context.fget(self))
    )

    assert client.get("/").status_code == 200
    assert client.get("/tags").status_code == 200
    assert resolved == []
    assert contexts == []

    login = app.test_client()
    login.submit("/login", {"email": "editor@example.com", "password": "wrong password"})
    assert resolved  # a limited endpoint still goes through the limiter
    assert contexts


def test_a_default_limit_in_the_settings_still_applies_to_every_page(make_app, database_url):
    app = make_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_DEFAULT": "2 per minute"})
    client = app.test_client()

    statuses = [client.get("/healthz").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_a_nul_byte_in_a_form_is_still_refused_and_a_plain_get_is_not(client, users, post_factory):
    post = post_factory(users["author"], title="Plain", status=PostStatus.PUBLISHED)
    assert client.get(f"/posts/{post.slug}").status_code == 200
    assert client.get("/?x=a%00b").status_code == 400
    refused = client.post("/login", data={"email": "a\x00b@example.com", "password": "x"})
    assert refused.status_code == 400


def test_an_offsite_return_address_in_a_form_is_still_refused(client):
    answer = client.post("/login", data={"next": "https://evil.example/"})
    assert answer.status_code == 400


def test_a_web_worker_imports_no_migration_tooling():
    """alembic (and mako, pygments) are 11 MB of a worker's memory; only migrating needs them."""
    script = (
        "import sys; from cms import create_app; "
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite://'}}, environ={TEST_SETTINGS!r}); "
        "loaded = {m.split('.')[0] for m in sys.modules}; "
        "print(sorted(loaded & {'alembic', 'flask_migrate', 'mako'}))"
    )
    found = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert found.stdout.strip() == "[]"


def test_flask_db_still_offers_every_migration_command(app):
    result = app.test_cli_runner().invoke(args=["db", "--help"])

    assert result.exit_code == 0, result.output
    for command in ("upgrade", "downgrade", "check", "current", "migrate"):
        assert command in result.output


def test_flask_db_runs_migration_commands(make_app, database_url):
    from flask_migrate import _MigrateConfig

    app = make_app({"SQLALCHEMY_DATABASE_URI": database_url})
    result = app.test_cli_runner().invoke(args=["db", "heads"])

    # (alembic prints the head to the stdout it found when first imported, out of reach)
    assert result.exit_code == 0, result.output
    assert isinstance(app.extensions["migrate"], _MigrateConfig)


def test_migrations_see_the_apps_settings(app):
    from cms.schema_migrations import migrations_of

    config = migrations_of(app)
    assert config.configure_args["render_as_batch"] is True
    assert config.configure_args["compare_type"] is True
    assert app.extensions["migrate"].db is config.db


def test_a_request_pings_no_sqlite_database_but_keeps_postgresql_checked(app, client, monkeypatch):
    with app.app_context():
        dialect = db.engine.dialect
    pings = _count_calls(monkeypatch, type(dialect), "do_ping")

    assert client.get("/").status_code == 200

    if dialect.name == "sqlite":
        assert pings == []
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is False
    else:
        assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


def test_a_nul_byte_anywhere_in_the_query_is_refused(client):
    for query in ("x=a%00b", "a%00=1", "x=1&y=%00"):
        assert client.get(f"/?{query}").status_code == 400, query
    # "%25" is a percent sign: the text "%00", no NUL.
    assert client.get("/?q=%2500").status_code == 200
