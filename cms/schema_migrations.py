"""Flask-Migrate, loaded when migrations are run, not in every web worker.

Importing Flask-Migrate imports alembic, and with it mako and pygments: 11 MB of each
worker's memory, for commands that never run in one. So ``create_app`` registers two
stand-ins that load the real thing on first use, and then behave exactly as
``Migrate(app, db, ...)`` would have from the start:

- ``flask db ...``: a command that hands the command line to Flask-Migrate's own group;
- ``app.extensions["migrate"]``: read by ``flask_migrate.upgrade()`` and the other
  functions (the test suite and the bench call them directly) and by ``migrations/env.py``.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask

from cms.extensions import db

#: Flask-Migrate's settings for this app (``Migrate.init_app``'s keyword arguments).
SETTINGS = {"render_as_batch": True, "compare_type": True}
_KEY = "migrate"


def register(app: Flask) -> None:
    app.extensions[_KEY] = _ConfigOnDemand(app)
    app.cli.add_command(_CommandsOnDemand(app))


def migrations_of(app: Flask) -> Any:
    """Flask-Migrate's configuration of ``app`` (its ``_MigrateConfig``), set up now if
    it was not yet."""
    config = app.extensions[_KEY]
    if isinstance(config, _ConfigOnDemand):
        from flask_migrate import Migrate

        Migrate(app, db, **SETTINGS)  # replaces both stand-ins
        config = app.extensions[_KEY]
    return config


class _ConfigOnDemand:
    def __init__(self, app: Flask) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(migrations_of(self._app), name)


class _CommandsOnDemand(click.Command):
    """``flask db``: Flask-Migrate's group, made when a command line names it."""

    def __init__(self, app: Flask) -> None:
        super().__init__("db", help="Perform database migrations.")
        self._app = app

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        migrations_of(self._app)
        group = self._app.cli.commands["db"]
        return group.make_context(info_name, args, parent=parent, **extra)
