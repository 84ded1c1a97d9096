"""The content management system: ``create_app`` builds the Flask application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from config import load_config


def create_app(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Flask:
    """Build the application.

    Settings come from the class ``CMS_CONFIG`` names (read from ``environ``, by default the
    process environment), then ``instance/settings.py`` if it exists, then ``test_config``.

    :raise config.ConfigError: when the environment lacks what the chosen settings require.
    """
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(load_config(app.instance_path, environ))
    app.config.from_pyfile("settings.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)

    from cms import app_setup

    app_setup.configure_logging(app)
    app_setup.register_extensions(app)
    app_setup.register_request_checks(app)
    app_setup.register_blueprints(app)
    app_setup.register_admin(app)
    app_setup.register_error_handlers(app)
    app_setup.register_commands(app)
    app_setup.register_security_headers(app)
    return app
