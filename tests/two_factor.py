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


def code_for(key: str, *, seconds_ago: int = 0) -> str:
    """The code an authenticator app shows now (or showed earlier) for this key."""
    return TOTP(key=key, format="base32").generate(time.time() - seconds_ago).token


def enrolment_code_for(key: str) -> str:
    return code_for(key, seconds_ago=30)


def wrong_code_for(key: str) -> str:
    return f"{(int(code_for(key)) + 500_000) % 1_000_000:06d}"


def start_setup(client: CMSClient) -> tuple[str, str, str]:
    """Choose the authenticator on /tf-setup: the key shown, where the code goes, and the
    CSRF token of the code form."""
    page = client.submit("/tf-setup", {"setup": "authenticator"})
    assert page.status_code == 200, page.status_code
    text = page.get_data(as_text=True)
    key = html.unescape(_KEY.search(text).group(1))
    action = html.unescape(_CODE_FORM.search(text).group(1))
    return key, action, csrf_token_in(text)


def enroll(client: CMSClient) -> str:
    """Set up an authenticator (during a login or from the account menu); its key.

    With the previous 30 seconds' code (still accepted): a code works once, so the current
    one is left for the next login."""
    key, action, token = start_setup(client)
    response = client.post(action, data={"csrf_token": token, "code": enrolment_code_for(key)})
    assert response.status_code == 302, response.get_data(as_text=True)
    return key


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
