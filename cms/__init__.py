"""The content management system: ``create_app`` builds the Flask application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from cms.application import CMSFlask
from config import load_config


def create_app(
    test_config: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Flask:
    """Build the application.

    Settings come from the class ``CMS_CONFIG`` names (read from ``environ``, by default the
    process environment), then ``instance/settings.py`` if it exists, then ``test_config``.

    :raise config.ConfigError: when the environment lacks what the chosen settings require.
    """
    app = CMSFlask(__name__, instance_relative_config=True)
    app.config.from_object(load_config(app.instance_path, environ))
    app.config.from_pyfile("settings.py", silent=True)
    if test_config:
        app.config.from_mapping(test_config)

    # Imported here, not at the top: the modules below need the package itself first.
    from cms import acting, app_setup, cli, dates, errors, headers, health
    from cms.accounts.views import blueprint as invitations
    from cms.admin import init_admin
    from cms.api import init_api
    from cms.public.views import blueprint as public_site
    from cms.rate_limits import init_rate_limits
    from cms.request_checks import refuse_nul_bytes, refuse_offsite_redirects

    app_setup.configure_logging(app)
    app_setup.register_extensions(app)
    app.before_request(refuse_nul_bytes)
    app.before_request(refuse_offsite_redirects)
    app.before_request(acting.begin_request)
    app.register_blueprint(public_site)
    app.register_blueprint(health.blueprint)
    app.register_blueprint(invitations)
    init_admin(app)
    init_api(app)
    errors.register(app)
    app.cli.add_command(cli.cms_cli)
    dates.register(app)
    headers.register(app)
    init_rate_limits(app)  # last: it limits views that are registered by then
    return app
