"""The trash in the admin: restore posts, or (admins) delete them for good.

A sibling of the posts list, not a subclass of it: none of the editing, workflow,
revision or sharing views exist here. Restore a post first to work on it.
"""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_security import current_user

from cms import acting
from cms.admin.posts.columns import FORMATTERS, AuthorFilter, stored_status
from cms.admin.posts.scoped import BulkStep, ScopedPostView, posts_phrase, regardless_of_version
from cms.admin.posts.searching import FullTextSearch
from cms.admin.posts.steps import BULK_STEPS
from cms.extensions import db
from cms.posts import policy, service

RESTORE = BulkStep(
    "Restore",
    "Restore the selected posts?",
    service.TRASH_NEEDS,
    regardless_of_version(service.restore),
    "restored",
    "not yours to restore",
)
PURGE = BulkStep(
    "Delete forever",
    "Delete the selected posts for good? This cannot be undone.",
    service.PURGE_NEEDS,
    regardless_of_version(service.purge),
    "deleted for good",
    "not yours to delete for good",
)


class TrashAdmin(FullTextSearch, ScopedPostView):
    holds_trashed = True
    bulk_steps = {"restore": RESTORE, "purge": PURGE}

    list_template = "admin/posts/trash.html"
    can_create = False
    can_edit = False
    can_export = False
    column_list = ("title", "status", "author", "deleted_at")
    column_details_list = (
        "title", "slug", "status", "author", "summary", "body", "editor_note",
        "created_at", "updated_at", "published_at", "deleted_at",
    )  # fmt: skip
    column_default_sort = ("deleted_at", True)
    column_sortable_list = ("title", ("author", "author.email"), "deleted_at")
    column_filters = (AuthorFilter(),)
    column_formatters = {**FORMATTERS, "status": stored_status}

    def knows_action(self, name: str) -> bool:
        # The posts list's steps are refused here (403), not unknown: restore the post first.
        return name in self.bulk_steps or name in BULK_STEPS

    @property
    def can_delete(self) -> bool:
        return policy.can(current_user, service.PURGE_NEEDS)

    @expose("/delete/", methods=("POST",))
    def delete_view(self):
        """Delete one trashed post for good: ``service.PURGE_NEEDS``."""
        form = self.delete_form()
        if not self.validate_form(form):
            abort(400)
        post = self.post_for(service.PURGE_NEEDS, form.id.data)
        service.purge(post, acting.user())
        db.session.commit()
        flash(f"“{post.title}” was deleted for good.", "success")
        return redirect(get_redirect_target() or self.get_url(".index_view"))

    @expose("/empty/", methods=("POST",))
    def empty_view(self):
        """Delete every trashed post for good: ``service.PURGE_NEEDS``."""
        if not policy.can(current_user, service.PURGE_NEEDS):
            abort(403)
        count = service.purge_trash()
        db.session.commit()
        flash(f"The trash is empty: {posts_phrase(count)} deleted for good.", "success")
        return redirect(self.get_url(".index_view"))
