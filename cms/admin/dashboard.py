"""The dashboard: the first screen after login."""

from __future__ import annotations

from flask_admin import AdminIndexView, expose
from flask_security import current_user
from sqlalchemy import func, select

from cms.admin.access import StaffOnly
from cms.extensions import db
from cms.posts import policy
from cms.posts.models import Post, PostStatus


class DashboardView(StaffOnly, AdminIndexView):
    @expose("/")
    def index(self):
        scope = policy.admin_scope(current_user)
        counts = dict(
            db.session.execute(
                select(Post.status, func.count()).where(scope).group_by(Post.status)
            ).all()
        )
        recent = db.session.scalars(
            select(Post).where(scope).order_by(Post.updated_at.desc()).limit(8)
        ).all()
        return self.render(
            "admin/dashboard.html",
            counts={status: counts.get(status, 0) for status in PostStatus},
            recent=recent,
            can_create=policy.can(current_user, policy.Action.CREATE),
        )
