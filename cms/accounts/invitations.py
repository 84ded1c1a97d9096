"""Invitations: an admin names a person's address and roles; the person chooses their own
password through a mailed link. The link is signed, expires after ``INVITATION_DAYS``, and
works once: accepting, re-sending or revoking the invitation gives it a new nonce or none.
Until it is accepted the invitee cannot sign in nor get a reset link (``signs_in``).

Nobody ever types another person's password: a user with a password gets a reset link
(``send_reset_link``) instead.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app
from flask_security.recoverable import generate_reset_password_token
from flask_security.utils import _td_format
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import update

from cms import clock
from cms.accounts import mail, service
from cms.accounts.models import Invitation, User
from cms.audit import service as audit
from cms.extensions import db

_SALT = "cms.invitation"
USED = "This invitation has been used already. Log in with the password you chose."
SUBJECT = "You are invited to {site}"


class InvitationError(service.AccountError):
    """What was asked cannot be done to this invitation; the message says why."""


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def token_for(invitation: Invitation) -> str:
    """What the link carries: the invitation's id and current nonce, signed."""
    return _serializer().dumps({"invitation": invitation.id, "nonce": invitation.nonce})


def invite(
    email: str, roles: list[str], *, full_name: str | None = None, by: User | None
) -> Invitation:
    """Create an account without a password and mail its owner a link to choose one
    (not committed).

    :raise AccountError: for an invalid or taken address or an unknown role.
    :raise mail.MailNotSent: when the mail cannot be sent (roll back: nothing is kept).
    """
    user = service.create_user(email, None, roles, full_name=full_name, by=by)
    invitation = Invitation(user=user)
    db.session.add(invitation)
    _send(invitation, "invitation.send", by)
    return invitation


def resend(user: User, *, by: User | None) -> Invitation:
    """A fresh link (and a fresh expiry) for someone who has not chosen a password yet; the
    earlier link stops working. A revoked invitation is renewed and the account reopened.

    :raise InvitationError: when the user has a password already.
    :raise mail.MailNotSent: as ``invite``.
    """
    if user.password:
        raise InvitationError(
            f"{user.email} has already chosen a password; send a password reset link instead."
        )
    invitation = user.invitation
    if invitation is None:
        invitation = Invitation(user=user)
        db.session.add(invitation)
    user.active = True
    _send(invitation, "invitation.resend", by)
    return invitation


def revoke(user: User, *, by: User | None) -> None:
    """End an open invitation: its link stops working, and the account is deactivated so
    that a password reset cannot stand in for the invitation.

    :raise InvitationError: when there is no open invitation.
    """
    invitation = user.invitation
    if invitation is None or invitation.state_at(clock.utcnow()) not in ("pending", "expired"):
        raise InvitationError(f"{user.email} has no open invitation.")
    invitation.revoked_at = clock.utcnow()
    invitation.nonce = None
    user.active = False
    audit.record("invitation.revoke", user, actor=by)


def address_changed(user: User, old_email: str, *, by: User | None) -> str | None:
    """The address of ``user`` changed (not committed): an open invitation's link, mailed to
    the old address, stops working, since whoever reads that mailbox is not who the admin
    means now (a typo, say). The admin re-sends it on purpose, through the button that
    reports a mail failure and is rate-limited; a form save sends no mail.

    :return: what the admin must do next, or None when there was no open invitation.
    """
    invitation = user.invitation
    if invitation is None or invitation.state_at(clock.utcnow()) not in ("pending", "expired"):
        return None
    invitation.nonce = secrets.token_urlsafe(16)
    audit.record("invitation.withdraw", user, {"email": [old_email, user.email]}, actor=by)
    return (
        f"The invitation link mailed to {old_email} no longer works. "
        f"Re-send the invitation to reach {user.email}."
    )


class LinkUnknown(InvitationError):
    """A link this site never made (a mangled or forged token)."""


class LinkGone(InvitationError):
    """A real invitation link that no longer works; the message says why, for the invitee."""


def signs_in(user: User) -> bool:
    """Whether ``user`` may sign in or be mailed a reset link, as far as invitations go: not
    while their invitation is open, expired or revoked (a reset link must not stand in for
    it), only once it is accepted or when they were never invited."""
    invitation = user.invitation
    return invitation is None or invitation.state_at(clock.utcnow()) == "accepted"


