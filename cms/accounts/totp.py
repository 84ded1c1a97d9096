"""Authenticator codes work once: Flask-Security's ``Totp`` checks codes, but leaves it to
the app to remember the last one used (its ``get_last_counter`` returns None)."""

from __future__ import annotations

from flask_security import Totp
from flask_security.proxies import _datastore
from passlib.totp import TokenError

#: The answer to a right code of a step already used (the person logs in again within the
#: same 30 seconds), instead of "Invalid code".
USED_ALREADY = "This code was used already. Wait for the next code from your authenticator app."


class OneTimeTotp(Totp):
    """Refuses a code of a 30-second step at or before the last one the user gave with
    their authenticator (passlib compares them), so a code seen over someone's shoulder
    cannot be typed again. The acceptance window stays Flask-Security's."""

    def verify_totp(self, token: str, totp_secret: str, user, window: int = 0) -> bool:
        try:
            match = self._totp.verify(
                token, totp_secret, window=window, last_counter=self._last_step(totp_secret, user)
            )
        except TokenError:
            return False
        # Committed by Flask-Security's view, with the login or the setup it completes.
        user.totp_last_counter = match.counter
        _datastore.put(user)
        return True

    def used_already(self, token: str, totp_secret: str, user, window: int) -> bool:
        """Whether ``verify_totp`` refused ``token`` only because its step was used: the
        code is right, and the person must wait for the next one rather than check it."""
        last_step = self._last_step(totp_secret, user)
        if last_step is None:
            return False
        try:
            match = self._totp.verify(token, totp_secret, window=window)
        except TokenError:
            return False
        return match.counter <= last_step

    @staticmethod
    def _last_step(totp_secret: str, user) -> int | None:
        # A secret other than the stored one is being set up (a new phone): the steps
        # used with the old one say nothing about its codes.
        return None if totp_secret != user.tf_totp_secret else user.totp_last_counter
