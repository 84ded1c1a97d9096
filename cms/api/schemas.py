"""What the API reads (query arguments, refused when unknown) and writes (posts, tags,
authors), as marshmallow schemas: the views use them and the spec is written from them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import RAISE, validate
from webargs import fields as webargs_fields

from cms.posts.search import MAX_TERM_LENGTH, MAX_TERMS
from cms.public.search_page import MAX_PAGES, MAX_QUERY_LENGTH

#: Posts per page: ``limit`` defaults to the site's page size, up to this.
MAX_LIMIT = 100

#: What a post in a list has; ``fields=`` keeps some of them.
LIST_FIELDS = (
    "id",
    "slug",
    "title",
    "summary",
    "excerpt",
    "published_at",
    "author",
    "tags",
    "url",
    "api_url",
)


class Arguments(ma.Schema):
    class Meta:
        unknown = RAISE


#: A cursor's shape, in the spec: a name of that shape that names no moment (30 February)
#: names no page either, and gets an empty one, as a cursor before the first post does.
CURSOR_SHAPE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z_\d{1,10}$"


def _known_fields(value: list[str]) -> None:
    unknown = sorted(set(value) - set(LIST_FIELDS))
    if unknown:
        raise ma.ValidationError(
            f"Unknown fields: {', '.join(unknown)}. Choose among: {', '.join(LIST_FIELDS)}."
        )


class FieldNames(webargs_fields.DelimitedList):
    def __init__(self, **kwargs) -> None:
        super().__init__(ma.fields.String(), validate=_known_fields, **kwargs)


class PostListArguments(Arguments):
    before = ma.fields.String(
        validate=validate.Regexp(
            CURSOR_SHAPE,
            error="Not a cursor: use the next_cursor (or the next link) of a page of posts.",
        ),
        metadata={"description": "The cursor of the post above the page (next_cursor)."},
    )
    limit = ma.fields.Integer(
        validate=validate.Range(1, MAX_LIMIT),
        metadata={
            "description": f"Posts per page, 1 to {MAX_LIMIT}; the site's page size by default."
        },
    )
    tag = ma.fields.String(
        validate=validate.Length(1, 200),
        metadata={"description": "Only posts with this tag (its slug)."},
    )
    author = ma.fields.String(
        validate=validate.Length(1, 200),
        metadata={"description": "Only posts by this author (their slug)."},
    )
    q = ma.fields.String(
        validate=validate.Length(1, MAX_QUERY_LENGTH),
        metadata={
            "description": "Full-text search, best match first, as the site's search: every "
            f"word must match, as the beginning of a word; up to {MAX_TERMS} words of "
            f"{MAX_TERM_LENGTH} characters. With `tag` or `author`, among their posts. "
            "Pages by `page`, not `before`."
        },
    )
    page = ma.fields.Integer(
        validate=validate.Range(1, MAX_PAGES),
        metadata={"description": f"With `q`: the page of results, 1 to {MAX_PAGES}."},
    )
    fields = FieldNames(
        metadata={
            "description": f"Comma-separated: the fields each post has ({', '.join(LIST_FIELDS)})."
        }
    )

    @ma.validates_schema
    def _one_way_to_page(self, data: dict, **kwargs) -> None:
        if "q" in data:
            if "before" in data:
                raise ma.ValidationError("Not with q: search results page by `page`.", "before")
        elif "page" in data:
            raise ma.ValidationError("Only with q: lists page by `before`.", "page")


class NoArguments(Arguments):
    """An endpoint that reads no query argument refuses any."""


class AuthorRefSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True, allow_none=True)
    url = ma.fields.String(required=True, allow_none=True, metadata={"description": "Their page."})


class TagRefSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The tag's page."})


class ListedPostSchema(ma.Schema):
    id = ma.fields.Integer()
    slug = ma.fields.String()
    title = ma.fields.String()
    summary = ma.fields.String()
    excerpt = ma.fields.String(metadata={"description": "The body's first words, plain text."})
    published_at = ma.fields.AwareDateTime()
    author = ma.fields.Nested(AuthorRefSchema)
    tags = ma.fields.List(ma.fields.Nested(TagRefSchema))
    url = ma.fields.String(metadata={"description": "The post's page on the site."})
    api_url = ma.fields.String(metadata={"description": "The post in the API, with its body."})


class PostPageSchema(ma.Schema):
    posts = ma.fields.List(ma.fields.Nested(ListedPostSchema), required=True)
    next = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "The next page, older posts."}
    )
    next_cursor = ma.fields.String(required=True, allow_none=True)
    previous = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "The page before, newer posts."}
    )


class PostSchema(ListedPostSchema):
    updated_at = ma.fields.AwareDateTime(required=True)
    body_markdown = ma.fields.String(required=True, metadata={"description": "As written."})
    body_html = ma.fields.String(
        required=True, metadata={"description": "As the site shows it: rendered and sanitized."}
    )
    cover_image_url = ma.fields.String(required=True, allow_none=True)
    seo_title = ma.fields.String(required=True, allow_none=True)
    seo_description = ma.fields.String(required=True, allow_none=True)


class TagSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    published_posts = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True)
    posts_url = ma.fields.String(required=True, metadata={"description": "Its posts in the API."})


class TagListSchema(ma.Schema):
    tags = ma.fields.List(ma.fields.Nested(TagSchema), required=True)


class AuthorSchema(ma.Schema):
    name = ma.fields.String(required=True)
    slug = ma.fields.String(required=True)
    bio = ma.fields.String(required=True, allow_none=True)
    url = ma.fields.String(required=True)
    posts_url = ma.fields.String(required=True, metadata={"description": "Their posts in the API."})
