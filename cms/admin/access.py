"""Who may open which admin view, and what a refused visitor sees."""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for
from flask_security import current_user

from cms.accounts import two_factor
from cms.accounts.permissions import can_manage_accounts, is_staff


class StaffOnly:
    """Mixed into every admin view: staff only; anonymous visitors go to login and back."""

    def allows(self, user) -> bool:
        return is_staff(user)

    def is_accessible(self) -> bool:
        # Asked for every view of the menu on every page: answered once per request for
        # each rule (staff, admins), which says the same for every view that shares it.
        answers = g.setdefault("cms_admin_access", {})
        rule = type(self).allows
        if rule not in answers:
            answers[rule] = self.allows(current_user) and not self._must_enroll()
        return answers[rule]

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("security.login", next=request.full_path.rstrip("?")))
        if self._must_enroll():
            flash("Your role requires two-factor sign-in: set it up to continue.", "warning")
            return redirect(url_for("security.two_factor_setup"))
        abort(403)

    @staticmethod
    def _must_enroll() -> bool:
        # Login already sends such users to set it up before signing them in; this catches
        # sessions that began before the requirement (a new role, an admin's reset).
        return current_user.is_authenticated and two_factor.must_enroll(current_user)


class AdminsOnly(StaffOnly):
    def allows(self, user) -> bool:
        return can_manage_accounts(user)
