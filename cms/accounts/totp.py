"""Authenticator codes work once: Flask-Security's ``Totp`` checks codes, but leaves it to
the app to remember the last one used (its ``get_last_counter`` returns None)."""

from __future__ import annotations

from flask_security import Totp
from flask_security.proxies import _datastore
from passlib.totp import TokenError


class OneTimeTotp(Totp):
    """Refuses a code of a 30-second step at or before the last one the user gave with
    their authenticator (passlib compares them), so a code seen over someone's shoulder
    cannot be typed again. The acceptance window stays Flask-Security's."""

    def verify_totp(self, token: str, totp_secret: str, user, window: int = 0) -> bool:
        # A secret other than the stored one is being set up (a new phone): the steps
        # used with the old one say nothing about its codes.
        setting_up = totp_secret != user.tf_totp_secret
        last_counter = None if setting_up else user.totp_last_counter
        try:
            match = self._totp.verify(token, totp_secret, window=window, last_counter=last_counter)
        except TokenError:
            return False
        # Committed by Flask-Security's view, with the login or the setup it completes.
        user.totp_last_counter = match.counter
        _datastore.put(user)
        return True
