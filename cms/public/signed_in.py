"""Who is signed in, as far as the public pages need to know: whether anyone is.

The public pages are the same for every reader but for the header's Dashboard link. Yet,
out of the box, a signed-in reader's page loads their account (a query joining its roles,
and the ORM objects) twice over: Flask-Principal's identity, which Flask-Security loads
before every request, and Flask-Login's ``current_user``, which its context processor
loads for every template rendered. That was a third of a post page's time.

So, on the public blueprint, no identity is loaded (no public view checks a permission),
and templates get ``current_user`` as Flask-Login's lazy proxy, which loads the account
only when a template reads it: the dashboard's templates do, the public ones do not. The
Dashboard link asks ``someone_signed_in()``, which reads the session: a session whose
account was deactivated or signed out elsewhere since still shows the link, which then
leads to the login page, as the dashboard itself would.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import current_user
from flask_login.utils import _user_context_processor

#: Where Flask-Login keeps the signed-in account's id in the session.
_SESSION_USER_KEY = "_user_id"


def someone_signed_in() -> bool:
    """Whether this request's session names an account (not loaded: see the module)."""
    return _SESSION_USER_KEY in session


def _lazy_current_user() -> dict:
    return {"current_user": current_user}


def leave_accounts_unloaded(app: Flask, blueprint: str) -> None:
    """Load no account for the pages of ``blueprint``, unless a template asks for it.

    Replaces two hooks the extensions installed (found by identity, so a version that
    renames them fails here, at start-up, rather than silently loading accounts again).
    """
    principal = app.extensions["security"].principal
    identity = principal._on_before_request

    def identity_outside(blueprint_name=blueprint) -> None:
        if request.blueprint != blueprint_name:
            identity()

    hooks = app.before_request_funcs[None]
    hooks[hooks.index(identity)] = identity_outside
    processors = app.template_context_processors[None]
    processors[processors.index(_user_context_processor)] = _lazy_current_user
    app.jinja_env.globals["someone_signed_in"] = someone_signed_in
