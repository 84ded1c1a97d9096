"""The posts list's bulk actions for tags: "Add a tag…" and "Remove a tag…" ask which tag
on a page of their own (``admin/posts/tag_bulk.html``), then change each selected post the
policy lets the user edit, saved as any edit is (``cms.tags.picking``): a revision, the
audit log. An author tags only their own posts; a post refused is left as it was, and
counted in what the list says afterwards."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.helpers import get_redirect_target
from flask_security import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cms import acting
from cms.admin.posts.tagging import picker
from cms.extensions import db
from cms.posts import policy
from cms.posts.models import Post
from cms.posts.policy import Action, PermissionDenied, TagAction
from cms.posts.service import PostTooLong, SlugTaken
from cms.tags import picking, service
from cms.tags.models import Tag, post_tags
from cms.tags.service import TagProblem

#: The bulk actions, by name, with their menu labels.
BULK_TAGGING = {"tag_add": "Add a tag…", "tag_remove": "Remove a tag…"}


class BulkTagging:
    """Mixed into the posts admin (a ``ScopedPostView``), before it among the bases."""

    def init_actions(self) -> None:
        super().init_actions()
        for name, label in BULK_TAGGING.items():
            self._actions.append((name, label))
            self._actions_data[name] = (self._ask_which_tag(name), label, None)

    def is_action_allowed(self, name) -> bool:
        if name in BULK_TAGGING:
            # Tagging a post is editing it: authors tag their own drafts, checked per post.
            return policy.can(current_user, Action.EDIT)
        return super().is_action_allowed(name)

    def _selected_posts(self, refs) -> list[Post]:
        ids = [ref.id for ref in refs]
        return db.session.scalars(
            select(Post).where(Post.id.in_(ids), self._scope()).order_by(Post.title)
        ).all()

    def _ask_which_tag(self, name: str):
        def ask(refs):
            posts = self._selected_posts(refs)
            removing = name == "tag_remove" and posts
            return self.render(
                "admin/posts/tag_bulk.html",
                adding=name == "tag_add",
                posts=posts,
                tags_on_them=_tags_on(posts) if removing else [],
                picker=picker(
                    "tag",
                    multiple=False,
                    may_create=policy.can_tag(current_user, TagAction.CREATE),
                    **{"data-placeholder": "Pick a tag"},
                ),
                return_url=get_redirect_target() or self.get_url(".index_view"),
            )

        return ask

    @expose("/tags/bulk/", methods=("POST",))
    def bulk_tag_view(self):
        """Add the tag ``tag`` to each post ``rowid`` names (``adding``), or remove it: each
        post as the policy allows (``Action.EDIT``), saved as any edit is (a revision, the
        audit log); a post refused is left as it was and counted."""
        adding = request.form.get("adding") == "1"
        back = redirect(get_redirect_target() or self.get_url(".index_view"))
        refs = [self.parse_row_ref(value) for value in request.form.getlist("rowid")]
        if None in refs:
            abort(400, description="The selection names a record that cannot exist.")
        if not policy.can(current_user, Action.EDIT):
            abort(403)
        actor = acting.user()
        try:
            tag = self._tag_for_bulk(request.form.get("tag", ""), adding, actor)
            if tag is None:
                flash("No tag was picked; nothing was done.", "error")
                return back
            changed, refused = self._change_each(refs, tag, adding, actor)
            db.session.commit()
        except (TagProblem, PermissionDenied) as problem:
            db.session.rollback()
            flash(str(problem), "error")
            return back
        except IntegrityError:  # a new tag's address, taken by another request meanwhile
            db.session.rollback()
            flash(service.MADE_MEANWHILE, "error")
            return back
        self._say_what_happened(tag, adding, changed, refused, len(refs))
        return back

    def _change_each(self, refs, tag: Tag, adding: bool, actor) -> tuple[int, int]:
        """Add or remove ``tag`` on each selected post the user may edit, each in a
        savepoint of its own: a post refused is left as it was. (changed, refused)"""
        change = picking.add if adding else picking.remove
        changed, refused = 0, 0
        for post in self._selected_posts(refs):
            try:
                with db.session.begin_nested():
                    changed += change(post, tag, actor)
            except (PermissionDenied, SlugTaken, PostTooLong):
                refused += 1
        return changed, refused

    def _tag_for_bulk(self, value: str, adding: bool, actor) -> Tag | None:
        value = value.strip()
        if not value:
            return None
        if not adding:
            return service.by_address([value]).get(value)
        tags = picking.tags_for(picking.read(value, actor), actor)
        return tags[0] if tags else None

    @staticmethod
    def _say_what_happened(tag: Tag, adding: bool, changed: int, refused: int, asked: int):
        if changed:
            flash(f"{_phrase(changed)} {_have(changed, adding)} the tag “{tag.name}”.", "success")
        if refused:
            flash(f"{_left(refused)}: not yours to change.", "warning")
        if unchanged := asked - changed - refused:
            reason = "had the tag already" if adding else "did not have the tag"
            flash(f"{_left(unchanged)}: {reason}, or no longer in this list.", "info")


def _tags_on(posts: list[Post]) -> list[Tag]:
    """The tags any of ``posts`` has, by name: those "Remove a tag…" offers."""
    on_them = select(post_tags.c.tag_id).where(post_tags.c.post_id.in_([p.id for p in posts]))
    return db.session.scalars(select(Tag).where(Tag.id.in_(on_them)).order_by(Tag.name)).all()


def _phrase(count: int) -> str:
    return "1 post" if count == 1 else f"{count} posts"


def _have(count: int, adding: bool) -> str:
    if adding:
        return "now has" if count == 1 else "now have"
    return "no longer has" if count == 1 else "no longer have"


def _left(count: int) -> str:
    return "1 post left as it was" if count == 1 else f"{count} posts left as they were"
