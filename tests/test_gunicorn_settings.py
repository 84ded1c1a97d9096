"""The Procfile's gunicorn settings (config/gunicorn_conf.py): the app is loaded once in the
master and the workers forked from it share its pages; a worker starts with none of the
master's database connections, which two processes must never share."""

from __future__ import annotations

import runpy
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import text

from cms.extensions import db
from tests.test_procfile import procfile

SETTINGS_FILE = Path(__file__).resolve().parents[1] / "config" / "gunicorn_conf.py"
SETTINGS = runpy.run_path(str(SETTINGS_FILE))


def test_the_web_process_preloads_the_app_with_these_settings():
    assert "--config config/gunicorn_conf.py" in procfile()["web"]
    assert SETTINGS["preload_app"] is True


def test_a_forked_worker_starts_without_the_masters_connections(make_app, database_url):
    master_app = make_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with master_app.app_context():
        with db.engine.connect() as connection:  # the master used the database at start
            connection.execute(text("SELECT 1"))
        masters_pool = db.engine.pool
        assert masters_pool.checkedin() == 1

        worker = SimpleNamespace(app=SimpleNamespace(callable=master_app))
        SETTINGS["post_fork"](None, worker)

        assert db.engine.pool.checkedin() == 0
        with db.engine.connect() as connection:  # the worker opens its own
            assert connection.execute(text("SELECT 1")).scalar() == 1
        # Left open by the hook, as the master still has them; this test is both processes.
        masters_pool.dispose()


def test_an_app_without_a_database_is_left_alone():
    worker = SimpleNamespace(app=SimpleNamespace(callable=object()))
    SETTINGS["post_fork"](None, worker)  # no error: nothing to drop
