"""The dashboard: the first screen after login."""

from __future__ import annotations

from flask_admin import AdminIndexView, expose
from flask_security import current_user
from sqlalchemy import select

from cms import clock
from cms.admin.access import StaffOnly
from cms.admin.posts.columns import without_texts
from cms.counting import bounded_count, bounded_figure
from cms.extensions import db
from cms.posts import policy
from cms.posts.models import Post, PostState


def state_counts(user, now) -> dict:
    """How many posts ``user`` sees in each state, in one statement: a bounded count per
    state (exact up to ``cms.counting.EXACT_UP_TO``, "more than" past it), each read from
    the state's own index range, where a GROUP BY over the states would read every post."""
    scope = policy.admin_scope(user)
    counts = [
        bounded_count(select(Post.id).where(scope, Post.in_state_at(state, now))).label(state.value)
        for state in PostState
    ]
    row = db.session.execute(select(*counts)).one()
    return {state: bounded_figure(row._mapping[state.value]) for state in PostState}


class DashboardView(StaffOnly, AdminIndexView):
    @expose("/")
    def index(self):
        scope = policy.admin_scope(current_user)
        now = clock.utcnow()
        recent = db.session.scalars(
            select(Post)
            .where(scope, ~Post.in_trash)
            .order_by(Post.updated_at.desc(), Post.id.desc())
            .options(*without_texts())
            .limit(8)
        ).all()
        return self.render(
            "admin/dashboard.html",
            counts=state_counts(current_user, now),
            now=now,
            recent=recent,
            can_create=policy.can(current_user, policy.Action.CREATE),
        )