def open_link(token: str) -> Invitation:
    """The invitation a link names, while the link works.

    :raise LinkUnknown: for a token we did not sign.
    :raise LinkGone: for a link that was used, re-sent, revoked or has expired.
    """
    try:
        data = _serializer().loads(token)
    except BadSignature:
        raise LinkUnknown("This invitation link is not valid.") from None
    invitation = None
    if isinstance(data, dict) and isinstance(data.get("invitation"), int):
        invitation = db.session.get(Invitation, data["invitation"])
    if invitation is None or not isinstance(data.get("nonce"), str):
        raise LinkUnknown("This invitation link is not valid.")
    state = invitation.state_at(clock.utcnow())
    if state == "accepted":
        raise LinkGone(USED)
    if state == "revoked" or not invitation.user.active:
        raise LinkGone("This invitation was withdrawn. Ask the person who invited you.")
    if invitation.nonce is None or not secrets.compare_digest(invitation.nonce, data["nonce"]):
        raise LinkGone(
            "A newer invitation was sent since this one. Use the link in the latest mail."
        )
    if state == "expired":
        raise LinkGone("This invitation has expired. Ask whoever invited you to send a new one.")
    return invitation


def accept(invitation: Invitation, password: str) -> User:
    """Set the invitee's password (through the password checks) and close the invitation
    (not committed). The caller opened it with ``open_link``.

    :raise AccountError: when the password is too weak; nothing changes then.
    :raise LinkGone: when the link was used meanwhile (roll back: nothing is kept).
    """
    if invitation.nonce is None:  # ``== None`` below would match a closed invitation
        raise LinkGone(USED)
    user = invitation.user
    service.set_password(user, password)  # checks it before anything changes
    user.confirmed_at = user.confirmed_at or service.naive_utcnow()
    # Close it only if the link's nonce is still the stored one, in one statement: of two
    # forms sent at once through the link, the second finds no row (the database makes it
    # wait for the first) instead of setting its password over the first one's.
    closed = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.nonce == invitation.nonce)
        .values(nonce=None, accepted_at=clock.utcnow())
        .execution_options(synchronize_session=False)
    )
    if closed.rowcount != 1:
        raise LinkGone(USED)
    db.session.refresh(invitation)
    audit.record("invitation.accept", user, actor=user)
    return user


def send_reset_link(user: User, *, by: User | None) -> None:
    """Mail ``user`` a link to choose a new password (Flask-Security's reset link), instead
    of an admin typing one. Their current password keeps working until they use it.

    :raise InvitationError: for a user who has no password yet (re-send the invitation).
    :raise mail.MailNotSent: when the mail cannot be sent.
    """
    if not user.password:
        raise InvitationError(
            f"{user.email} has not chosen a password yet; re-send the invitation."
        )
    if not user.active:
        raise InvitationError(f"{user.email} is deactivated; reactivate the account first.")
    token = generate_reset_password_token(user)
    link = mail.external_url("security.reset_password", token=token)
    audit.record("user.reset_link", user, actor=by)
    mail.send(
        "reset_instructions",
        current_app.config["SECURITY_EMAIL_SUBJECT_PASSWORD_RESET"],
        user,
        reset_link=link,
        reset_token=token,
        within=_td_format(current_app.config["SECURITY_RESET_PASSWORD_WITHIN"]),
    )


def _send(invitation: Invitation, action: str, by: User | None) -> None:
    now = clock.utcnow()
    invitation.nonce = secrets.token_urlsafe(16)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=current_app.config["INVITATION_DAYS"])
    invitation.accepted_at = None
    invitation.revoked_at = None
    invitation.invited_by = by
    db.session.flush()  # the id goes into the link
    token = token_for(invitation)
    audit.record(action, invitation.user, {"expires_at": invitation.expires_at}, actor=by)
    mail.send(
        "invite",
        SUBJECT.format(site=current_app.config["SITE_NAME"]),
        invitation.user,
        invite_link=mail.external_url("invitations.accept", token=token),
        invited_by=by,
        expires_at=invitation.expires_at,
        roles=sorted(invitation.user.role_names),
    )
