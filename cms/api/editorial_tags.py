"""Tags through a token: create (``TagAction.CREATE``), rename or describe, merge and
delete (``TagAction.MANAGE``), through ``cms.tags.service`` as the dashboard's Tags view
does. A tag is named by its current address (slug); a refused name or address answers
422 with the field's error."""

from __future__ import annotations

from cms.accounts.models import User
from cms.api.auth import actor, editorial_operation
from cms.api.editorial_common import answering_refusals, field_error, refuse, saving
from cms.api.editorial_schemas import (
    EditorialTagFullSchema,
    TagCreateSchema,
    TagMergeSchema,
    TagUpdateSchema,
)
from cms.posts.policy import TagAction, require_tag
from cms.tags import service
from cms.tags.models import Tag


def _shown(tag: Tag) -> dict:
    return {
        "name": tag.name,
        "slug": tag.slug,
        "description": tag.description or "",
        "posts": service.posts_tagged(tag),
    }


def _allowed(user: User, action: TagAction) -> None:
    with answering_refusals():
        require_tag(user, action)


def _found(slug: str) -> Tag:
    tag = service.find(slug)
    if tag is None:
        refuse(404, "No tag has this address.")
    return tag


@editorial_operation(
    "POST", "/editorial/tags", (201, EditorialTagFullSchema), 403, arguments=TagCreateSchema
)
def editorial_tag_create(fields):
    """A new tag; its address is made from the name unless `slug` is given."""
    user = actor()
    _allowed(user, TagAction.CREATE)
    with saving():
        tag = service.create_tag(
            user, fields["name"], fields.get("slug", ""), fields.get("description", "")
        )
    return _shown(tag), 201


@editorial_operation(
    "PATCH",
    "/editorial/tags/<slug>",
    (200, EditorialTagFullSchema),
    403,
    404,
    arguments=TagUpdateSchema,
)
def editorial_tag_update(fields, slug: str):
    """Rename a tag, change its address (the old one keeps leading to it) or description."""
    user = actor()
    _allowed(user, TagAction.MANAGE)
    tag = _found(slug)
    with saving():
        for name in ("name", "slug", "description"):
            if name in fields:
                setattr(tag, name, fields[name])
        service.prepare_for_save(tag, user, is_new=False)
    return _shown(tag)


@editorial_operation(
    "POST",
    "/editorial/tags/<slug>/merge",
    (200, EditorialTagFullSchema),
    403,
    404,
    arguments=TagMergeSchema,
)
def editorial_tag_merge(fields, slug: str):
    """Fold this tag into the tag `into`: its posts get that tag, its addresses lead there."""
    user = actor()
    _allowed(user, TagAction.MANAGE)
    merged = _found(slug)
    kept = service.by_address([fields["into"]]).get(fields["into"])
    if kept is None:
        field_error("into", "No tag has this address.")
    with saving():
        service.merge(merged, kept, user)
    return _shown(kept)


@editorial_operation("DELETE", "/editorial/tags/<slug>", (204, None), 403, 404)
def editorial_tag_delete(slug: str):
    """Delete a tag: its posts lose it."""
    user = actor()
    _allowed(user, TagAction.MANAGE)
    tag = _found(slug)
    with saving():
        service.delete(tag, user)
    return "", 204
