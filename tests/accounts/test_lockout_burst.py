"""A burst of parallel logins against one account, on PostgreSQL through a threaded server:
the lock is counted and set once, whatever the interleaving."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import flask_migrate
import pytest
from werkzeug.serving import make_server

from cms.accounts import service
from cms.accounts.models import User
from cms.audit.models import AuditEntry
from cms.extensions import db
from tests.databases import configured_url, fresh_database
from tests.factories import PASSWORD

pytestmark = pytest.mark.skipif(
    configured_url() is None, reason="parallel writers need PostgreSQL (SQLite has one)"
)

BURST = 20


@pytest.fixture
def server(make_app, tmp_path):
    """The app on a threaded server with its own committed database; its base URL."""
    with fresh_database(tmp_path) as url:
        app = make_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "LOGIN_LOCKOUT_ATTEMPTS": 3,
                "RATE_LIMIT_SIGN_IN_PER_ACCOUNT": "1000 per minute",
                "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "1000 per minute",
            }
        )
        with app.app_context():
            flask_migrate.upgrade()
            service.create_user("victim@example.com", PASSWORD, ["editor"])
            db.session.commit()
        http = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=http.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, f"http://127.0.0.1:{http.server_port}"
        finally:
            http.shutdown()
            thread.join()
            with app.app_context():
                db.session.remove()
                for engine in db.engines.values():
                    engine.dispose()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in(base: str, password: str) -> bool:
    """Whether a fresh browser is let in (sent on to the dashboard)."""
    data = urllib.parse.urlencode({"email": "victim@example.com", "password": password})
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(f"{base}/login", data.encode(), timeout=60):
            return False  # the form again
    except urllib.error.HTTPError as answer:
        return answer.code == 302 and answer.headers["Location"].endswith("/admin/")


def test_a_burst_of_wrong_passwords_locks_once_and_the_right_one_is_refused(server):
    app, base = server
    assert log_in(base, PASSWORD)  # the harness tells a login from a refusal
    with ThreadPoolExecutor(max_workers=BURST) as pool:
        let_in = list(pool.map(lambda i: log_in(base, f"wrong {i}"), range(BURST)))

    assert not any(let_in)
    assert not log_in(base, PASSWORD)
    with app.app_context():
        locks = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "user.lock")
        ).all()
        victim = db.session.scalar(db.select(User).where(User.email == "victim@example.com"))
        assert len(locks) == 1  # three counted failures, one lock: the rest were refused
        assert victim.locked_until is not None
        assert victim.failed_login_count == 0
