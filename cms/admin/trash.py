"""The trash in the admin: restore posts, or (admins) delete them for good."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.helpers import get_redirect_target
from flask_security import current_user
from markupsafe import Markup

from cms.admin.formatting import PerRequestOptions, format_utc
from cms.admin.posts import AuthorFilter, PostAdmin, author_choices, posts_phrase
from cms.extensions import db
from cms.posts import policy, service
from cms.posts.models import Post
from cms.posts.policy import Action, PermissionDenied


class TrashAdmin(PostAdmin):
    """Posts in the trash: restore them, or (admins) delete them for good."""

    in_trash = True
    list_template = "admin/posts/trash.html"
    can_create = False
    can_edit = False
    can_export = False
    column_list = ("title", "status", "author", "deleted_at")
    column_labels = {**PostAdmin.column_labels, "deleted_at": "Trashed (UTC)"}
    column_default_sort = ("deleted_at", True)
    column_sortable_list = ("title", ("author", "author.email"), "deleted_at")
    column_filters = (
        AuthorFilter(Post.author_id, "Author", options=PerRequestOptions(author_choices)),
    )
    column_formatters = {
        **PostAdmin.column_formatters,
        "status": lambda view, context, post, name: Markup("{}").format(post.status.label),
        "deleted_at": lambda view, context, post, name: format_utc(post.deleted_at),
    }

    def get_one(self, id):
        # The editing endpoints PostAdmin exposes (steps, sharing, revisions) are not for
        # trashed posts: restore the post first.
        if (request.endpoint or "").rpartition(".")[2] not in ("details_view", "delete_view"):
            abort(404)
        return super().get_one(id)

    @property
    def can_delete(self) -> bool:
        return policy.can(current_user, Action.PURGE)

    def is_action_allowed(self, name):
        needed = {"restore": Action.DELETE, "purge": Action.PURGE}
        if name not in needed:
            return False  # the workflow's steps do not apply in the trash
        return policy.can(current_user, needed[name])

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        form = self.delete_form()
        if not self.validate_form(form):
            abort(400)
        post = self.get_one(form.id.data)
        try:
            service.purge(post, current_user)
        except PermissionDenied:
            abort(403)
        db.session.commit()
        flash(f"“{post.title}” was deleted for good.", "success")
        return redirect(get_redirect_target() or self.get_url(".index_view"))

    @expose("/empty/", methods=("POST",))
    def empty_view(self):
        if not policy.can(current_user, Action.PURGE):
            abort(403)
        count = service.purge_trash()
        db.session.commit()
        flash(f"The trash is empty: {posts_phrase(count)} deleted for good.", "success")
        return redirect(self.get_url(".index_view"))

    @action("restore", "Restore", "Restore the selected posts?")
    def action_restore(self, ids):
        self._apply_to_selected(
            ids,
            lambda post: service.restore(post, current_user),
            "restored",
            "not yours to restore",
        )

    @action("purge", "Delete forever", "Delete the selected posts for good? This cannot be undone.")
    def action_purge(self, ids):
        self._apply_to_selected(
            ids,
            lambda post: service.purge(post, current_user),
            "deleted for good",
            "not yours to delete for good",
        )
