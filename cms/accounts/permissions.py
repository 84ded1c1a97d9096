"""Who may open the dashboard and who may manage accounts.

Rules about posts live in ``cms.posts.policy``; both start from the role names here.
"""

from __future__ import annotations

from typing import TypeAlias

from flask_login import AnonymousUserMixin

from cms.accounts.models import User
from cms.accounts.roles import ADMIN, STAFF_ROLES

#: Whoever a rule may be asked about: a user, an anonymous visitor, or nobody at all.
Someone: TypeAlias = User | AnonymousUserMixin | None


def role_names(user: Someone) -> frozenset[str]:
    """The roles that count for ``user``: none for anonymous or deactivated users."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    if not getattr(user, "active", False):
        return frozenset()
    return user.role_names


def is_staff(user: Someone) -> bool:
    """May open the admin dashboard."""
    return bool(role_names(user) & STAFF_ROLES)


def can_manage_accounts(user: Someone) -> bool:
    """May list, create, change and deactivate users, and manage roles."""
    return ADMIN in role_names(user)


def may_revoke_token(user: Someone, token) -> bool:
    """May revoke ``token`` (a ``cms.tokens.models.ApiToken``): its owner, or an admin, who
    manages accounts and so may cut off a program acting as any of them."""
    if can_manage_accounts(user):
        return True
    return getattr(user, "is_authenticated", False) and user.id == token.user_id
