"""The workflow in the posts admin: the edit page's step buttons and the bulk steps. Both
take what each step needs from the workflow's own rule table."""

from __future__ import annotations

from flask import flash, redirect, request
from flask_admin import expose
from flask_security import current_user
from sqlalchemy.exc import IntegrityError

from cms import acting, clock
from cms.admin.base import parse_id
from cms.admin.posts.scoped import BulkStep, regardless_of_version
from cms.dates import format_utc
from cms.extensions import db
from cms.posts import policy, service, workflow
from cms.posts.models import Post, PostState
from cms.posts.policy import Action
from cms.posts.workflow import Transition


def _bulk(transition: Transition, confirm: str, done: str) -> BulkStep:
    def take_step(post: Post, actor, seen_version: int | None) -> bool:
        # Refuses with TransitionError, or changes the post.
        workflow.apply(post, actor, transition, seen_version=seen_version)
        return True

    return BulkStep(
        workflow.label(transition),
        confirm,
        workflow.needs(transition),
        take_step,
        done,
        "not in a state for that",
    )


#: The posts list's bulk actions, in the order of its menu.
BULK_STEPS = {
    "submit": _bulk(
        Transition.SUBMIT, "Submit the selected posts for review?", "submitted for review"
    ),
    "publish": _bulk(Transition.PUBLISH, "Publish the selected posts now?", "published"),
    "unpublish": _bulk(
        Transition.UNPUBLISH, "Take the selected posts off the site?", "unpublished"
    ),
    "delete": BulkStep(
        "Move to trash",
        "Move the selected posts to the trash?",
        service.TRASH_NEEDS,
        regardless_of_version(service.trash),  # nothing is lost: it can be restored
        "moved to the trash",
        "not yours to delete",
    ),
}


class WorkflowViews:
    """Mixed into the posts admin (a ``ScopedPostView``)."""

    def workflow_panel(self, post: Post) -> dict:
        """What the edit page's status panel shows: the state and the steps offered."""
        return {
            "state": post.state_at(clock.utcnow()),
            "transitions": [
                (step.value, workflow.label(step))
                for step in workflow.available(post, current_user)
            ],
        }

    @expose("/transition/", methods=("POST",))
    def transition_view(self):
        """One workflow step: ``Action.VIEW`` to reach the post; ``workflow.apply`` checks
        the step's own permission."""
        post = self.post_for(Action.VIEW, request.form.get("id"))
        try:
            state = workflow.apply(
                post,
                acting.user(),
                request.form.get("transition", ""),
                seen_version=parse_id(request.form.get("seen_version", "")),
                publish_at=workflow.parse_publish_time(request.form.get("publish_at")),
                comment=request.form.get("comment"),
            )
            db.session.commit()
        except workflow.TransitionError as error:
            db.session.rollback()
            flash(str(error), "error")
        except IntegrityError:
            # The unique index on live posts' slugs: another post went live at this address
            # between the check and the commit.
            db.session.rollback()
            flash("Another post took this address at the same moment; nothing was done.", "error")
        else:
            when = f" for {format_utc(post.published_at)}" if state is PostState.SCHEDULED else ""
            flash(f"The post is now {state.label.lower()}{when}.", "success")
        if policy.can(current_user, Action.EDIT, post):
            return redirect(self.get_url(".edit_view", id=post.id))
        return redirect(self.get_url(".details_view", id=post.id))
