"""Steps for the invitation tests: invite in the dashboard, read the mailed link, accept it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from cms.accounts.models import Role
from cms.extensions import db

LINK = re.compile(r"https?://[^\s\"<>]+/invitation/[^\s\"<>]+")


def role_ids(*names: str) -> list[str]:
    ids = db.session.scalars(db.select(Role.id).where(Role.name.in_(names))).all()
    assert len(ids) == len(names)
    return [str(role_id) for role_id in ids]


def invite(admin, email: str, roles=(), full_name: str = ""):
    """Fill in and send the dashboard's invite form as an admin."""
    return admin.submit(
        "/admin/users/invite/", {"email": email, "full_name": full_name, "roles": list(roles)}
    )


def link_in(message) -> str:
    """The invitation link of a mail, as the plain-text part has it."""
    found = LINK.findall(message.body)
    assert found, f"no invitation link in: {message.body}"
    return found[0]


def path_of(link: str) -> str:
    return urlsplit(link).path


def mails_to(outbox, email: str) -> list:
    return [message for message in outbox if email in message.to]


def accept(client, link: str, password: str, confirm: str | None = None):
    """Send the invitation page's form, as the invitee does (also to a link that no longer
    shows the form, as a tab left open would)."""
    return client.post_with_token(
        path_of(link),
        {"password": password, "password_confirm": password if confirm is None else confirm},
    )
