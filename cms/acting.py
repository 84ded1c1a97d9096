"""Who is acting, from which address and through which door.

Set once per request (``begin_request``, a ``before_request`` hook) and, outside any
request, the CLI's. The audit log and revisions read it from here, or take the acting
user as a typed argument; no service reads the request or the session itself.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask import g, has_request_context, request
from flask_login import current_user

from cms.accounts.models import User


class Door(enum.StrEnum):
    """How a change came in; stored as the audit entry's ``source``."""

    DASHBOARD = "admin"  # the admin and its account screens (login, reset, ...)
    SITE = "site"  # the public site, share links included
    CLI = "cli"  # ``flask cms ...``, acting as the system
    API = "api"  # the JSON API, with a personal token (``cms.api.auth``)


@dataclass(frozen=True)
class Acting:
    door: Door
    ip: str | None = None
    user: User | None = None
    #: The name of the API token the request came with (``Door.API`` only).
    token_name: str | None = None


_CLI = Acting(Door.CLI)


def begin_request() -> None:
    """Note this request's door and address."""
    door = Door.SITE if request.blueprint == "public" else Door.DASHBOARD
    g.acting = Acting(door, request.remote_addr)


def current() -> Acting:
    """The acting context now: the request's, with whoever is signed in at this moment
    (a login changes that mid-request), or the CLI's."""
    if not has_request_context():
        return _CLI
    base = g.get("acting") or Acting(Door.DASHBOARD, request.remote_addr)
    # Not ``is_authenticated``: Flask-Login ties it to ``active``, and an admin who just
    # unticked their own "active" box is still the one acting.
    signed_in = current_user._get_current_object()
    if not isinstance(signed_in, User):
        return base
    return Acting(base.door, base.ip, signed_in)


def user() -> User | None:
    """The signed-in user acting now, as the row itself (never Flask-Login's proxy), so
    services may store it in a relationship."""
    return current().user
