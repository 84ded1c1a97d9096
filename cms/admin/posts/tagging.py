"""Tags in the posts admin: the post form's tag picker, the lookup it searches, and the
list's tag filter (the bulk actions are ``bulk_tagging``'s).

The picker is select2 (Flask-Admin's own copy, served by the app) on a hidden input,
wired by ``static/js/tag_picker.js`` from data attributes: no inline script. What it sends
is read by ``cms.tags.picking``: each existing tag by its slug, each new one as ``+name``,
offered only to those the policy lets make tags.
"""

from __future__ import annotations

import json

from flask import g, jsonify, request, url_for
from flask_admin import expose
from flask_admin.model.filters import BaseFilter
from flask_security import current_user
from markupsafe import Markup
from sqlalchemy import func, or_, select
from wtforms import Field

from cms.counting import bounded_only
from cms.extensions import db
from cms.posts import policy
from cms.posts.policy import TagAction
from cms.tags import listing, picking, service
from cms.tags.models import NAME_MAX, Tag

#: How many tags the picker offers for what is typed.
LOOKUP_LIMIT = 20


def lookup_url() -> str:
    return url_for("posts.tag_lookup_view")


def _chosen(text: str | None) -> list[dict]:
    """What the picker shows for a value: each tag's name, and new names marked."""
    picked = picking.values(text)
    found = service.by_address([value for value in picked if not value.startswith(picking.NEW)])
    chosen = []
    for value in picked:
        if value.startswith(picking.NEW):
            chosen.append({"id": value, "text": f"{value[len(picking.NEW) :]} (new)"})
        elif value in found:
            chosen.append({"id": value, "text": found[value].name})
        else:
            chosen.append({"id": value, "text": f"{value} (deleted)"})
    return chosen


def picker(name: str, value: str = "", *, multiple: bool, may_create: bool, **attributes) -> Markup:
    """The hidden input the picker takes over: ``value`` is what it sends."""
    html_attributes = {
        "type": "hidden",
        "name": name,
        "id": attributes.pop("id", name),
        "value": value,
        "class": "tag-picker",
        "data-tag-picker": "multiple" if multiple else "single",
        "data-lookup-url": lookup_url(),
        "data-may-create": "1" if may_create else "0",
        "data-chosen": json.dumps(_chosen(value)),
        **attributes,
    }
    return Markup("<input {}>").format(
        Markup(" ").join(Markup('{}="{}"').format(key, val) for key, val in html_attributes.items())
    )


class _PickerWidget:
    def __call__(self, field, **kwargs):
        kwargs.pop("class", None)  # Flask-Admin's form-control: select2 styles its own box
        return picker(
            field.name,
            field._value(),
            multiple=True,
            may_create=policy.can_tag(current_user, TagAction.CREATE),
            id=kwargs.pop("id", field.id),
            **{"data-placeholder": "Pick tags, or type to find one"},
        )


class TagsField(Field):
    """The post form's tags: the picked values as sent (``cms.tags.picking`` reads them).
    The view puts the tags on the post (``PostAdmin.on_model_change``), not WTForms."""

    widget = _PickerWidget()

    def process_data(self, value) -> None:
        tags = list(value or [])
        self.data = ",".join(tag.slug for tag in tags)

    def process_formdata(self, valuelist) -> None:
        # Not sent at all (a client that knows nothing of tags): the post keeps its tags.
        # The picker always sends its input, empty when every tag was removed.
        if valuelist:
            self.data = valuelist[0]

    def _value(self) -> str:
        return self.data or ""

    def populate_obj(self, obj, name) -> None:
        """Left to the view: new tags are made, through the policy, only once all is valid."""


def tag_names(view, context, post, name: str) -> str:
    """A post's tags, for its details page."""
    return ", ".join(tag.name for tag in post.tags)


def tags_field() -> TagsField:
    return TagsField(
        "Tags",
        description="Type to find a tag. Where you may make tags, a name no tag has yet "
        "makes a new one.",
    )


class TagFilter(BaseFilter):
    """Posts with a tag, named by its address or its name (the Tags list links here). The
    lists apply it through ``TagFiltering``, which counts the posts its own way."""

    def __init__(self) -> None:
        super().__init__("Tag")

    def validate(self, value) -> bool:
        return isinstance(value, str) and 0 < len(value.strip()) <= listing.LONGEST_NAME

    def look_up(self, value) -> listing.TagLookup:
        # Asked for the page and again for its count: one lookup per request and tag.
        found = g.setdefault("cms_tag_lookups", {})
        if value not in found:
            found[value] = listing.look_up(value)
        return found[value]

    def apply(self, query, value, alias=None):
        return query.filter(self.look_up(value).condition)

    def operation(self) -> str:
        return "is"


class TagFiltering:
    """For a ModelView of posts with a ``TagFilter``; before the ModelView among the
    bases. A tag on many posts is counted among a sample of them (``cms.tags.listing``):
    counted through the page's own test, its figure would test every post of the list.
    The lookup takes the place of the statement PostgreSQL's row estimate would cost."""

    def _apply_filters(self, query, count_query, joins, count_joins, filters):
        by_tag = [f for f in filters if isinstance(self._filters[f[0]], TagFilter)]
        others = [f for f in filters if f not in by_tag]
        query, count_query, joins, count_joins = super()._apply_filters(
            query, count_query, joins, count_joins, others
        )
        for index, _name, value in by_tag:
            lookup = self._filters[index].look_up(value)
            query = query.filter(lookup.condition)
            if count_query is not None:
                count_query = count_query.filter(lookup.count_condition)
                count_query = bounded_only(count_query, sampled=not lookup.few)
        return query, count_query, joins, count_joins


def posts_with_tag_url(slug: str) -> str:
    """The posts list filtered by the tag ``slug`` (the Tags list's link)."""
    from cms.admin.posts.editor import PostAdmin  # the view that lists this filter

    position = next(i for i, f in enumerate(PostAdmin.column_filters) if isinstance(f, TagFilter))
    return url_for("posts.index_view", **{f"flt0_{position}": slug})


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class TagLookupView:
    """Mixed into the posts admin: the picker's source."""

    @expose("/tags/")
    def tag_lookup_view(self):
        """The tags whose name or address has what was typed (``?q=``), by name: for the
        picker, to anyone who may write posts (staff; tags are no secret among them)."""
        typed = " ".join(request.args.get("q", "").split())[:NAME_MAX]
        query = select(Tag.slug, Tag.name).order_by(Tag.name, Tag.id).limit(LOOKUP_LIMIT)
        if typed:
            pattern = _like(typed.lower())
            query = query.where(
                or_(
                    func.lower(Tag.name).like(pattern, escape="\\"),
                    Tag.slug.like(_like(service.normalise_slug(typed) or typed), escape="\\"),
                )
            )
        found = db.session.execute(query)
        return jsonify([{"id": slug, "text": name} for slug, name in found])
