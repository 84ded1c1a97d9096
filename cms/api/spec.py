"""The API's flask-smorest extension: the OpenAPI 3.1 document, written from the views'
schemas, at ``/api/v1/openapi.json``.

flask-smorest rather than APIFlask: it is a normal extension (``Api(app)``), where
APIFlask needs its own application class in place of the CMS's; and it puts only its
own blueprints in the spec, where APIFlask documents every route of the app.

Two of its defaults are replaced. It would answer every HTTP error of the whole site in
JSON (the dashboard's and the readers' 404s too): here ``cms.errors`` keeps answering
them, in problem+json under ``/api/`` only (``cms.api.problems``). And its documented
errors say ``application/json``: here they say what is sent, ``application/problem+json``.
"""

from __future__ import annotations

import http

import marshmallow as ma
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from cms.api.problems import PROBLEM_JSON


class ProblemSchema(ma.Schema):
    """An error (RFC 9457)."""

    type = ma.fields.String(required=True, metadata={"example": "about:blank"})
    title = ma.fields.String(required=True, metadata={"example": "Not Found"})
    status = ma.fields.Integer(required=True, metadata={"example": 404})
    detail = ma.fields.String(required=True)
    errors = ma.fields.Dict(
        metadata={"description": "Field errors, by where they were read: query, path, json."}
    )


#: Documented on every operation (all GETs), besides the default response (whatever
#: fails on the server): the page cache's 304 to a matching If-None-Match, a NUL byte
#: anywhere (400, cms.request_checks) and the rate limit.
COMMON_STATUSES = (304, 400, 429)


class ProblemApi(Api):
    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        """None: ``cms.errors`` answers every error, problem+json under ``/api/``."""

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "An error on the server", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)
