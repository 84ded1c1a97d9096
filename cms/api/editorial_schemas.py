"""What the editorial side of the API reads and writes (``cms.api.editorial``): posts as
their editors see them, and the bodies that change them. Unknown fields are refused
everywhere; ``status`` and ``published_at`` are not fields to write, since only the
workflow's steps change them."""

from __future__ import annotations

from types import SimpleNamespace

import marshmallow as ma
from marshmallow import RAISE, validate
from wtforms.validators import ValidationError as FormValidationError

from cms.admin.posts import seo_fields
from cms.posts import models as posts
from cms.posts.models import LIVE_STATES, PostState
from cms.posts.workflow import Transition
from cms.tags import models as tags

#: Posts per page of the editorial list.
MAX_LIMIT = 100
#: An editorial list's cursor: the last post's ``updated_at`` and id (``next_cursor``).
CURSOR_SHAPE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z_\d{1,10}$"


class Strict(ma.Schema):
    class Meta:
        unknown = RAISE


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ma.ValidationError("Give it some text, not only spaces.")


def _web_address(value: str) -> None:
    """The dashboard's rule for a cover image's address (``seo_fields``), for the API."""
    try:
        seo_fields._web_address(None, SimpleNamespace(data=value.strip()))
    except FormValidationError as error:
        raise ma.ValidationError(str(error)) from None


def _text(maximum: int, **kwargs) -> ma.fields.String:
    return ma.fields.String(validate=validate.Length(max=maximum), **kwargs)


class PostFieldsSchema(Strict):
    """The fields of a post a token may write (all optional here)."""

    title = ma.fields.String(validate=[validate.Length(1, posts.TITLE_MAX), _not_blank])
    slug = _text(
        posts.SLUG_MAX,
        metadata={"description": "The end of the post's address; empty: made from the title."},
    )
    summary = _text(posts.SUMMARY_MAX)
    body = ma.fields.String(metadata={"description": "Markdown."})
    cover_image_url = ma.fields.String(
        validate=[validate.Length(max=posts.COVER_IMAGE_URL_MAX), _web_address]
    )
    seo_title = _text(posts.SEO_TITLE_MAX)
    seo_description = _text(posts.SEO_DESCRIPTION_MAX)
    tags = ma.fields.List(
        ma.fields.String(validate=validate.Length(1, tags.NAME_MAX)),
        validate=validate.Length(max=50),
        metadata={
            "description": "Tag names, the whole list: a name no tag has yet makes a new "
            "tag, for those who may make tags."
        },
    )
    author_id = ma.fields.Integer(
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "Editors only: whose post it is (the token's owner by default)."},
    )


class PostCreateSchema(PostFieldsSchema):
    title = ma.fields.String(
        required=True, validate=[validate.Length(1, posts.TITLE_MAX), _not_blank]
    )


class PostUpdateSchema(PostFieldsSchema):
    version = ma.fields.Integer(
        required=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "The post's version as you read it: a stale one gets 409."},
    )


class TransitionSchema(Strict):
    step = ma.fields.String(required=True, validate=validate.OneOf([t.value for t in Transition]))
    version = ma.fields.Integer(
        required=True,
        validate=validate.Range(1, 2**31 - 1),
        metadata={"description": "The post's version as you read it: a stale one gets 409."},
    )
    publish_at = ma.fields.AwareDateTime(metadata={"description": "For `schedule`: when."})
    comment = ma.fields.String(
        validate=validate.Length(max=5000),
        metadata={"description": "For `return`: what the author should change."},
    )


class EditorialListArguments(Strict):
    state = ma.fields.String(validate=validate.OneOf([s.value for s in LIVE_STATES]))
    tag = ma.fields.String(
        validate=validate.Length(1, 200), metadata={"description": "A tag's slug."}
    )
    author = ma.fields.Integer(
        validate=validate.Range(1, 2**31 - 1), metadata={"description": "An author's id."}
    )
    trashed = ma.fields.Boolean(metadata={"description": "true: the posts in the trash."})
    before = ma.fields.String(
        validate=validate.Regexp(CURSOR_SHAPE, error="Not a cursor: use a page's next_cursor."),
    )
    limit = ma.fields.Integer(validate=validate.Range(1, MAX_LIMIT))


class EditorialAuthorSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(required=True)
    name = ma.fields.String(required=True)


class EditorialTagSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)


class EditorialPostSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    body = ma.fields.String(required=True, metadata={"description": "Markdown, as written."})
    cover_image_url = ma.fields.String(required=True)
    seo_title = ma.fields.String(required=True)
    seo_description = ma.fields.String(required=True)
    state = ma.fields.String(required=True, validate=validate.OneOf([s.value for s in PostState]))
    version = ma.fields.Integer(required=True)
    author = ma.fields.Nested(EditorialAuthorSchema, required=True)
    tags = ma.fields.List(ma.fields.Nested(EditorialTagSchema), required=True)
    editor_note = ma.fields.String(required=True, allow_none=True)
    steps = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "The workflow steps the token's owner may take now."},
    )
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)
    published_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    trashed_at = ma.fields.AwareDateTime(required=True, allow_none=True)
    url = ma.fields.String(required=True, metadata={"description": "Its page on the site."})
    api_url = ma.fields.String(required=True)


class EditorialPageSchema(ma.Schema):
    posts = ma.fields.List(ma.fields.Nested(EditorialPostSchema), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)
    next = ma.fields.String(required=True, allow_none=True)


class TagCreateSchema(Strict):
    name = ma.fields.String(required=True, validate=validate.Length(1, tags.NAME_MAX))
    slug = ma.fields.String(validate=validate.Length(max=tags.SLUG_MAX))
    description = ma.fields.String(validate=validate.Length(max=tags.DESCRIPTION_MAX))


class TagUpdateSchema(Strict):
    name = ma.fields.String(validate=validate.Length(1, tags.NAME_MAX))
    slug = ma.fields.String(validate=validate.Length(max=tags.SLUG_MAX))
    description = ma.fields.String(validate=validate.Length(max=tags.DESCRIPTION_MAX))

    @ma.validates_schema
    def _something(self, data: dict, **kwargs) -> None:
        # An empty (or missing) body is a mistake, not a change of nothing.
        if not data:
            raise ma.ValidationError("Send at least one of name, slug and description.")


class TagMergeSchema(Strict):
    into = ma.fields.String(
        required=True,
        validate=validate.Length(1, tags.SLUG_MAX),
        metadata={"description": "The slug of the tag that stays."},
    )


class EditorialTagFullSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    posts = ma.fields.Integer(required=True, metadata={"description": "Posts with it, any state."})
