"""The admin dashboard at /admin, on Flask-Admin."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask_admin import Admin
from flask_admin import helpers as admin_helpers
from flask_admin.menu import MenuLink
from flask_admin.theme import Bootstrap4Theme
from markupsafe import Markup

from cms.accounts.models import Role, User
from cms.accounts.permissions import is_staff
from cms.admin.accounts import RoleAdmin, UserAdmin
from cms.admin.audit import AuditLogView
from cms.admin.dashboard import DashboardView
from cms.admin.posts import PostAdmin, TrashAdmin
from cms.admin.profile import ProfileView
from cms.admin.tags import TagAdmin
from cms.admin.tokens import TokensView
from cms.audit.models import AuditEntry
from cms.extensions import db, security
from cms.headers import csp_nonce
from cms.posts.models import Post
from cms.tags.models import Tag


def admin_layout_context() -> dict:
    """Flask-Security's screens (login, reset, change password) and the 429 page render
    inside the admin's layout, so they need what Flask-Admin gives its own templates.

    Registered once, at import: ``security`` is shared by every app this process creates,
    so the admin must be looked up on the current app, not captured from the first one.
    """
    admin = current_app.extensions["admin"][0]
    return {
        "admin_base_template": admin.theme.base_template,
        "admin_view": admin.index_view,
        "theme": admin.theme,
        "h": admin_helpers,
        "get_url": url_for,
        # The layout's scripts carry the nonce here too, as on Flask-Admin's own pages.
        "admin_csp_nonce_attribute": Markup('nonce="{}"').format(csp_nonce()),
    }


security.context_processor(admin_layout_context)


def admin_static_url(admin_endpoint: str, **args) -> str:
    """The URL of one of Flask-Admin's own files (``templates/admin/static.html``), built
    once per app and script root and then reused: they never change while it runs."""
    urls = current_app.extensions.setdefault("cms_admin_static_urls", {})
    key = (request.script_root, admin_endpoint, *sorted(args.items()))
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for(f"{admin_endpoint}.static", **args)
    return url


def init_admin(app: Flask) -> Admin:
    """Create this app's own ``Admin`` (one shared across apps would keep the first app)."""
    admin = Admin(
        app,
        name=app.config["SITE_NAME"],
        theme=Bootstrap4Theme(base_template="admin/cms_base.html"),
        index_view=DashboardView(name="Dashboard", url="/admin"),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(PostAdmin(Post, db, name="Posts", endpoint="posts"))
    admin.add_view(TrashAdmin(Post, db, name="Trash", endpoint="trash"))
    admin.add_view(TagAdmin(Tag, db, name="Tags", endpoint="tags"))
    admin.add_view(UserAdmin(User, db, name="Users", endpoint="users", category="Accounts"))
    admin.add_view(RoleAdmin(Role, db, name="Roles", endpoint="roles", category="Accounts"))
    admin.add_view(AuditLogView(AuditEntry, db, name="Audit log", endpoint="audit"))
    admin.add_view(ProfileView(name="Your profile", endpoint="profile", url="/admin/profile"))
    admin.add_view(TokensView(name="API tokens", endpoint="api_tokens", url="/admin/tokens"))
    admin.add_link(MenuLink(name="View site", url="/"))
    app.add_template_global(admin_static_url)
    app.add_template_global(
        is_staff
    )  # the account menu offers "Your profile" and "API tokens" to staff

    return admin
