"""The posts list and editor. Every path to a post is limited by ``cms.posts.policy``
(through ``ScopedPostView``); every change of state goes through ``cms.posts.workflow``.

The views and what each needs: the list, details and export show only what
``policy.admin_scope`` lets the user see; ``create_view`` needs ``Action.CREATE``,
``edit_view`` ``Action.EDIT`` and ``delete_view`` (to the trash) ``service.TRASH_NEEDS``;
the workflow, revision and sharing views name theirs in their own modules.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request
from flask_admin import expose
from flask_admin.helpers import get_redirect_target, is_form_submitted
from flask_security import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, load_only
from wtforms import HiddenField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from cms import acting, clock
from cms.accounts.models import User
from cms.admin.base import parse_id
from cms.admin.formatting import spreadsheet_safe
from cms.admin.posts import seo_fields
from cms.admin.posts.bulk_tagging import BulkTagging
from cms.admin.posts.columns import (
    FORMATTERS,
    AuthorFilter,
    StateFilter,
    assignable_authors,
    view_on_site_part,
)
from cms.admin.posts.history import RevisionViews
from cms.admin.posts.scoped import ScopedPostView
from cms.admin.posts.searching import FullTextSearch
from cms.admin.posts.sharing import SharingViews
from cms.admin.posts.steps import BULK_STEPS, WorkflowViews
from cms.admin.posts.tagging import (
    TagFilter,
    TagFiltering,
    TagLookupView,
    tag_names,
    tags_field,
)
from cms.dates import format_utc
from cms.extensions import db
from cms.posts import conflicts, policy, service
from cms.posts.models import Post, PostRevision
from cms.posts.policy import Action, PermissionDenied
from cms.posts.slugs import holder_blocking, normalise_slug
from cms.tags import picking
from cms.tags import service as tag_service
from cms.tags.service import TagProblem


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class PostAdmin(
    FullTextSearch,
    TagFiltering,
    TagLookupView,
    BulkTagging,
    WorkflowViews,
    RevisionViews,
    SharingViews,
    ScopedPostView,
):
    bulk_steps = BULK_STEPS
    create_template = "admin/posts/create.html"
    edit_template = "admin/posts/edit.html"

    column_list = ("title", "status", "author", "published_at", "updated_at")
    column_details_list = (
        "title", "slug", "status", "author", "tags", "summary", "body", "editor_note",
        "created_at", "updated_at", "published_at",
    )  # fmt: skip
    column_formatters = {**FORMATTERS, "tags": tag_names}
    column_sortable_list = (
        "title", "status", ("author", "author.email"), "published_at", "updated_at",
    )  # fmt: skip
    column_default_sort = ("updated_at", True)
    column_filters = (StateFilter(), AuthorFilter(), TagFilter())
    can_set_page_size = True
    page_size = 20

    can_export = True
    export_types = ["csv"]
    column_export_list = (
        "id", "title", "slug", "status", "author.email", "created_at", "updated_at", "published_at",
    )  # fmt: skip
    column_formatters_export = {
        "status": lambda view, context, post, name: post.state_at(clock.utcnow()).value,
    }

    def export_loading(self) -> tuple:
        # The exported columns, the trash time the state needs, and the author's email:
        # no texts, and not the whole author row.
        columns = (Post.title, Post.slug, Post.status, Post.created_at, Post.updated_at)
        return (
            load_only(*columns, Post.published_at, Post.deleted_at, Post.version),
            joinedload(Post.author).load_only(User.email),
        )

    # No status or publish time here: those change only through the workflow's steps.
    form_columns = (
        "title", "slug", "summary", "body", "tags", "author", *seo_fields.FIELDS, "seen_version",
    )  # fmt: skip
    # The version of the post the editor opened; not named like the model's own column, so
    # Flask-Admin never writes it onto the post. The tags are read by cms.tags.picking.
    form_extra_fields = {"seen_version": HiddenField(), "tags": tags_field()}
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
        "author": {"query_factory": assignable_authors, "allow_blank": False},
        **seo_fields.FORM_ARGS,
    }
    form_widget_args = {
        "body": {"rows": 18, "class": "form-control text-monospace"},
        "summary": {"rows": 2},
    }

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """A new post: ``Action.CREATE``."""
        if not policy.can(current_user, Action.CREATE):
            abort(403)
        return super().create_view()

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """Open and save the editor: ``Action.EDIT``. A save that the post's change of state
        refused meanwhile (it was trashed or published) gets the form back with the text."""
        post_id = request.args.get("id")
        if post_id is not None:
            post = self.stored_post(post_id)
            refused = request.method == "POST" and conflicts.save_refused(current_user, post)
            if refused:
                g.refused_save = (post, refused)  # get_one hands it over; validate_form says why
            else:
                self.post_for(Action.EDIT, post_id)
        return super().edit_view()

    def get_one(self, id):
        post, _why = g.get("refused_save", (None, None))
        if post is not None and post.id == parse_id(id):
            return post
        return super().get_one(id)

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        """Move one post to the trash (nothing is lost by a click): ``service.TRASH_NEEDS``."""
        form = self.delete_form()
        if not self.validate_form(form):
            flash("The post could not be deleted: the form was not valid.", "error")
            return redirect(get_redirect_target() or self.get_url(".index_view"))
        post = self.post_for(service.TRASH_NEEDS, form.id.data)
        service.trash(post, acting.user())
        db.session.commit()
        flash(f"“{post.title}” was moved to the trash, where it can be restored.", "success")
        return redirect(get_redirect_target() or self.get_url(".index_view"))

    # --- Forms: fields the user may not set are not offered at all. ---

    def _prepare_form(self, form, post):
        # Flask-Admin makes every non-nullable column required; an empty slug is made from
        # the title, so the form must neither demand it nor mark it with a star.
        form.slug.validators = [v for v in form.slug.validators if not isinstance(v, InputRequired)]
        form.slug.flags.required = False
        form.editing_post = post
        if not policy.can(current_user, Action.PUBLISH):
            delattr(form, "author")  # authors write as themselves
        return form

    def create_form(self, obj=None):
        form = self._prepare_form(super().create_form(obj), None)
        if "author" in form and request.method == "GET":
            form.author.data = acting.user()
        return form

    def edit_form(self, obj=None):
        form = self._prepare_form(super().edit_form(obj), obj)
        if obj is not None and request.method == "GET":
            form.seen_version.data = obj.version
        if "author" in form and obj is not None and obj.author is not None:
            # The post's own author stays a choice even if no longer one to assign
            # (deactivated, say): saving the post must not hand it to someone else.
            choices = list(assignable_authors())
            if obj.author not in choices:
                choices.append(obj.author)
            form.author.query = choices
        return form

    def validate_form(self, form):
        valid = self._post_form_valid(form)
        if not valid or not is_form_submitted() or "tags" not in form:
            return valid
        # New tags are made last, once all else is valid, and before the form's values
        # reach the post: making one flushes the session, which would otherwise take the
        # post's changes as its stored state (and the audit log would lose them). A save
        # that fails after this rolls them back with the rest.
        try:
            form.chosen_tags = picking.tags_for(form.picked_tags, acting.user())
        except (PermissionDenied, TagProblem) as problem:
            form.tags.errors = [*form.tags.errors, str(problem)]
            return False
        except IntegrityError:  # the unique address, taken by another request meanwhile
            db.session.rollback()
            form.tags.errors = [*form.tags.errors, tag_service.MADE_MEANWHILE]
            return False
        return True

    def _post_form_valid(self, form):
        valid = super().validate_form(form)
        if not is_form_submitted() or "slug" not in form:
            return valid  # a form just opened, or the delete or action form
        post = form.editing_post
        refused_post, refused = g.get("refused_save", (None, None))
        if post is not None and post is refused_post:
            flash(f"{refused} Your text is still in the form below: copy what you need.", "error")
            return False
        if problem := service.body_too_long(form.body.data):
            form.body.errors = [*form.body.errors, problem]
            valid = False
        holder = form.slug.data and holder_blocking(post, form.slug.data, current_user)
        if holder:
            form.slug.errors = [*form.slug.errors, holder.explain(form.slug.data)]
            valid = False
        try:
            form.picked_tags = picking.read(form.tags.data, current_user)
        except TagProblem as problem:
            form.tags.errors = [*form.tags.errors, str(problem)]
            valid = False
        if post is None:
            return valid
        conflict = conflicts.conflict_with(
            post,
            parse_id(form.seen_version.data),
            {name: form[name].data for name in PostRevision.FIELDS},
            form.author.data if "author" in form else None,
        )
        if conflict is None:
            return valid
        # Keep theirs, show what differs, and keep this editor's text in the form. Saving
        # again (deliberately) replaces theirs.
        form.conflict = conflict.diffs
        flash(
            f"{conflict.who} saved this post at {format_utc(conflict.when)}, after you opened "
            "it. Their version is kept and yours is not saved: your text is still in the "
            "form, and what differs is shown below. Save again to replace their version "
            "with yours.",
            "error",
        )
        form.seen_version.data = post.version
        return False

    def on_model_change(self, form, post, is_created):
        post.tags = form.chosen_tags  # validate_form's (made there if new)
        try:
            service.prepare_for_save(post, acting.user(), is_new=is_created)
        except (PermissionDenied, service.SlugTaken, service.PostTooLong) as refused:
            raise ValidationError(str(refused)) from refused

    def render(self, template, **kwargs):
        post = kwargs.get("model")
        if template == self.edit_template and post is not None:
            kwargs.update(self.workflow_panel(post), **self.sharing_panel(post))
            kwargs["revisions"] = post.revisions
        return super().render(template, **kwargs)

    def get_export_value(self, model, name):
        return spreadsheet_safe(super().get_export_value(model, name))

    def extra_row_parts(self) -> tuple:
        return (view_on_site_part(),)

    def row_ref(self, post) -> str:
        """The version the editor saw rides with the id, so a bulk step refuses a post
        changed since the list was shown (``parse_row_ref`` reads it back)."""
        return f"{post.id}:{post.version}"
