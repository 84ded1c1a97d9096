"""Previews in the posts admin: as readers will see it, here or through a share link."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_admin import expose
from flask_security import current_user
from markupsafe import Markup

from cms import acting
from cms.admin.base import parse_id
from cms.dates import format_utc
from cms.extensions import db
from cms.posts import policy, previews
from cms.posts.models import Post, PreviewLink
from cms.posts.policy import Action


def _share_url(link: PreviewLink) -> str:
    return url_for("public.shared_preview", token=previews.token_for(link), _external=True)


class SharingViews:
    """Mixed into the posts admin (a ``ScopedPostView``)."""

    def sharing_panel(self, post: Post) -> dict:
        """What the edit page's share box shows."""
        return {
            "can_share": policy.can(current_user, Action.SHARE, post),
            "share_links": [(link, _share_url(link)) for link in previews.active_links(post)],
        }

    @expose("/preview/")
    def preview_view(self):
        """The post as readers will see it: ``Action.VIEW``."""
        return previews.preview_response(self.post_for(Action.VIEW, request.args.get("id")))

    @expose("/share/", methods=("POST",))
    def share_view(self):
        """A new share link: ``Action.SHARE``."""
        post = self.post_for(Action.SHARE, request.form.get("id"))
        link, _token = previews.create_link(post, acting.user())
        db.session.commit()
        flash(
            Markup("Share link created, working until {}: <code>{}</code>").format(
                format_utc(link.expires_at), _share_url(link)
            ),
            "success",
        )
        return redirect(self.get_url(".edit_view", id=post.id))

    @expose("/unshare/", methods=("POST",))
    def unshare_view(self):
        """A share link stops working: ``Action.SHARE`` on its post."""
        link_id = parse_id(request.form.get("link"))
        link = db.session.get(PreviewLink, link_id) if link_id else None
        if link is None or not policy.can(current_user, Action.VIEW, link.post):
            abort(404)
        if not policy.can(current_user, Action.SHARE, link.post):
            abort(403)
        previews.revoke(link, acting.user())
        db.session.commit()
        flash("The share link no longer works.", "success")
        return redirect(self.get_url(".edit_view", id=link.post_id))
