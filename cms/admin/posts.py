"""The posts admin: every path to a post (list, details, edit, delete, bulk actions,
export, counts, author choices) is limited by ``cms.posts.policy``."""

from __future__ import annotations

from datetime import UTC

from flask import abort, flash, request
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import IntEqualFilter
from flask_admin.form import DateTimeField
from flask_admin.model.filters import BaseFilter
from flask_security import current_user
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from cms.admin.access import StaffOnly
from cms.admin.base import CMSModelView, parse_id
from cms.admin.formatting import PerRequestOptions, format_utc, spreadsheet_safe
from cms.extensions import db
from cms.posts import policy, service
from cms.posts.models import Post, PostStatus
from cms.posts.policy import Action, PermissionDenied
from cms.posts.slugs import normalise_slug

# Which action opening a post by id is for, by Flask-Admin view.
_ACTION_BY_VIEW = {
    "edit_view": Action.EDIT,
    "delete_view": Action.DELETE,
    "details_view": Action.VIEW,
}

# Form fields only those who may publish get; for others they are not in the form at all,
# so a crafted POST carrying them changes nothing.
_PUBLISHING_FIELDS = ("status", "published_at")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _as_utc(value):
    """The form's naive date and time, read as UTC (the labels say so)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class StatusFilter(BaseFilter):
    def __init__(self) -> None:
        super().__init__("Status", options=[(s.value, s.label) for s in PostStatus])

    def validate(self, value) -> bool:
        return value in {status.value for status in PostStatus}

    def apply(self, query, value, alias=None):
        return query.filter(Post.status == PostStatus(value))

    def operation(self) -> str:
        return "is"


def _posts(count: int) -> str:
    return "1 post" if count == 1 else f"{count} posts"


def _assignable_authors():
    return db.session.scalars(policy.assignable_authors(current_user)).all()


def _author_choices():
    return [(str(user.id), user.email) for user in _assignable_authors()]


class AuthorFilter(IntEqualFilter):
    def validate(self, value) -> bool:
        return parse_id(value) is not None


class PostAdmin(StaffOnly, CMSModelView):
    list_template = "admin/posts/list.html"

    column_list = ("title", "status", "author", "published_at", "updated_at")
    column_labels = {
        "published_at": "Published (UTC)",
        "updated_at": "Updated (UTC)",
        "created_at": "Created (UTC)",
        "author.email": "Author",
    }
    column_details_list = (
        "title", "slug", "status", "author", "summary", "body",
        "created_at", "updated_at", "published_at",
    )  # fmt: skip
    column_searchable_list = ("title", "slug", "summary", "body")
    column_sortable_list = (
        "title", "status", ("author", "author.email"), "published_at", "updated_at",
    )  # fmt: skip
    column_default_sort = ("updated_at", True)
    column_filters = (
        StatusFilter(),
        AuthorFilter(Post.author_id, "Author", options=PerRequestOptions(_author_choices)),
    )
    column_formatters = {
        "status": lambda view, context, post, name: Markup(
            '<span class="badge badge-{}">{}</span>'
        ).format(
            "success" if post.status == PostStatus.PUBLISHED else "secondary", post.status.label
        ),
        "published_at": lambda view, context, post, name: format_utc(post.published_at),
        "updated_at": lambda view, context, post, name: format_utc(post.updated_at),
        "created_at": lambda view, context, post, name: format_utc(post.created_at),
    }
    can_view_details = True
    can_set_page_size = True
    page_size = 20

    can_export = True
    export_types = ["csv"]
    column_export_list = (
        "id", "title", "slug", "status", "author.email", "created_at", "updated_at", "published_at",
    )  # fmt: skip
    column_formatters_export = {
        "status": lambda view, context, post, name: post.status.value,
    }

    form_columns = ("title", "slug", "summary", "body", "status", "published_at", "author")
    # Flask-Admin has no converter for the UTCDateTime decorator and would drop the field.
    form_overrides = {"published_at": DateTimeField}
    form_args = {
        "title": {"filters": [_strip], "validators": [DataRequired()]},
        "slug": {
            "validators": [Optional()],
            "filters": [normalise_slug],
            "description": "The end of the post's address, /posts/your-slug. Left empty, it "
            "is made from the title.",
        },
        "summary": {"filters": [_strip, lambda value: value or ""]},
        "body": {"description": "Markdown.", "filters": [lambda value: value or ""]},
        "published_at": {
            "label": "Publish time (UTC)",
            "description": "Left empty, publishing sets it to now.",
            "filters": [_as_utc],
        },
        "author": {"query_factory": lambda: _assignable_authors(), "allow_blank": False},
    }
    form_widget_args = {
        "body": {"rows": 18, "class": "form-control text-monospace"},
        "summary": {"rows": 2},
    }

    # --- Every query and lookup is limited to what the policy lets the user see. ---

    def get_query(self):
        return super().get_query().filter(policy.admin_scope(current_user))

    def get_count_query(self):
        return (
            db.session.query(func.count(Post.id))
            .select_from(Post)
            .filter(policy.admin_scope(current_user))
        )

    def get_one(self, id):
        post = super().get_one(id)
        view = (request.endpoint or "").rpartition(".")[2]
        if not policy.can(current_user, _ACTION_BY_VIEW.get(view, Action.EDIT), post):
            abort(403)
        return post

    # --- Forms: fields the user may not set are not offered at all. ---

    def _prepare_form(self, form):
        # Flask-Admin makes every non-nullable column required; an empty slug is made from
        # the title, so the form must neither demand it nor mark it with a star.
        form.slug.validators = [v for v in form.slug.validators if not isinstance(v, InputRequired)]
        form.slug.flags.required = False
        if not policy.can(current_user, Action.PUBLISH):
            for name in _PUBLISHING_FIELDS:
                delattr(form, name)
            delattr(form, "author")
        return form

    def create_form(self, obj=None):
        form = self._prepare_form(super().create_form(obj))
        if "author" in form and request.method == "GET":
            form.author.data = current_user._get_current_object()
        return form

    def edit_form(self, obj=None):
        form = self._prepare_form(super().edit_form(obj))
        if "author" in form and obj is not None and obj.author is not None:
            # The post's own author stays a choice even if no longer one to assign
            # (deactivated, say): saving the post must not hand it to someone else.
            choices = list(_assignable_authors())
            if obj.author not in choices:
                choices.append(obj.author)
            form.author.query = choices
        return form

    def on_model_change(self, form, post, is_created):
        try:
            service.prepare_for_save(post, current_user, is_new=is_created)
        except PermissionDenied as denied:
            raise ValidationError(str(denied)) from denied

    def on_model_delete(self, post):
        try:
            policy.require(current_user, Action.DELETE, post)
        except PermissionDenied as denied:
            raise ValidationError(str(denied)) from denied

    def get_export_value(self, model, name):
        return spreadsheet_safe(super().get_export_value(model, name))

    # --- Bulk actions: offered only to those allowed, checked again for every row. ---

    def is_action_allowed(self, name):
        needed = {"publish": Action.PUBLISH, "unpublish": Action.PUBLISH, "delete": Action.DELETE}
        if name in needed and not policy.can(current_user, needed[name]):
            return False
        return super().is_action_allowed(name)

    def _selected_posts(self, ids: list[int]):
        return db.session.scalars(
            select(Post).where(Post.id.in_(ids), policy.admin_scope(current_user))
        ).all()

    def _apply(self, ids, change, done_message):
        changed = refused = 0
        for post in self._selected_posts(ids):
            try:
                change(post, current_user)
                changed += 1
            except PermissionDenied:
                refused += 1
        db.session.commit()
        if changed:
            flash(f"{_posts(changed)} {done_message}.", "success")
        if refused:
            flash(f"{_posts(refused)} left as they were: not yours to change.", "warning")

    @action("publish", "Publish", "Publish the selected posts?")
    def action_publish(self, ids):
        self._apply(ids, service.publish, "published")

    @action("unpublish", "Unpublish", "Take the selected posts off the site?")
    def action_unpublish(self, ids):
        self._apply(ids, service.unpublish, "unpublished")

    @action("delete", "Delete", "Delete the selected posts? This cannot be undone.")
    def action_delete(self, ids):
        self._apply(ids, service.delete, "deleted")
