"""Tags in the posts admin: the post form's tag picker, the lookup it searches, the list's
tag filter, and the bulk actions that add one tag to the selected posts or remove one.

The picker is select2 (Flask-Admin's own copy, served by the app) on a hidden input,
wired by ``static/js/tag_picker.js`` from data attributes: no inline script. What it sends
is read by ``cms.tags.picking``: each existing tag by its slug, each new one as ``+name``,
offered only to those the policy lets make tags.
"""

from __future__ import annotations

import json

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_admin.model.filters import BaseFilter
from flask_security import current_user
from markupsafe import Markup
from sqlalchemy import func, or_, select
from wtforms import Field

from cms import acting
from cms.extensions import db
from cms.posts import policy
from cms.posts.models import Post
from cms.posts.policy import Action, PermissionDenied, TagAction
from cms.posts.service import PostTooLong, SlugTaken
from cms.tags import picking, service
from cms.tags.models import NAME_MAX, SLUG_MAX, Tag, post_tags
from cms.tags.service import TagProblem

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


def tags_field() -> TagsField:
    return TagsField(
        "Tags",
        description="Type to find a tag. Where you may make tags, a name no tag has yet "
        "makes a new one.",
    )


class TagFilter(BaseFilter):
    """Posts with a tag, named by its address or its name (the Tags list links here)."""

    def __init__(self) -> None:
        super().__init__("Tag")

    def validate(self, value) -> bool:
        return isinstance(value, str) and 0 < len(value.strip()) <= max(NAME_MAX, SLUG_MAX)

    def apply(self, query, value, alias=None):
        value = value.strip()
        tagged = (
            select(post_tags.c.post_id)
            .join(Tag, Tag.id == post_tags.c.tag_id)
            .where(or_(Tag.slug == value, func.lower(Tag.name) == func.lower(value)))
        )
        return query.filter(Post.id.in_(tagged))

    def operation(self) -> str:
        return "is"


def posts_with_tag_url(slug: str) -> str:
    """The posts list filtered by the tag ``slug`` (the Tags list's link)."""
    from cms.admin.posts.editor import PostAdmin  # the view that lists this filter

    position = next(i for i, f in enumerate(PostAdmin.column_filters) if isinstance(f, TagFilter))
    return url_for("posts.index_view", **{f"flt0_{position}": slug})


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


#: The bulk actions, by name: (menu label, what the tag is done with).
BULK_TAGGING = {"tag_add": "Add a tag…", "tag_remove": "Remove a tag…"}


class TaggingViews:
    """Mixed into the posts admin (a ``ScopedPostView``)."""

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

    # --- Bulk: "Add a tag…" and "Remove a tag…" ask which tag on a page of their own. ---

    def init_actions(self) -> None:
        super().init_actions()
        for name, label in BULK_TAGGING.items():
            self._actions.append((name, label))
            self._actions_data[name] = (self._ask_which_tag(name), label, None)

    def is_action_allowed(self, name) -> bool:
        if name in BULK_TAGGING:
            # Tagging a post is editing it: authors tag their own drafts, checked per post.
            return policy.can(current_user, Action.EDIT)
        return super().is_action_allowed(name)

    def _selected_posts(self, refs) -> list[Post]:
        ids = [ref.id for ref in refs]
        return db.session.scalars(
            select(Post).where(Post.id.in_(ids), self._scope()).order_by(Post.title)
        ).all()

    def _ask_which_tag(self, name: str):
        def ask(refs):
            posts = self._selected_posts(refs)
            tags_on_them = []
            if name == "tag_remove" and posts:
                tags_on_them = db.session.scalars(
                    select(Tag)
                    .where(
                        Tag.id.in_(
                            select(post_tags.c.tag_id).where(
                                post_tags.c.post_id.in_([p.id for p in posts])
                            )
                        )
                    )
                    .order_by(Tag.name)
                ).all()
            return self.render(
                "admin/posts/tag_bulk.html",
                adding=name == "tag_add",
                posts=posts,
                tags_on_them=tags_on_them,
                picker=picker(
                    "tag",
                    multiple=False,
                    may_create=policy.can_tag(current_user, TagAction.CREATE),
                    **{"data-placeholder": "Pick a tag"},
                ),
                return_url=get_redirect_target() or self.get_url(".index_view"),
            )

        return ask

    @expose("/tags/bulk/", methods=("POST",))
    def bulk_tag_view(self):
        """Add the tag ``tag`` to each post ``rowid`` names (``adding``), or remove it: each
        post as the policy allows (``Action.EDIT``), saved as any edit is (a revision, the
        audit log); a post refused is left as it was and counted."""
        adding = request.form.get("adding") == "1"
        back = redirect(get_redirect_target() or self.get_url(".index_view"))
        refs = [self.parse_row_ref(value) for value in request.form.getlist("rowid")]
        if None in refs:
            abort(400, description="The selection names a record that cannot exist.")
        if not policy.can(current_user, Action.EDIT):
            abort(403)
        actor = acting.user()
        try:
            tag = self._tag_for_bulk(request.form.get("tag", ""), adding, actor)
        except (TagProblem, PermissionDenied) as problem:
            flash(str(problem), "error")
            return back
        if tag is None:
            flash("No tag was picked; nothing was done.", "error")
            return back
        change = picking.add if adding else picking.remove
        changed, refused = 0, 0
        for post in self._selected_posts(refs):
            try:
                with db.session.begin_nested():
                    changed += change(post, tag, actor)
            except (PermissionDenied, SlugTaken, PostTooLong):
                refused += 1
        db.session.commit()
        self._say_what_happened(tag, adding, changed, refused, len(refs))
        return back

    def _tag_for_bulk(self, value: str, adding: bool, actor) -> Tag | None:
        value = value.strip()
        if not value:
            return None
        if not adding:
            return service.by_address([value]).get(value)
        tags = picking.tags_for(picking.read(value, actor), actor)
        return tags[0] if tags else None

    @staticmethod
    def _say_what_happened(tag: Tag, adding: bool, changed: int, refused: int, asked: int):
        done = "now have" if adding else "no longer have"
        if changed:
            flash(f"{_phrase(changed)} {done} the tag “{tag.name}”.", "success")
        if refused:
            flash(f"{_left(refused)}: not yours to change.", "warning")
        if unchanged := asked - changed - refused:
            reason = "had the tag already" if adding else "did not have the tag"
            flash(f"{_left(unchanged)}: {reason}, or no longer in this list.", "info")


def _phrase(count: int) -> str:
    return "1 post" if count == 1 else f"{count} posts"


def _left(count: int) -> str:
    return "1 post left as it was" if count == 1 else f"{count} posts left as they were"
