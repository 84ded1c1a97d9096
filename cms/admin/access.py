"""Who may open which admin view, and what a refused visitor sees."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_security import current_user

from cms.accounts.permissions import can_manage_accounts, is_staff


class StaffOnly:
    """Mixed into every admin view: staff only; anonymous visitors go to login and back."""

    def allows(self, user) -> bool:
        return is_staff(user)

    def is_accessible(self) -> bool:
        return self.allows(current_user)

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("security.login", next=request.full_path.rstrip("?")))
        abort(403)


class AdminsOnly(StaffOnly):
    def allows(self, user) -> bool:
        return can_manage_accounts(user)
