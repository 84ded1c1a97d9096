"""Tests against the CMS as deployed (gunicorn, production settings, the release's
migrations), through a real HTTP client: the browser tests' server (``tests.browser.server``)
without the browser."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from cms import create_app
from cms.extensions import db
from tests.browser.mailbox import free_port
from tests.browser.server import ROOT, LiveServer
from tests.conftest import dispose_engines
from tests.databases import configured_url, fresh_database

ARTIFACTS = ROOT / "test-artifacts" / ("postgresql" if configured_url() else "sqlite")


@pytest.fixture(autouse=True)
def _transaction():
    """These tests commit for real: the server is another process and must see the data.
    (This replaces the suite-wide rollback fixture; the run has a database of its own.)"""


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live-api")
    with fresh_database(tmp) as database_url:
        # Nothing here sends mail: the port is only one nobody listens on.
        server = LiveServer(database_url, free_port(), free_port(), tmp / "gunicorn.log")
        server.start()
        try:
            yield server
        finally:
            server.stop()
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(server.log_path, ARTIFACTS / "gunicorn-api.log")


@pytest.fixture
def arrange(live_server):
    """The app in this process, on the live server's database: what it commits the server
    sees."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": live_server.env["DATABASE_URL"]}, environ=live_server.env
    )
    with app.app_context():
        yield db.session
        db.session.remove()
    dispose_engines(app)
