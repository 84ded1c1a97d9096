"""The dashboard: the first screen after login."""

from __future__ import annotations

from flask_admin import AdminIndexView, expose
from flask_security import current_user
from sqlalchemy import func, select

from cms import clock
from cms.admin.access import StaffOnly
from cms.extensions import db
from cms.posts import policy
from cms.posts.models import Post, PostState


class DashboardView(StaffOnly, AdminIndexView):
    @expose("/")
    def index(self):
        scope = policy.admin_scope(current_user)
        now = clock.utcnow()
        state = Post.state_at(now)
        rows = db.session.execute(select(state, func.count(Post.id)).where(scope).group_by(state))
        found = {value: count for value, count in rows}
        counts = {state: found.get(state.value, 0) for state in PostState}
        recent = db.session.scalars(
            select(Post).where(scope, ~Post.in_trash).order_by(Post.updated_at.desc()).limit(8)
        ).all()
        return self.render(
            "admin/dashboard.html",
            counts=counts,
            now=now,
            recent=recent,
            can_create=policy.can(current_user, policy.Action.CREATE),
        )
