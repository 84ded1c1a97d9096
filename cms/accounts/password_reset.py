"""'Forgot password' costs the same whether or not the address has an account."""

from __future__ import annotations

from flask_security import ForgotPasswordForm, hash_password


class EvenForgotPasswordForm(ForgotPasswordForm):
    """Flask-Security's form, with the one slow step of the unknown-address path added to
    the known one.

    For an address without an active account Flask-Security's view hashes a dummy password
    (bcrypt, ``BCRYPT_ROUNDS``) to stand in for the work of a real request. A real request's
    work is queuing a mail and a token whose hash is fast (``SECURITY_HASHING_SCHEMES``), so
    without this the dummy alone would take time, and the slower answer would be the one for
    an address nobody uses.
    """

    def validate(self, **kwargs) -> bool:
        valid = super().validate(**kwargs)
        if valid:
            hash_password("not-a-password")  # the same call as Flask-Security's stand-in
        return valid
