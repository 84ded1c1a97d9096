"""The posts admin: every path to a post (list, details, edit, delete, bulk actions,
export, counts, author choices) is limited by ``cms.posts.policy``, and every change of
state goes through ``cms.posts.workflow``."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla.filters import IntEqualFilter
from flask_admin.helpers import get_redirect_target, is_form_submitted
from flask_admin.model.filters import BaseFilter
from flask_security import current_user
from markupsafe import Markup
from sqlalchemy import and_, func, select
from wtforms import HiddenField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from cms import clock
from cms.admin.access import StaffOnly
from cms.admin.base import CMSModelView, parse_id
from cms.admin.formatting import PerRequestOptions, format_utc, spreadsheet_safe
from cms.audit import service as audit
from cms.extensions import db
from cms.posts import policy, previews, publication, revisions, service, workflow
from cms.posts.models import LIVE_STATES, Post, PostRevision, PostState, PreviewLink
from cms.posts.policy import Action, PermissionDenied
from cms.posts.slugs import normalise_slug, old_address_of_another_post
from cms.public.views import render_preview

# Which action opening a post by id is for, by Flask-Admin view.
_ACTION_BY_VIEW = {
    "edit_view": Action.EDIT,
    "delete_view": Action.DELETE,
    "details_view": Action.VIEW,
    "transition_view": Action.VIEW,  # the workflow checks the transition itself
    "preview_view": Action.VIEW,
    "share_view": Action.SHARE,
    "compare_view": Action.VIEW,
    "restore_revision_view": Action.EDIT,
}

_STATE_BADGES = {
    PostState.DRAFT: "secondary",
    PostState.REVIEW: "warning",
    PostState.SCHEDULED: "info",
    PostState.PUBLISHED: "success",
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def posts_phrase(count: int) -> str:
    return "1 post" if count == 1 else f"{count} posts"


def state_badge(post: Post) -> Markup:
    state = post.state_at(clock.utcnow())
    when = f" {format_utc(post.published_at)}" if state is PostState.SCHEDULED else ""
    return Markup('<span class="badge badge-{}" data-state="{}">{}{}</span>').format(
        _STATE_BADGES[state], state.value, state.label, when
    )


class StateFilter(BaseFilter):
    def __init__(self) -> None:
        super().__init__("Status", options=[(state.value, state.label) for state in LIVE_STATES])

    def validate(self, value) -> bool:
        return value in {state.value for state in LIVE_STATES}

    def apply(self, query, value, alias=None):
        return query.filter(publication.in_state(PostState(value), clock.utcnow()))

    def operation(self) -> str:
        return "is"


def _assignable_authors():
    return db.session.scalars(policy.assignable_authors(current_user)).all()


def author_choices():
    return [(str(user.id), user.email) for user in _assignable_authors()]


class AuthorFilter(IntEqualFilter):
    def validate(self, value) -> bool:
        return parse_id(value) is not None


def _share_url(link) -> str:
    return url_for("public.shared_preview", token=previews.token_for(link), _external=True)


def parse_publish_time(text: str | None) -> datetime | None:
    """The publish time typed into the schedule field (a browser's datetime-local), as UTC.

    :raise workflow.TransitionError: when it is not a date and time.
    """
    if not text or not text.strip():
        return None
    try:
        value = datetime.fromisoformat(text.strip())
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):  # not a date, or one no calendar here can hold
        raise workflow.TransitionError(
            f"{text.strip()!r} is not a date and time (use YYYY-MM-DD HH:MM, in UTC)."
        ) from None


class PostAdmin(StaffOnly, CMSModelView):
    list_template = "admin/posts/list.html"
    edit_template = "admin/posts/edit.html"

    column_list = ("title", "status", "author", "published_at", "updated_at")
    column_labels = {
        "published_at": "Published (UTC)",
        "updated_at": "Updated (UTC)",
        "created_at": "Created (UTC)",
        "author.email": "Author",
        "editor_note": "Editor's note",
    }
    column_details_list = (
        "title", "slug", "status", "author", "summary", "body", "editor_note",
        "created_at", "updated_at", "published_at",
    )  # fmt: skip
    column_searchable_list = ("title", "slug", "summary", "body")
    column_sortable_list = (
        "title", "status", ("author", "author.email"), "published_at", "updated_at",
    )  # fmt: skip
    column_default_sort = ("updated_at", True)
    column_filters = (
        StateFilter(),
        AuthorFilter(Post.author_id, "Author", options=PerRequestOptions(author_choices)),
    )
    column_formatters = {
        "status": lambda view, context, post, name: state_badge(post),
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
        "status": lambda view, context, post, name: post.state_at(clock.utcnow()).value,
    }

    # No status or publish time here: those change only through the workflow's steps.
    form_columns = ("title", "slug", "summary", "body", "author", "seen_version")
    # The version of the post the editor opened; not named like the model's own column, so
    # Flask-Admin never writes it onto the post.
    form_extra_fields = {"seen_version": HiddenField()}
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
        "author": {"query_factory": lambda: _assignable_authors(), "allow_blank": False},
    }
    form_widget_args = {
        "body": {"rows": 18, "class": "form-control text-monospace"},
        "summary": {"rows": 2},
    }

    # --- Every query and lookup is limited to what the policy lets the user see. ---

    #: Which posts this view lists: the ones outside the trash.
    in_trash = False

    def _scope(self):
        trashed = Post.deleted_at.is_not(None) if self.in_trash else Post.deleted_at.is_(None)
        return and_(policy.admin_scope(current_user), trashed)

    def get_query(self):
        return super().get_query().filter(self._scope())

    def get_count_query(self):
        return db.session.query(func.count(Post.id)).select_from(Post).filter(self._scope())

    def get_one(self, id):
        post = super().get_one(id)
        view = (request.endpoint or "").rpartition(".")[2]
        if view == "edit_view" and request.method == "POST" and self._edit_refused(post):
            return post  # validate_form refuses the save and keeps the text (see there)
        if post.in_trash != self.in_trash:
            abort(404)  # trashed posts are reached through the trash, and only there
        if not policy.can(current_user, _ACTION_BY_VIEW.get(view, Action.EDIT), post):
            abort(403)
        return post

    def _edit_refused(self, post: Post) -> str | None:
        """Why a post the user could see may no longer be saved by them (it changed state
        while they edited), or None. Their text must come back to them, not a bare 403."""
        if not policy.can(current_user, Action.VIEW, post) or self.in_trash:
            return None
        if post.in_trash:
            return "This post was moved to the trash while you edited it; nothing was saved."
        if not policy.can(current_user, Action.EDIT, post):
            state = post.state_at(clock.utcnow()).label.lower()
            return f"This post is now {state} and no longer yours to change; nothing was saved."
        return None

    # --- Forms: fields the user may not set are not offered at all. ---

    def _prepare_form(self, form):
        # Flask-Admin makes every non-nullable column required; an empty slug is made from
        # the title, so the form must neither demand it nor mark it with a star.
        form.slug.validators = [v for v in form.slug.validators if not isinstance(v, InputRequired)]
        form.slug.flags.required = False
        if not policy.can(current_user, Action.PUBLISH):
            delattr(form, "author")  # authors write as themselves
        return form

    def create_form(self, obj=None):
        form = self._prepare_form(super().create_form(obj))
        form.editing_post = None
        if "author" in form and request.method == "GET":
            form.author.data = current_user._get_current_object()
        return form

    def edit_form(self, obj=None):
        form = self._prepare_form(super().edit_form(obj))
        form.editing_post = obj
        if obj is not None and request.method == "GET":
            form.seen_version.data = obj.version
        if "author" in form and obj is not None and obj.author is not None:
            # The post's own author stays a choice even if no longer one to assign
            # (deactivated, say): saving the post must not hand it to someone else.
            choices = list(_assignable_authors())
            if obj.author not in choices:
                choices.append(obj.author)
            form.author.query = choices
        return form

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not is_form_submitted() or "slug" not in form:
            return valid  # a form just opened, or the delete or action form
        post = getattr(form, "editing_post", None)
        refused = post is not None and self._edit_refused(post)
        if refused:
            flash(f"{refused} Your text is still in the form below: copy what you need.", "error")
            return False
        if form.slug.data and old_address_of_another_post(form.slug.data, post and post.id):
            form.slug.errors = [
                *form.slug.errors,
                "This address still leads readers to another post (it was its old address).",
            ]
            valid = False
        if post is None or "seen_version" not in form:
            return valid
        seen = parse_id(form.seen_version.data)
        if seen == post.version:
            return valid
        # Someone saved after this editor opened the post: keep theirs, show what differs,
        # and keep this editor's text in the form. Saving again (deliberately) replaces it.
        latest = audit.last_entry_about(post)
        who = latest.actor_email if latest and latest.actor_email else "Someone"
        when = format_utc(post.updated_at)
        yours = SimpleNamespace(**{name: form[name].data for name in PostRevision.FIELDS})
        form.conflict = revisions.compare(post, yours)
        if "author" in form and form.author.data is not None and form.author.data != post.author:
            # Saving again would also undo their choice of author: show it.
            theirs, mine = post.author.email, form.author.data.email
            form.conflict.append(revisions.FieldDiff("author", [("-", theirs), ("+", mine)]))
        flash(
            f"{who} saved this post at {when}, after you opened it. Their version is kept and "
            "yours is not saved: your text is still in the form, and what differs is shown "
            "below. Save again to replace their version with yours.",
            "error",
        )
        form.seen_version.data = post.version
        return False

    def on_model_change(self, form, post, is_created):
        try:
            service.prepare_for_save(post, current_user, is_new=is_created)
        except PermissionDenied as denied:
            raise ValidationError(str(denied)) from denied

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        """Deleting moves the post to the trash: nothing is lost by a single click."""
        form = self.delete_form()
        if self.validate_form(form):
            post = self.get_one(form.id.data)
            service.trash(post, current_user)
            db.session.commit()
            flash(f"“{post.title}” was moved to the trash, where it can be restored.", "success")
        else:
            flash("The post could not be deleted: the form was not valid.", "error")
        return redirect(get_redirect_target() or self.get_url(".index_view"))

    def get_export_value(self, model, name):
        return spreadsheet_safe(super().get_export_value(model, name))

    def is_live(self, post: Post) -> bool:
        """For the list's "view on site" link."""
        return publication.is_published(post)

    # --- The workflow: one endpoint for the edit page's buttons. ---

    def render(self, template, **kwargs):
        if template == self.edit_template and kwargs.get("model") is not None:
            post = kwargs["model"]
            kwargs["state"] = post.state_at(clock.utcnow())
            kwargs["transitions"] = [
                (step.value, workflow.label(step))
                for step in workflow.available(post, current_user)
            ]
            kwargs["can_share"] = policy.can(current_user, Action.SHARE, post)
            kwargs["share_links"] = [
                (link, _share_url(link)) for link in previews.active_links(post)
            ]
            kwargs["revisions"] = post.revisions
        return super().render(template, **kwargs)

    # --- Revisions: compare any two, restore any one (as a new revision). ---

    def _revision_of(self, post: Post, value) -> PostRevision:
        revision_id = parse_id(value)
        revision = db.session.get(PostRevision, revision_id) if revision_id else None
        if revision is None or revision.post_id != post.id:
            abort(404)
        return revision

    @expose("/revisions/compare/")
    def compare_view(self):
        post = self.get_one(request.args.get("id"))
        older = self._revision_of(post, request.args.get("a"))
        newer = self._revision_of(post, request.args.get("b"))
        if older.id > newer.id:
            older, newer = newer, older
        return self.render(
            "admin/posts/compare.html",
            post=post,
            older=older,
            newer=newer,
            diffs=revisions.compare(older, newer),
        )

    @expose("/revisions/restore/", methods=("POST",))
    def restore_revision_view(self):
        post = self.get_one(request.form.get("id"))
        revision = self._revision_of(post, request.form.get("revision"))
        try:
            warnings = revisions.restore(post, revision, current_user)
            service.prepare_for_save(post, current_user, is_new=False)
        except PermissionDenied as denied:
            db.session.rollback()
            abort(403, description=str(denied))
        db.session.commit()
        flash(
            f"Restored the words of {format_utc(revision.created_at)} as a new revision.",
            "success",
        )
        for warning in warnings:
            flash(warning, "warning")
        return redirect(self.get_url(".edit_view", id=post.id))

    # --- Previews: as readers will see it, here or through a share link. ---

    @expose("/preview/")
    def preview_view(self):
        return render_preview(self.get_one(request.args.get("id")))

    @expose("/share/", methods=("POST",))
    def share_view(self):
        post = self.get_one(request.form.get("id"))
        link, _token = previews.create_link(post, current_user)
        db.session.commit()
        flash(
            Markup("Share link created, working until {} UTC: <code>{}</code>").format(
                link.expires_at.strftime("%Y-%m-%d %H:%M"), _share_url(link)
            ),
            "success",
        )
        return redirect(self.get_url(".edit_view", id=post.id))

    @expose("/unshare/", methods=("POST",))
    def unshare_view(self):
        link_id = parse_id(request.form.get("link"))
        link = db.session.get(PreviewLink, link_id) if link_id else None
        if link is None or not policy.can(current_user, Action.VIEW, link.post):
            abort(404)
        if not policy.can(current_user, Action.SHARE, link.post):
            abort(403)
        previews.revoke(link, current_user)
        db.session.commit()
        flash("The share link no longer works.", "success")
        return redirect(self.get_url(".edit_view", id=link.post_id))

    @expose("/transition/", methods=("POST",))
    def transition_view(self):
        post = self.get_one(request.form.get("id"))
        try:
            state = workflow.apply(
                post,
                current_user,
                request.form.get("transition", ""),
                publish_at=parse_publish_time(request.form.get("publish_at")),
                comment=request.form.get("comment"),
            )
        except workflow.TransitionError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            when = f" for {format_utc(post.published_at)}" if state is PostState.SCHEDULED else ""
            flash(f"The post is now {state.label.lower()}{when}.", "success")
        if policy.can(current_user, Action.EDIT, post):
            return redirect(self.get_url(".edit_view", id=post.id))
        return redirect(self.get_url(".details_view", id=post.id))

    # --- Bulk actions: offered only to those allowed, checked again for every row. ---

    def is_action_allowed(self, name):
        needed = {
            "submit": Action.SUBMIT,
            "publish": Action.PUBLISH,
            "unpublish": Action.PUBLISH,
            "delete": Action.DELETE,
        }
        if name in needed and not policy.can(current_user, needed[name]):
            return False
        return super().is_action_allowed(name)

    def _selected_posts(self, ids: list[int]):
        return db.session.scalars(
            select(Post).where(Post.id.in_(ids), policy.admin_scope(current_user))
        ).all()

    def _apply_to_selected(self, ids, change, done: str, refusal: str) -> None:
        """Apply ``change(post)`` to each selected post the user may see; a post it refuses
        (``TransitionError`` or ``PermissionDenied``) is counted and left as it was."""
        changed = refused = 0
        for post in self._selected_posts(ids):
            try:
                change(post)
                changed += 1
            except (workflow.TransitionError, PermissionDenied):
                refused += 1
        db.session.commit()
        if changed:
            flash(f"{posts_phrase(changed)} {done}.", "success")
        if refused:
            flash(f"{posts_phrase(refused)} left as they were: {refusal}.", "warning")

    def _transition_selected(self, ids, step: workflow.Transition, done: str) -> None:
        self._apply_to_selected(
            ids,
            lambda post: workflow.apply(post, current_user, step),
            done,
            "not in a state for that",
        )

    @action("submit", "Submit for review", "Submit the selected posts for review?")
    def action_submit(self, ids):
        self._transition_selected(ids, workflow.Transition.SUBMIT, "submitted for review")

    @action("publish", "Publish now", "Publish the selected posts now?")
    def action_publish(self, ids):
        self._transition_selected(ids, workflow.Transition.PUBLISH, "published")

    @action("unpublish", "Unpublish", "Take the selected posts off the site?")
    def action_unpublish(self, ids):
        self._transition_selected(ids, workflow.Transition.UNPUBLISH, "unpublished")

    @action("delete", "Move to trash", "Move the selected posts to the trash?")
    def action_delete(self, ids):
        self._apply_to_selected(
            ids,
            lambda post: service.trash(post, current_user),
            "moved to the trash",
            "not yours to delete",
        )
