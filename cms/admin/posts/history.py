"""Revisions in the posts admin: compare any two, restore any one (as a new revision)."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose

from cms import acting
from cms.admin.base import parse_id
from cms.dates import format_utc
from cms.extensions import db
from cms.posts import revisions, service
from cms.posts.models import Post, PostRevision
from cms.posts.policy import Action, PermissionDenied


def _revision_of(post: Post, value) -> PostRevision:
    revision_id = parse_id(value)
    revision = db.session.get(PostRevision, revision_id) if revision_id else None
    if revision is None or revision.post_id != post.id:
        abort(404)
    return revision


class RevisionViews:
    """Mixed into the posts admin (a ``ScopedPostView``)."""

    @expose("/revisions/compare/")
    def compare_view(self):
        """Two revisions side by side: ``Action.VIEW``."""
        post = self.post_for(Action.VIEW, request.args.get("id"))
        older = _revision_of(post, request.args.get("a"))
        newer = _revision_of(post, request.args.get("b"))
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
        """An old revision's words back, as a new revision: ``Action.EDIT``."""
        post = self.post_for(Action.EDIT, request.form.get("id"))
        revision = _revision_of(post, request.form.get("revision"))
        try:
            warnings = revisions.restore(post, revision, acting.user())
            service.prepare_for_save(post, acting.user(), is_new=False)
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
