"""The one password rule, for every door: Flask-Security's forms (change, reset, register)
and the account service (dashboard, invitations, CLI) all come through here."""

from __future__ import annotations

from typing import Any

from flask_security import PasswordUtil


def personal_inputs(email: str | None, name: str | None) -> dict[str, str]:
    """What zxcvbn compares a password against: the address, its mailbox (zxcvbn matches
    whole inputs only) and the name.

    Only these, not the whole user: Flask-Admin leaves the typed password on the row, and
    zxcvbn would then refuse any password for resembling itself.
    """
    address = email or ""
    about = {"email": address, "mailbox": address.partition("@")[0], "name": name}
    return {key: value for key, value in about.items() if value}


class CMSPasswordUtil(PasswordUtil):
    """Long enough, and hard to guess by zxcvbn's measure given who the account is."""

    def validate(self, password: str, is_register: bool, **kwargs: Any) -> tuple[list | None, str]:
        # Flask-Security passes the registration form's fields, or (change, reset) the user.
        user = None if is_register else kwargs.get("user")
        email = kwargs.get("email") or getattr(user, "email", None)
        name = kwargs.get("full_name") or getattr(user, "full_name", None)
        # True: zxcvbn then takes exactly these inputs rather than the user's attributes.
        return super().validate(password, True, **personal_inputs(email, name))
