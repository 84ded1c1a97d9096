"""The one way out for mail (cms/mail.py): sent outside the request, failures logged and
never answered with an error, mail left in the queue delivered when the process exits."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from flask_mailman import EmailMultiAlternatives
from flask_security.signals import reset_password_instructions_sent

from cms import mail
from tests.browser.mailbox import Mailbox, SMTPServer, free_port
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[1]
NEW_PASSWORD = "a brand new secret"
CHANGE = {"password": PASSWORD, "new_password": NEW_PASSWORD, "new_password_confirm": NEW_PASSWORD}


class HeldMailbox(Mailbox):
    """A mail server that takes each message but answers only once the test releases it."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()  # a message's DATA has come in
        self.released = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.sending.set()
        await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 60)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def held_server():
    mailbox = HeldMailbox()
    try:
        with SMTPServer(mailbox) as server:
            yield server
    finally:
        mailbox.released.set()


@pytest.fixture
def mail_log(caplog):
    """What cms/mail.py logged."""
    caplog.set_level(logging.INFO, logger="cms.mail")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "cms.mail"]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_reset_and_change_answer_while_the_mail_server_holds_their_mails(
    client, users, send_mail_to, held_server
):
    send_mail_to(held_server.port, background=True)

    reset = client.submit("/reset", {"email": "author@example.com"})
    client.login("editor@example.com")
    changed = client.submit("/change", CHANGE)

    assert reset.status_code == 200
    assert changed.status_code == 302
    assert client.get("/admin/").status_code == 200  # still logged in
    assert held_server.mailbox.messages == []
    held_server.mailbox.released.set()
    assert "/reset/" in text_of(held_server.mailbox.wait_for("author@example.com"))
    assert "password has been changed" in text_of(
        held_server.mailbox.wait_for("editor@example.com")
    )


@pytest.mark.parametrize("in_background", [False, True], ids=["in-request", "background"])
def test_a_failed_mail_is_logged_with_recipient_and_error_never_the_token(
    app, client, users, send_mail_to, mail_log, in_background
):
    send_mail_to(free_port(), background=in_background)  # nothing listens there
    tokens = []

    def keep_token(sender, token, **extra):
        tokens.append(token)

    with reset_password_instructions_sent.connected_to(keep_token, app):
        response = client.submit("/reset", {"email": "author@example.com"})
        mail.courier.wait_until_idle(timeout=30)

    assert response.status_code == 200
    [token] = tokens
    [line] = mail_log()
    assert "author@example.com" in line
    assert "ConnectionRefusedError" in line
    assert token not in line


def test_changing_a_password_while_the_mail_server_is_down_keeps_you_logged_in(
    client, users, send_mail_to, mail_log, can_log_in
):
    send_mail_to(free_port())
    client.login("author@example.com")

    response = client.submit("/change", CHANGE)

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert can_log_in("author@example.com", NEW_PASSWORD)
    assert not can_log_in("author@example.com", PASSWORD)
    [line] = mail_log()
    assert "author@example.com" in line
    assert "Connection refused" in line


def test_the_file_backend_writes_mails_to_the_instance_folder_by_default(make_app, tmp_path):
    app = make_app({}, environ={"CMS_CONFIG": "testing", "MAIL_BACKEND": "file"})
    assert app.config["MAIL_FILE_PATH"] == str(Path(app.instance_path) / "mail")

    # Sent into a folder of the test's own, not the checkout's instance/.
    app.config["MAIL_FILE_PATH"] = str(tmp_path / "mail")
    app.extensions["mailman"].file_path = app.config["MAIL_FILE_PATH"]
    with app.test_request_context():
        app.extensions["security"].mail_util.send_mail(
            "notice", "Hello", "someone@example.com", "cms@example.com", "Hi there", None
        )

    [written] = (tmp_path / "mail").iterdir()
    assert "To: someone@example.com" in written.read_text()


def message_to(recipient: str) -> EmailMultiAlternatives:
    return EmailMultiAlternatives("Hello", "Hi there", "cms@example.com", [recipient])


def test_at_exit_the_courier_reports_the_mails_it_could_not_send(
    app, send_mail_to, held_server, mail_log
):
    send_mail_to(held_server.port)
    courier = mail.Courier(capacity=1)
    courier.post(app, "notice", message_to("first@example.com"))
    assert held_server.mailbox.sending.wait(30)  # the first is on its way
    courier.post(app, "notice", message_to("second@example.com"))
    courier.post(app, "notice", message_to("third@example.com"))  # the queue is full

    courier.drain(timeout=0)
    held_server.mailbox.released.set()

    assert held_server.mailbox.wait_for("first@example.com")
    log = "\n".join(mail_log())
    assert "third@example.com" in log  # refused: the queue was full
    assert "second@example.com" in log  # still queued at exit
    courier.wait_until_idle(timeout=30)


EXITING_SCRIPT = """
import sys
from cms import create_app
from cms.extensions import security

app = create_app(
    {"MAIL_BACKEND": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": int(sys.argv[1]),
     "MAIL_SEND_IN_BACKGROUND": True},
    environ={"CMS_CONFIG": "testing"},
)

@app.get("/send")
def send():
    security.mail_util.send_mail(
        "notice", "Hello", "leaving@example.com", "cms@example.com", "Hi there", None
    )
    return "sent"

with app.test_client().get("/send") as response:  # closed, as a server closes it
    assert response.text == "sent"
print("answered", flush=True)
"""


def test_a_mail_still_queued_when_the_process_exits_is_delivered(held_server):
    process = subprocess.Popen(
        [sys.executable, "-c", EXITING_SCRIPT, str(held_server.port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout.readline() == "answered\n"
        assert held_server.mailbox.messages == []
        held_server.mailbox.released.set()
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        process.stdout.close()

    assert held_server.mailbox.to("leaving@example.com")
