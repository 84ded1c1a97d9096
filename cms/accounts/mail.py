"""Mails about a person's account, sent through Flask-Security's mail machinery (its
templates, its ``MailUtil``), with links that name the site's public address."""

from __future__ import annotations

from flask import current_app, has_request_context, url_for
from flask_security.utils import send_mail

from cms.accounts.models import User
from cms.mail import MailNotDelivered


class MailNotSent(RuntimeError):
    """The mail server did not take the message; the message says so in a sentence."""


def external_url(endpoint: str, **values) -> str:
    """An absolute link for a mail: on ``SERVER_NAME``, never the host of the request that
    happens to send it (the scheme is ``PREFERRED_URL_SCHEME``, as ``CMSFlask.url_for``
    gives every absolute link).

    :raise MailNotSent: outside a request when ``SERVER_NAME`` is not set.
    """
    if not has_request_context() and not current_app.config.get("SERVER_NAME"):
        raise MailNotSent("Set SERVER_NAME (the site's public host) so mails can link to it.")
    return url_for(endpoint, _external=True, **values)


def send(template: str, subject: str, user: User, **context) -> None:
    """Send ``security/email/<template>.txt`` and ``.html`` to ``user`` now, while the admin
    who asked waits: a failure (logged by ``cms.mail``) is theirs to hear of at once.

    :raise MailNotSent: when the mail server refuses or cannot be reached.
    """
    try:
        send_mail(
            subject,
            user.email,
            f"security/email/{template}",
            user=user,
            send_at_once=True,
            **context,
        )
    except MailNotDelivered as error:
        raise MailNotSent(
            f"The mail to {user.email} could not be sent (the mail server did not take it)."
        ) from error
