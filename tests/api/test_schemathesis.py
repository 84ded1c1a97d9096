"""schemathesis against the API's own spec: every public GET with generated arguments
(valid and not), no 5xx, and every answer as the spec says (statuses, content types,
bodies, headers). Bounded: a few examples per operation keeps it to seconds.

The app is built at import time: schemathesis's fixture loader fails on pytest 9.2.
Generated requests run on an empty database of their own (SQLite in memory), so they
exercise parsing, paging and errors; what the lists hold is tested in test_public_reads.
"""

from __future__ import annotations

import flask_migrate
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cms import create_app
from tests.conftest import TEST_SETTINGS

_app = create_app(
    {
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "API_READ_RATE_LIMIT": "100000 per minute",
        "API_TOKEN_RATE_LIMIT": "100000 per minute",
    },
    environ=TEST_SETTINGS,
)
with _app.app_context():
    flask_migrate.upgrade()

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_spec_says(case):
    # The list's arguments depend on each other (``q`` pages by ``page``, the others by
    # ``before``), which OpenAPI cannot say: a valid-looking mix is refused with 422.
    # The editorial side's bodies have rules OpenAPI cannot say either (no NUL character,
    # app-wide; a cover image's web address; tag names without commas): refused with 400/422.
    excluded = (
        [positive_data_acceptance]
        if case.path == "/api/v1/posts" or case.path.startswith("/api/v1/editorial/")
        else []
    )
    with _app.app_context():
        case.call_and_validate(excluded_checks=excluded)
