"""The one way mail leaves the app. Flask-Security renders every mail (password reset and
its notices, and any other mail sent with ``flask_security.send_mail``) and hands it to
``MailUtil`` here.

In a request, a mail is queued once the answer has been sent, and a daemon thread (the
``courier``) delivers it: no answer waits for the mail server, fails with it, or takes longer
for having a mail to send. One queue and one thread, rather than a thread per mail or the
sending itself after the answer, keep a slow mail server from piling up threads or holding
a web worker.

Outside a request (the CLI, scripts), and with ``MAIL_SEND_IN_BACKGROUND`` off (the tests),
mail is sent at once. Either way a failure is logged with its recipient and error, never the
message (it holds tokens), and never raised.

At exit the process waits up to twice ``MAIL_TIMEOUT`` for the queue to empty, then logs the
recipients of what is left. A killed process loses its queue without a word.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from typing import Any

import flask_security
from flask import Flask, Response, after_this_request, current_app, has_request_context
from flask_mailman import EmailMultiAlternatives

log = logging.getLogger(__name__)

#: Mails waiting at most; past that a mail is dropped (and logged) rather than holding memory
#: while the mail server is away.
QUEUE_CAPACITY = 1000


def _to(message: EmailMultiAlternatives) -> str:
    return ", ".join(str(address) for address in message.to)


def deliver(template: str, message: EmailMultiAlternatives) -> bool:
    """Send ``message`` now, in the current app's context; log and swallow any failure.
    True if the backend took it."""
    try:
        with current_app.extensions["mailman"].get_connection() as connection:
            connection.send_messages([message])
    except Exception as error:  # SMTP, network, a bad folder: whatever it is, the caller goes on
        log.error(
            "Could not send the %s mail to %s: %s: %s",
            template,
            _to(message),
            type(error).__name__,
            error,
        )
        return False
    return True


class Courier:
    """A queue of mails and the daemon thread that delivers them, one per process."""

    def __init__(self, capacity: int = QUEUE_CAPACITY) -> None:
        self._capacity = capacity
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.Queue = queue.Queue(capacity)
        self._in_hand: tuple[Flask, str, EmailMultiAlternatives] | None = None
        #: How long the process waits at exit for the queue to empty.
        self.exit_grace: float = 20

    def post(self, app: Flask, template: str, message: EmailMultiAlternatives) -> None:
        """Queue ``message`` for delivery; never blocks."""
        self._ensure_running()
        # Time for one mail to fail against a hanging server (connect, then each command).
        self.exit_grace = 2 * app.config["MAIL_TIMEOUT"]
        try:
            self._queue.put_nowait((app, template, message))
        except queue.Full:
            log.error(
                "Could not send the %s mail to %s: %d mails are already waiting",
                template,
                _to(message),
                self._capacity,
            )

    def wait_until_idle(self, timeout: float) -> bool:
        """Wait until every queued mail was handled (or ``timeout`` seconds passed)."""
        deadline = time.monotonic() + timeout
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._queue.all_tasks_done.wait(remaining)
        return True

    def drain(self, timeout: float) -> None:
        """At exit: give the queue ``timeout`` seconds, then log what will not be sent."""
        if self.wait_until_idle(timeout):
            return
        in_hand = self._in_hand
        if in_hand is not None:
            _, template, message = in_hand
            log.error("The %s mail to %s was still being sent at exit", template, _to(message))
        while True:
            try:
                _, template, message = self._queue.get_nowait()
            except queue.Empty:
                break
            self._queue.task_done()
            log.error("Could not send the %s mail to %s before exit", template, _to(message))

    def _ensure_running(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            # First use in this process, or a forked child (its parent's thread is gone, and
            # the parent's queue may have been copied mid-operation).
            self._pid = os.getpid()
            self._queue = queue.Queue(self._capacity)
            threading.Thread(target=self._work, name="cms-mail", daemon=True).start()

    def _work(self) -> None:
        jobs = self._queue
        while True:
            job = jobs.get()
            self._in_hand = job
            app, template, message = job
            try:
                with app.app_context():
                    deliver(template, message)
            except Exception:  # the thread must outlive any one mail
                log.exception("Could not send the %s mail to %s", template, _to(message))
            finally:
                self._in_hand = None
                jobs.task_done()

    def at_exit(self) -> None:
        # Daemon threads still run while atexit handlers do; the interpreter stops them after.
        if self._pid == os.getpid():
            self.drain(self.exit_grace)


courier = Courier()
atexit.register(courier.at_exit)


class MailNotDelivered(RuntimeError):
    """A mail asked to go at once (``send_at_once=True``) was not taken by the backend."""


class MailUtil(flask_security.MailUtil):
    """Flask-Security's mail hook: builds the message, then queues or sends it."""

    def send_mail(
        self,
        template: str,
        subject: str,
        recipient: str | tuple[str, str],
        sender: str | tuple[str, str],
        body: str | None,
        html: str | None,
        **kwargs: Any,
    ) -> bool | None:
        """Queue the mail (in a request) or send it at once; True or False says whether the
        backend took a mail sent at once, None that it was queued.

        A caller whose person waits for the outcome (an admin sending an invitation) passes
        ``send_at_once=True`` in the mail's context: the mail then goes now, and a failure
        raises ``MailNotDelivered`` after it is logged, so nothing is kept for a mail that
        never left.
        """
        at_once = bool(kwargs.get("send_at_once"))
        if isinstance(sender, tuple):
            sender = f"{sender[0]} <{sender[1]}>"
        message = EmailMultiAlternatives(str(subject), body, str(sender), [recipient])
        if html:
            message.attach_alternative(html, "text/html")
        app = current_app._get_current_object()
        if has_request_context() and app.config["MAIL_SEND_IN_BACKGROUND"] and not at_once:

            @after_this_request
            def post_once_answered(response: Response) -> Response:
                # Queued only once the answer is out, so that sending takes none of its time.
                response.call_on_close(lambda: courier.post(app, template, message))
                return response

            return None
        delivered = deliver(template, message)
        if at_once and not delivered:
            raise MailNotDelivered(f"The {template} mail to {_to(message)} was not sent.")
        return delivered
