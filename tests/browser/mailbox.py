"""A real SMTP server for the browser tests: the app sends over SMTP, the tests read what
arrived here."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """Keeps every message the SMTP server accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._arrived = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted"

    def wait_for(self, to: str, timeout: float = 10) -> EmailMessage:
        """The first message to ``to``, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for message in self.messages:
                    if to in message["To"]:
                        return message
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no mail to {to} arrived within {timeout} s"
                self._arrived.wait(remaining)

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


class SMTPServer:
    def __init__(self, mailbox: Mailbox | None = None) -> None:
        # aiosmtpd logs every SMTP command at INFO; a failing test's report needs none of it.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.mailbox = mailbox or Mailbox()
        self.port = free_port()
        # aiosmtpd's own default host is ::1, and port 0 does not work: name both.
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SMTPServer:
        self._controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self._controller.stop()
