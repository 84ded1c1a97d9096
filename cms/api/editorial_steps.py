"""``POST /api/v1/editorial/posts/<id>/transitions``: a workflow step through a token, as the
dashboard's step buttons take one (``cms.admin.posts.steps``), through ``workflow.apply``.

How its refusals answer: a step the policy does not give the owner, 403; a post changed
since the version they read, a state the step does not start from, or an address another
post holds, 409; a step's own input missing or wrong (the comment to return a post, the
time to schedule it), 422 with the field's error."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from cms.api.auth import actor, editorial_operation
from cms.api.editorial_common import editorial_post, field_error, refuse, visible_post
from cms.api.editorial_schemas import EditorialPostSchema, TransitionSchema
from cms.extensions import db
from cms.posts import policy, workflow
from cms.posts.workflow import Transition

#: The field a step's own input comes in, for its field error.
_INPUT = {Transition.RETURN: "comment", Transition.SCHEDULE: "publish_at"}


@editorial_operation(
    "POST",
    "/editorial/posts/<int:post_id>/transitions",
    (200, EditorialPostSchema),
    403,
    404,
    409,
    arguments=TransitionSchema,
)
def editorial_post_transition(step, post_id: int):
    """Move a post through the workflow: `submit`, `withdraw`, `return` (with a
    `comment`), `publish`, `schedule` (with `publish_at`) or `unpublish`. `version` is the
    one you read. The post's `steps` say which its reader may take now."""
    user = actor()
    post = visible_post(post_id, user)
    transition = Transition(step["step"])
    if not policy.can(user, workflow.needs(transition), post):
        refuse(403, f"You may not {workflow.label(transition).lower()} this post.")
    if post.in_trash:
        refuse(409, "This post is in the trash: restore it first.")
    possible = transition in workflow.available(post, user)
    try:
        workflow.apply(
            post,
            user,
            transition,
            seen_version=step["version"],
            publish_at=step.get("publish_at"),
            comment=step.get("comment"),
        )
        db.session.commit()
    except workflow.ChangedSinceSeen as stale:
        refuse(409, str(stale))
    except workflow.AddressTaken as taken:
        refuse(409, str(taken))
    except workflow.TransitionError as refused:
        if not possible:  # the post's state is not one the step starts from
            refuse(409, str(refused))
        field_error(_INPUT.get(transition, "step"), str(refused))
    except IntegrityError:
        refuse(409, "Another post took this address at the same moment; nothing was done.")
    return editorial_post(post, user)
