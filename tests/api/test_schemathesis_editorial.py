"""schemathesis against the editorial side with an editor's token: every operation with
generated bodies and arguments (valid and not), no 5xx, and every answer as the spec says.
Bounded like the public run; on the same in-memory database, with a few posts and tags to
find (small ids are generated often)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from cms.extensions import db
from cms.posts.models import PostStatus
from cms.tags import service as tags
from cms.tokens import service as tokens
from tests.api.test_schemathesis import _app, schema
from tests.factories import PostFactory, UserFactory

with _app.app_context():
    _editor = UserFactory(roles=["editor"], email="fuzz-editor@example.com")
    _author = UserFactory(roles=["author"], email="fuzz-author@example.com")
    for _status in (PostStatus.DRAFT, PostStatus.REVIEW, PostStatus.PUBLISHED):
        PostFactory(_author, status=_status)
    tags.create_tag(_editor, "Fuzz")
    _, _RAW = tokens.create(_editor, "schemathesis", by=_editor)
    db.session.commit()

editorial = schema.include(path_regex="^/api/v1/editorial/")


@editorial.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_editorial_side_answers_as_its_spec_says(case):
    # Bodies have rules OpenAPI cannot say (no NUL character, a cover image's web address,
    # tag names without commas, the workflow's states): refused with 400, 409 or 422.
    # A case whose headers were made wrong on purpose may be one without the token the
    # spec requires: it is sent as made (and must be refused), not given the token back.
    token = {"Authorization": f"Bearer {_RAW}"}
    headers_made_wrong = case.meta is not None and case.meta.is_negative_at(
        ParameterLocation.HEADER
    )
    with _app.app_context():
        case.call_and_validate(
            headers={} if headers_made_wrong else token,
            excluded_checks=[positive_data_acceptance],
        )
