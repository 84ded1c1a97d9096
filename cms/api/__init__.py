"""The JSON API for programs, ``/api/v1``: the product seen through JSON, through the same
rules as the site (``cms.posts.publication``, ``cms.public``). Public reads for now;
``cms.api.spec`` says why flask-smorest, ``cms.api.problems`` how errors look."""

from __future__ import annotations

from flask import Flask

from cms.api import http
from cms.api.spec import ProblemApi


def init_api(app: Flask) -> ProblemApi:
    """The spec's settings, the blueprints, and what every API answer shares. Before
    ``init_rate_limits``, which limits the views marked ``limited(API_READ)``."""
    # Their routes join the blueprint: the public reads, and the token's side (editorial_*).
    from cms.api import (  # noqa: F401
        auth,
        catalogue,
        docs,
        editorial_posts,
        editorial_steps,
        editorial_tags,
        posts,
    )
    from cms.api.blueprint import blueprint

    app.config.update(
        API_TITLE="CMS API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
    )
    api = ProblemApi(app)
    auth.register(app, api)
    api.register_blueprint(blueprint)
    app.register_blueprint(docs.blueprint)
    http.register(app)
    return api
