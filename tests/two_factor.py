"""Two-factor sign-in as a person does it: read the key the setup page shows, and compute
the authenticator app's code from it (passlib.totp, as Flask-Security itself does)."""

from __future__ import annotations

import html
import re
import secrets
import time

from passlib.totp import TOTP

from tests.client import CMSClient, csrf_token_in

_KEY = re.compile(r'id="authenticator-key">([^<]+)<')
_CODE_FORM = re.compile(r'<form action="([^"]+)" method="post" name="two_factor_verify_code_form">')
_RECOVERY_CODES = re.compile(r'<ul id="recovery-codes"[^>]*>(.*?)</ul>', re.DOTALL)


#: The length of a code's step, in seconds (passlib's default, and Flask-Security's).
PERIOD = 30


def current_step() -> int:
    """The 30-second step of now, by passlib's clock (which ``totp_clock`` pins)."""
    return int(TOTP.now()) // PERIOD


def code_for(key: str, *, seconds_ago: int = 0) -> str:
    """The code an authenticator app shows now (or showed earlier) for this key. For tests
    of the accepted window; a person's codes come from an ``Authenticator``."""
    return TOTP(key=key, format="base32").generate(TOTP.now() - seconds_ago).token


class Authenticator:
    """The authenticator app on someone's phone, and the person reading it.

    A code works once (cms.accounts.totp). A person whose code was just used waits for the
    next one; this phone shows the next step's code at once instead, which the server takes
    (it accepts one step either side of its own, for phones whose clock is off). So the code
    is the one of now, never one of a step about to leave the server's window: a code of the
    previous step is refused if the server's step changes between reading and checking.
    Only a third code within one step waits, for the step to end.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._totp = TOTP(key=key, format="base32")
        self.last_step: int | None = None

    def code(self) -> str:
        """A code not shown before: the one of now, or of the step after the last one shown."""
        now = current_step()
        step = now if self.last_step is None else max(now, self.last_step + 1)
        if step > now + 1:
            _wait_for_step(step - 1)
        self.last_step = step
        return self._code_of(step)

    def wrong_code(self) -> str:
        """Six digits that are none of the codes the server accepts now (nor soon)."""
        now = current_step()
        near = {self._code_of(step) for step in range(now - 2, now + 4)}
        guess = int(self._code_of(now))
        while f"{guess:06d}" in near:
            guess = (guess + 500_000 + 1) % 1_000_000
        return f"{guess:06d}"

    def _code_of(self, step: int) -> str:
        return self._totp.generate(step * PERIOD).token


def _wait_for_step(step: int) -> None:
    """Sleep until ``step`` begins, as a person waits for their app's next code."""
    time.sleep(max(0.0, step * PERIOD - TOTP.now()) + 0.1)  # past the boundary, not on it
    if current_step() < step:
        raise AssertionError("the authenticator's clock is pinned: move it to the next step")


def start_setup(client: CMSClient) -> tuple[str, str, str]:
    """Choose the authenticator on /tf-setup: the key shown, where the code goes, and the
    CSRF token of the code form."""
    page = client.submit("/tf-setup", {"setup": "authenticator"})
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    key = html.unescape(_KEY.search(text).group(1))
    action = html.unescape(_CODE_FORM.search(text).group(1))
    return key, action, csrf_token_in(text)


def enroll(client: CMSClient) -> Authenticator:
    """Set up an authenticator (during a login or from the account menu); the phone."""
    key, action, token = start_setup(client)
    phone = Authenticator(key)
    response = client.post(action, data={"csrf_token": token, "code": phone.code()})
    assert response.status_code == 302, response.get_data(as_text=True)
    return phone


def give_code(client: CMSClient, code: str):
    """The second step of a login: the code form, after the password."""
    return client.submit("/tf-validate", {"code": code})


def generate_recovery_codes(client: CMSClient) -> list[str]:
    page = client.submit("/mf-recovery-codes", {"generate_new_codes": "1"})
    found = _RECOVERY_CODES.search(page.get_data(as_text=True))
    assert found, "no recovery codes on the page"
    return re.findall(r"<li>([^<]+)</li>", found.group(1))


def add_security_key(user, name: str = "blue key"):
    """A security key registered by ``user``, as Flask-Security stores one (the browser
    journey registers real ones; a test client cannot sign with it)."""
    from cms import clock
    from cms.accounts.models import WebAuthn

    key = WebAuthn(
        credential_id=secrets.token_bytes(16),
        public_key=b"a public key",
        sign_count=0,
        transports=["usb"],
        backup_state=False,
        device_type="single_device",
        lastuse_datetime=clock.utcnow().replace(tzinfo=None),
        name=name,
        usage="secondary",
    )
    user.webauthn.append(key)
    return key
