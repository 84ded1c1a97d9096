"""Fixtures: one migrated database per run, a rolled-back transaction per test.

The same suite runs on SQLite and on PostgreSQL; ``TEST_DATABASE_URL`` chooses (see
tests/databases.py). The schema comes from the real migrations, not ``create_all``.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import flask_migrate
import pytest
from flask_mailman import Mail
from passlib.totp import TOTP

from cms import clock, create_app, mail
from cms.extensions import db, security
from cms.posts.models import Post
from tests.client import CMSClient
from tests.databases import fresh_database
from tests.factories import PASSWORD, PostFactory, UserFactory

TEST_SETTINGS = {
    "CMS_CONFIG": "testing",
    "SECRET_KEY": "test-secret-key",
    "SECURITY_PASSWORD_SALT": "test-password-salt",
}


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


def dispose_engines(app) -> None:
    """Close the app's pooled connections (left open, they fail the run at exit)."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture
def make_app():
    """Build extra apps for a test (``make_app(config)``); their connections close afterwards."""
    made = []

    def make(config: dict, environ: dict = TEST_SETTINGS):
        made.append(create_app(config, environ=environ))
        return made[-1]

    yield make
    for app in made:
        dispose_engines(app)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url}, environ=TEST_SETTINGS)
    app.test_client_class = CMSClient  # every client a test makes carries CSRF tokens
    _SUITE_PASSWORD_CONTEXT[app] = security.pwd_context
    with app.app_context():
        flask_migrate.upgrade()
    dispose_engines(app)
    yield app
    dispose_engines(app)


_SUITE_PASSWORD_CONTEXT = {}


@pytest.fixture(autouse=True)
def _suite_password_hashing(app):
    """Each test starts hashing passwords as the suite's app does (bcrypt at 4 rounds).

    Flask-Security keeps one state for every app a process builds (``cms.extensions.security``)
    and the app built last sets its password hashing. A test that builds an app in development
    or production settings left bcrypt at 12 rounds for every test after it: a quarter of a
    second per user made or login, most of the suite's time. A test that builds such an app
    still hashes with that app's settings from then on, as before."""
    security.pwd_context = _SUITE_PASSWORD_CONTEXT[app]


@contextmanager
def rolled_back(app):
    """Inside, ``app``'s session joins an outer transaction on one connection; the app's own
    commits become savepoints, so views that commit work as in production, and everything
    is rolled back at the end."""
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture(autouse=True)
def _transaction(app):
    """Run each test inside a transaction that is rolled back afterwards: the next test
    still sees empty tables."""
    with rolled_back(app):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits(app):
    """Each test starts with no attempts counted (the limits stay on, at their defaults)."""
    app.extensions["cms_rate_limits"].reset()


@pytest.fixture
def client(app) -> CMSClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def outbox(app):
    """The mails the app sent during the test (Flask-Mailman's in-memory backend)."""
    mailman = app.extensions["mailman"]
    mailman.outbox = []
    return mailman.outbox


@pytest.fixture
def send_mail_to(app, monkeypatch):
    """Send the app's mail over SMTP to a local ``port`` instead of into ``outbox``;
    ``background=True`` sends it as production does, outside the request."""

    def route(port: int, *, background: bool = False) -> None:
        settings = {
            **app.config,
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
        }
        monkeypatch.setitem(app.extensions, "mailman", Mail.init_mail(settings))
        monkeypatch.setitem(app.config, "MAIL_SEND_IN_BACKGROUND", background)

    yield route
    # What is still queued is this test's: done before the next test reads the log.
    mail.courier.wait_until_idle(timeout=60)


@pytest.fixture
def frozen_clock(monkeypatch):
    """Set "now" for everything that asks ``cms.clock``; call it with a new time to move on."""

    class FrozenClock:
        now = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

        def __call__(self, moment: datetime) -> None:
            self.now = moment

    frozen = FrozenClock()
    monkeypatch.setattr(clock, "utcnow", lambda: frozen.now)
    return frozen


@pytest.fixture
def totp_clock(monkeypatch):
    """Pin the clock of authenticator codes (passlib's, which both the server's check and
    the test's authenticator read), in seconds since the epoch; call it to move on. It
    starts at the beginning of a 30-second step."""

    class TotpClock:
        now = 60_000_000 * 30

        def __call__(self, seconds: int) -> None:
            self.now = seconds

    pinned = TotpClock()
    monkeypatch.setattr(TOTP, "now", staticmethod(lambda: pinned.now))
    return pinned


@pytest.fixture
def can_log_in(app):
    """Whether a fresh browser gets into the dashboard with these credentials."""

    def attempt(email: str, password: str = PASSWORD) -> bool:
        response = app.test_client().login(email, password)
        return response.status_code == 302 and response.headers["Location"] == "/admin/"

    return attempt


@pytest.fixture
def users():
    """One user per role, plus one with no role, keyed by role name."""
    return {
        "admin": UserFactory(roles=["admin"], email="admin@example.com"),
        "editor": UserFactory(roles=["editor"], email="editor@example.com"),
        "author": UserFactory(roles=["author"], email="author@example.com"),
        "other_author": UserFactory(roles=["author"], email="other-author@example.com"),
        "norole": UserFactory(roles=[], email="reader@example.com"),
    }


@pytest.fixture
def post_factory():
    return PostFactory


@pytest.fixture
def write(client, users):
    """Create or edit a post through the dashboard's form as the logged-in editor."""
    client.login(users["editor"].email)

    def save(post_id: int | None = None, **fields) -> int:
        form = {"title": "T", "slug": "", "summary": "", "body": "", "author": users["editor"].id}
        if post_id is not None:
            post = db.session.get(Post, post_id)
            db.session.refresh(post)
            form.update(title=post.title, slug=post.slug, summary=post.summary, body=post.body)
        form.update(fields)
        url = "/admin/posts/new/" if post_id is None else f"/admin/posts/edit/?id={post_id}"
        response = client.submit(url, form)
        assert response.status_code == 302, response.get_data(as_text=True)
        return post_id or db.session.scalars(db.select(Post.id).order_by(Post.id.desc())).first()

    return save
