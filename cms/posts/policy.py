"""Who may do what to which post, and to tags: the one policy. The dashboard asks it
directly; every change, from the dashboard or the CLI, passes it again in the post and tag
services.

``can`` answers for one post; ``admin_scope`` is the same rule as a SQL condition, for
every query that lists, counts or exports posts. The two are kept together so they agree.
``can_tag`` answers for tags themselves; putting tags on a post or taking them off is
editing the post (``Action.EDIT``), whoever made the tags.
"""

from __future__ import annotations

import enum

from flask import current_app
from sqlalchemy import ColumnElement, false, select, true

from cms.accounts.models import Role, User
from cms.accounts.permissions import Someone, role_names
from cms.accounts.roles import ADMIN, ALL_POSTS_ROLES, AUTHOR, STAFF_ROLES
from cms.posts.models import Post, PostStatus


class Action(enum.StrEnum):
    VIEW = "view"  # see it in the admin: list, details, export
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    SUBMIT = "submit"  # move between draft and review
    PUBLISH = "publish"  # publish, schedule, unpublish, return to the author
    PURGE = "purge"  # delete from the trash for good
    SHARE = "share"  # create and revoke preview links for people without an account


class TagAction(enum.StrEnum):
    MANAGE = "manage"  # the Tags view: list, create, rename, merge and delete tags
    CREATE = "create"  # make a new tag, in the Tags view or while tagging a post


class PermissionDenied(Exception):
    """The acting user may not do this to this post (or tag)."""


def can(user: Someone, action: Action, post: Post | None = None) -> bool:
    """Whether ``user`` may do ``action`` to ``post``.

    Without a post, the question is whether ``user`` may do ``action`` to any post at all
    (to show a button or a bulk action, say).
    """
    roles = role_names(user)
    if action is Action.PURGE:
        # Nothing is lost by one click: only admins destroy what is in the trash.
        return ADMIN in roles
    if roles & ALL_POSTS_ROLES:
        return True
    if AUTHOR in roles and action not in (Action.PUBLISH, Action.SHARE):
        # Authors work on their own posts only, and may not write one in another's name.
        if post is None:
            return True
        if not _written_by(post, user):
            return False
        # Once an editor has published or scheduled a post, its author may still read it,
        # but changing or removing what readers see is an editor's decision.
        return action in (Action.CREATE, Action.VIEW) or post.status in _AUTHORS_STATUSES
    return False


_AUTHORS_STATUSES = (PostStatus.DRAFT, PostStatus.REVIEW)


def _written_by(post: Post, user: Someone) -> bool:
    # A post being created may name its author by object before author_id is set.
    author_id = post.author.id if post.author is not None else post.author_id
    return author_id == user.id


def require(user: Someone, action: Action, post: Post | None = None) -> None:
    """:raise PermissionDenied: when ``can`` says no."""
    if not can(user, action, post):
        raise PermissionDenied(f"You may not {action.value} this post.")


def can_tag(user: Someone, action: TagAction) -> bool:
    """Whether ``user`` may do ``action`` to tags. Editors and admins manage them; authors
    may make new ones (while tagging their own posts) when ``TAGS_AUTHORS_MAY_CREATE``
    says so, and otherwise pick among the tags that exist."""
    roles = role_names(user)
    if roles & ALL_POSTS_ROLES:
        return True
    if action is TagAction.CREATE and AUTHOR in roles:
        return bool(current_app.config["TAGS_AUTHORS_MAY_CREATE"])
    return False


def require_tag(user: Someone, action: TagAction) -> None:
    """:raise PermissionDenied: when ``can_tag`` says no."""
    if not can_tag(user, action):
        verb = "manage tags" if action is TagAction.MANAGE else "create tags"
        raise PermissionDenied(f"You may not {verb}.")


def admin_scope(user: Someone) -> ColumnElement[bool]:
    """The posts ``user`` may see in the admin, as a WHERE condition (``can(VIEW)`` in SQL)."""
    roles = role_names(user)
    if roles & ALL_POSTS_ROLES:
        return true()
    if AUTHOR in roles:
        return Post.author_id == user.id
    return false()


def may_name_another_author(user: Someone) -> bool:
    """Whether ``user`` may write a post in someone else's name (choose its author)."""
    return bool(role_names(user) & ALL_POSTS_ROLES)


def assignable_authors(user: Someone):
    """The users ``user`` may name as a post's author."""
    if not may_name_another_author(user):
        return select(User).where(User.id == getattr(user, "id", None))
    return (
        select(User)
        .where(User.active.is_(True), User.roles.any(Role.name.in_(STAFF_ROLES)))
        .order_by(User.email)
    )
