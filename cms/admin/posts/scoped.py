"""What the posts list and the trash share: queries limited to what the policy lets the
user see, one lookup (``post_for``) that answers 404 or 403, and bulk actions declared as
steps that each name the permission they need."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import ClassVar, NamedTuple

from flask import abort, flash, request
from flask_admin import expose
from flask_security import current_user
from sqlalchemy import and_, select
from sqlalchemy.exc import IntegrityError

from cms import acting
from cms.accounts.models import User
from cms.admin.access import StaffOnly
from cms.admin.base import CMSModelView, parse_id
from cms.admin.paging import KeysetPaging, rows_to_count
from cms.admin.posts.columns import FORMATTERS, LABELS, without_texts
from cms.extensions import db
from cms.posts import policy
from cms.posts.models import Post
from cms.posts.policy import Action, PermissionDenied
from cms.posts.workflow import TransitionError

RACE_LOST = "Another post took the address of a selected post at the same moment; nothing was done."


def posts_phrase(count: int) -> str:
    return "1 post" if count == 1 else f"{count} posts"


class SelectedPost(NamedTuple):
    """A row ticked in a list: the post's id, and its version when the list was shown
    (None from a list that did not say)."""

    id: int
    seen_version: int | None


def regardless_of_version(change: Callable[[Post, User], object]):
    """A bulk step for a change that does not depend on what the user saw of the post."""
    return lambda post, actor, _seen_version: change(post, actor)


@dataclass(frozen=True)
class BulkStep:
    """A bulk action: offered to those the policy gives ``needs``, and checked again for
    every selected post by ``apply`` itself, which refuses with ``TransitionError`` or
    ``PermissionDenied``."""

    label: str
    confirm: str
    needs: Action
    apply: Callable[[Post, User, int | None], bool]  # post, actor, version seen: changed?
    done: str  # "3 posts <done>."
    refusal: str  # "2 posts left as they were: <refusal>."

    #: For posts the step found already done, or no longer in the list (another tab, say).
    UNCHANGED = "already done, or no longer in this list"


class ScopedPostView(StaffOnly, KeysetPaging, CMSModelView):
    #: True for the view of the posts in the trash, False for the view of all the others.
    holds_trashed: ClassVar[bool] = False
    #: The bulk actions this view offers, by name, in the order of the menu.
    bulk_steps: ClassVar[dict[str, BulkStep]] = {}

    counted_noun = ("post", "posts")
    column_labels = LABELS
    column_formatters = FORMATTERS
    can_view_details = True

    def _scope(self):
        in_place = Post.in_trash if self.holds_trashed else ~Post.in_trash
        return and_(policy.admin_scope(current_user), in_place)

    def get_query(self):
        return super().get_query().filter(self._scope())

    def list_loading(self) -> tuple:
        return tuple(without_texts())

    def get_count_query(self):
        # The rows to count, not a count: cms.counting bounds it or estimates it.
        return rows_to_count(db.session.query(Post.id).filter(self._scope()))

    def stored_post(self, id) -> Post:
        """The post ``id`` names, wherever it is and whoever may see it; 404 if none."""
        return super().get_one(id)

    def post_for(self, action: Action, id) -> Post:
        """The post ``id`` names, for doing ``action`` to it: 404 when this view holds no
        such post (trashed posts are reached through the trash, and only there), 403 when
        the policy refuses."""
        post = self.stored_post(id)
        if post.in_trash != self.holds_trashed:
            abort(404)
        if not policy.can(current_user, action, post):
            abort(403)
        return post

    def get_one(self, id):
        # Flask-Admin's own views look the post up again after ours named the action.
        return self.post_for(Action.VIEW, id)

    @expose("/details/")
    def details_view(self):
        if request.args.get("id") is not None:
            self.post_for(Action.VIEW, request.args["id"])
        return super().details_view()

    # --- Bulk actions: the view's steps, offered only to those allowed, checked per row. ---

    def init_actions(self) -> None:
        self._actions = [(name, step.label) for name, step in self.bulk_steps.items()]
        self._actions_data = {
            name: (partial(self._apply_step, step), step.label, step.confirm)
            for name, step in self.bulk_steps.items()
        }

    def is_action_allowed(self, name) -> bool:
        step = self.bulk_steps.get(name)
        return step is not None and policy.can(current_user, step.needs)

    def parse_row_ref(self, value) -> SelectedPost | None:
        """A ticked row, as ``<id>:<version>`` (the posts list says which version each row
        showed) or a bare id; None when it cannot be one."""
        id_text, colon, version_text = str(value).partition(":")
        post_id = parse_id(id_text)
        seen_version = parse_id(version_text) if colon else None
        if post_id is None or (colon and seen_version is None):
            return None
        return SelectedPost(post_id, seen_version)

    def _apply_step(self, step: BulkStep, selected: list[SelectedPost]) -> None:
        """Apply ``step`` to each selected post this view holds for the user, and say what
        happened: a post it refuses, finds already done, or no longer finds here is counted
        and left as it was."""
        seen = {row.id: row.seen_version for row in selected}
        changed = 0
        refusals: Counter[str] = Counter()  # how many posts were left, by why
        query = select(Post).where(Post.id.in_(seen), self._scope())
        try:
            for post in db.session.scalars(query).all():
                try:
                    changed += 1 if step.apply(post, acting.user(), seen[post.id]) else 0
                except TransitionError as error:
                    refusals[error.in_bulk or step.refusal] += 1
                except PermissionDenied:
                    refusals[step.refusal] += 1
            db.session.commit()
        except IntegrityError:
            # The unique index on live posts' slugs (at a step's flush or at the commit):
            # another post went live at one of these addresses since the check.
            db.session.rollback()
            flash(RACE_LOST, "error")
            return
        unchanged = len(seen) - changed - sum(refusals.values())
        if changed:
            flash(f"{posts_phrase(changed)} {step.done}.", "success")
        for why, count in refusals.items():
            flash(f"{_left_as_they_were(count)}: {why}.", "warning")
        if unchanged:
            flash(f"{_left_as_they_were(unchanged)}: {BulkStep.UNCHANGED}.", "info")


def _left_as_they_were(count: int) -> str:
    return "1 post left as it was" if count == 1 else f"{count} posts left as they were"
