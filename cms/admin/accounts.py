"""Users and roles in the admin: admins only.

The user list never shows password hashes or ``fs_uniquifier``, and no form here takes a
password: new people are invited (``cms.admin.invitations``) and choose their own.
"""

from __future__ import annotations

from flask import flash, redirect, request
from flask_admin import expose
from flask_admin.helpers import is_form_submitted
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import TextAreaField
from wtforms.validators import ValidationError

from cms import acting
from cms.accounts import lockout, profiles, service, two_factor
from cms.admin.access import AdminsOnly
from cms.admin.base import CMSModelView
from cms.admin.invitations import InvitationActions, InvitationFilter, access_column
from cms.audit import service as audit
from cms.dates import utc_column
from cms.extensions import db


def _two_factor_column(view, context, user, name) -> str:
    if two_factor.has_two_factor(user):
        return "On"
    return "Required, not set up" if two_factor.is_required_for(user) else "Off"


def _email_filter(value):
    if not value:
        return value
    try:
        return service.normalise_email(value)
    except service.AccountError:
        return value  # validate_form reports it


def _lock_until(view, context, user, name):
    until = lockout.locked_until(user)
    return f"until {until:%Y-%m-%d %H:%M} UTC" if until else ""


def _lock_with_unlock_button(view, context, user, name):
    if not lockout.is_locked(user):
        return "not locked"
    return Markup(
        '{} <form method="post" action="{}" class="d-inline ml-2">'
        '<input type="hidden" name="csrf_token" value="{}">'
        '<input type="hidden" name="id" value="{}">'
        '<button type="submit" class="btn btn-sm btn-warning">Unlock</button></form>'
    ).format(
        _lock_until(view, context, user, name),
        view.get_url(".unlock_view"),
        generate_csrf(),
        user.id,
    )


class UserAdmin(InvitationActions, AdminsOnly, CMSModelView):
    column_list = (
        "email", "full_name", "roles", "access", "locked_until", "two_factor", "last_login_at",
        "create_datetime",
    )  # fmt: skip
    column_details_list = (
        "email", "full_name", "roles", "access", "locked_until", "two_factor", "last_login_at",
        "last_login_ip",
        "login_count", "create_datetime",
    )  # fmt: skip
    column_labels = {
        "locked_until": "Locked",
        "full_name": "Name",
        "two_factor": "Two-factor",
        "last_login_at": "Last login (UTC)",
        "last_login_ip": "Last login from",
        "create_datetime": "Created (UTC)",
        "access": "Access",
    }
    column_searchable_list = ("email", "full_name")
    column_filters = (InvitationFilter(), "active")
    column_sortable_list = ("email", "full_name", "active", "last_login_at", "create_datetime")
    column_default_sort = ("email", False)
    column_formatters = {
        "locked_until": _lock_until,
        "last_login_at": utc_column,
        "create_datetime": utc_column,
        "two_factor": _two_factor_column,
        "access": access_column,
    }
    column_formatters_detail = {**column_formatters, "locked_until": _lock_with_unlock_button}
    can_view_details = True
    details_template = "admin/users/details.html"
    # New people are invited (the Invite tab), never created with a password typed for them.
    can_create = False
    list_template = "admin/users/list.html"
    edit_template = "admin/users/edit.html"

    form_columns = ("email", "full_name", "slug", "bio", "roles", "active")
    form_overrides = {"bio": TextAreaField}
    form_args = {
        "email": {"filters": [_email_filter]},
        "full_name": {"label": "Name", "description": "Shown to readers as the author."},
        "slug": {
            "label": "Author page address",
            "description": "/authors/<address>, once they have a published post. Empty: keep "
            "the address. The old address keeps leading to the page until another author "
            "takes it.",
        },
        "bio": {
            "label": "Bio",
            "description": f"Plain text on the author page, at most {profiles.BIO_MAX} characters.",
        },
        "active": {"description": "Inactive users cannot log in.", "default": True},
    }

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        form.editing_user = obj
        return form

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "editing_user") or not is_form_submitted():
            return valid  # the delete or action form, or a form just opened
        try:
            service.check_address_free(
                service.normalise_email(form.email.data or ""), form.editing_user
            )
        except service.AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
            valid = False
        try:
            profiles.check_profile(form.editing_user, form.slug.data, form.bio.data)
        except profiles.ProfileProblem as problem:
            field = getattr(form, problem.field)
            field.errors = [*field.errors, str(problem)]
            valid = False
        return valid

    def on_model_change(self, form, user, is_created):
        if not profiles.may_edit_profile(acting.user(), user):
            raise ValidationError("Only the author or an admin may change their profile.")
        try:
            # Before saving: the log records the address and bio as they are kept.
            profiles.set_profile(user, form.slug.data, form.bio.data)
        except profiles.ProfileProblem as problem:
            raise ValidationError(str(problem)) from problem
        try:
            notices = service.save_user(user, by=acting.user())
        except service.AccountError as error:
            raise ValidationError(str(error)) from error
        for notice in notices:
            flash(notice, "warning")

    @expose("/reset-two-factor/", methods=("POST",))
    def reset_two_factor_view(self):
        """For a user who lost their phone: they set it up again at their next login."""
        user = self.get_one(request.form.get("id", ""))
        try:
            two_factor.reset(user, by=acting.user())
        except service.AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(
                f"Two-factor sign-in of {user.email} was reset and they were logged out "
                "everywhere. They set it up again at their next login.",
                "success",
            )
        return redirect(self.get_url(".details_view", id=user.id))

    def on_model_delete(self, user):
        try:
            service.allow_deletion(user, by=acting.user())
        except service.AccountError as error:
            raise ValidationError(str(error)) from error

    @expose("/unlock/", methods=["POST"])
    def unlock_view(self):
        """End a lock after failed logins (the button on a locked user's page)."""
        user = self.get_one(request.form.get("id", ""))
        if lockout.unlock(user, by=acting.user()):
            flash(f"{user.email} is unlocked and can log in again.", "success")
        else:
            flash(f"{user.email} was not locked.", "info")
        db.session.commit()
        return redirect(self.get_url(".details_view", id=user.id))


class RoleAdmin(AdminsOnly, CMSModelView):
    """The built-in roles, with what each may do. The policy is written against their names,
    so they are not created, renamed or deleted here; users get roles in the user form."""

    can_create = False
    can_delete = False
    column_list = ("name", "description", "members")
    column_formatters = {
        "members": lambda view, context, role, name: role.users.count(),
    }
    form_columns = ("description",)

    def on_model_change(self, form, role, is_created):
        changes = audit.changed_fields(role, ("description",))
        if changes:
            audit.record("role.edit", role, changes)
