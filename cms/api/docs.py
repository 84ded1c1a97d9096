"""The interactive docs page, ``/api/docs``: Swagger UI (npm ``swagger-ui-dist``, pinned in
package.json, which renders OpenAPI 3.1) reading ``/api/v1/openapi.json``.

Everything it loads comes from the app: Swagger UI's files are served from
``node_modules/swagger-ui-dist`` at ``/api/docs/assets/`` and its start-up script from
``static/js``, so the page's policy allows scripts from 'self' and nothing inline
(``cms.headers.allow_own_scripts``). flask-smorest's own Swagger UI page is not used: it
starts Swagger UI with an inline script.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, render_template, url_for

from cms.headers import allow_own_scripts

#: Where ``npm ci`` (``make install-js``) puts Swagger UI's files.
SWAGGER_UI_FILES = Path(__file__).resolve().parents[2] / "node_modules" / "swagger-ui-dist"

blueprint = Blueprint(
    "api_docs",
    __name__,
    static_folder=str(SWAGGER_UI_FILES),
    static_url_path="/api/docs/assets",
)


@blueprint.get("/api/docs")
def swagger_ui():
    if not (SWAGGER_UI_FILES / "swagger-ui-bundle.js").is_file():
        abort(404, "The docs page needs Swagger UI's files: run `make install-js`.")
    allow_own_scripts()
    return render_template(
        "api/docs.html", spec_url=url_for("api-docs.openapi_json", _external=False)
    )
