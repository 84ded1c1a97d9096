"""Inviting people, and giving them back their way in, from the dashboard's Users view.

Admins never type a password for someone else: a new person gets an invitation to choose
one, and someone who lost theirs gets a reset link. The rules are in
``cms.accounts.invitations``; these are the buttons.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.model.filters import BaseFilter
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectMultipleField, StringField, SubmitField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from cms import acting, clock, rate_limits
from cms.accounts import invitations, service
from cms.accounts.mail import MailNotSent
from cms.accounts.models import Invitation, User
from cms.accounts.roles import BUILT_IN_ROLES
from cms.admin.base import parse_id
from cms.dates import format_utc
from cms.extensions import db


class InviteForm(FlaskForm):
    email = StringField("Email", validators=[DataRequired()])
    full_name = StringField(
        "Name",
        validators=[Length(max=service.NAME_MAX)],
        description="Shown to readers as the author.",
    )
    roles = SelectMultipleField(
        "Roles",
        choices=[SelectChoice(name, f"{name}: {what}") for name, what in BUILT_IN_ROLES.items()],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        description="Without a role the person can log in but not open the dashboard.",
    )
    submit = SubmitField("Send invitation")


def access_label(user: User) -> str:
    """How the Users list says whether, and how, someone can get in."""
    state = user.invitation.state_at(clock.utcnow()) if user.invitation else None
    if state == "pending":
        return f"Invited, until {format_utc(user.invitation.expires_at)}"
    if state == "expired":
        return "Invitation expired"
    if state == "revoked":
        return "Invitation revoked"
    if not user.active:
        return "Inactive"
    return "Active" if user.password else "No password"


class InvitationFilter(BaseFilter):
    """Who is invited, whose invitation expired, whose was revoked: the states
    ``access_label`` shows, by ``Invitation.state_at`` in SQL."""

    STATES = {"pending": "Invited", "expired": "Expired", "revoked": "Revoked"}

    def __init__(self) -> None:
        super().__init__("Invitation", options=list(self.STATES.items()))

    def validate(self, value) -> bool:
        return value in self.STATES

    def apply(self, query, value, alias=None):
        return query.filter(User.invitation.has(Invitation.state_at(clock.utcnow()) == value))

    def operation(self) -> str:
        return "is"


def access_column(view, context, user, name) -> Markup:
    return Markup('<span class="access-state">{}</span>').format(access_label(user))


class InvitationActions:
    """Mixed into the Users view: the invite form and the buttons of a user's edit page.
    Every route here is the view's own, so only admins reach it."""

    def render(self, template, **kwargs):
        kwargs.setdefault("now", clock.utcnow())  # the edit page tells pending from expired
        return super().render(template, **kwargs)

    # Each of these sends a mail: limited like "forgot password", per address and per
    # invited address, so a stolen admin session cannot turn the site into a mail cannon.
    @expose("/invite/", methods=("GET", "POST"))
    @rate_limits.limited(rate_limits.RESET)
    def invite_view(self):
        form = InviteForm()
        if form.validate_on_submit() and self._email_usable(form):
            try:
                invitation = invitations.invite(
                    form.email.data,
                    form.roles.data,
                    full_name=(form.full_name.data or "").strip() or None,
                    by=acting.user(),
                )
            except (service.AccountError, MailNotSent) as error:
                db.session.rollback()
                flash(str(error), "error")
            else:
                db.session.commit()
                flash(
                    f"Invitation sent to {invitation.user.email}. The link works until "
                    f"{format_utc(invitation.expires_at)}.",
                    "success",
                )
                return redirect(self.get_url(".index_view"))
        return self.render("admin/users/invite.html", form=form)

    @expose("/resend-invitation/", methods=("POST",))
    @rate_limits.limited(rate_limits.RESET)
    def resend_view(self):
        return self._act_on_user(invitations.resend, "A new invitation was sent to {email}.")

    @expose("/revoke-invitation/", methods=("POST",))
    def revoke_view(self):
        return self._act_on_user(
            invitations.revoke, "The invitation to {email} was revoked; its link no longer works."
        )

    @expose("/send-reset-link/", methods=("POST",))
    @rate_limits.limited(rate_limits.RESET)
    def reset_link_view(self):
        return self._act_on_user(
            invitations.send_reset_link, "A password reset link was sent to {email}."
        )

    def _email_usable(self, form: InviteForm) -> bool:
        try:
            service.check_address_free(service.normalise_email(form.email.data))
        except service.AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
            return False
        return True

    def _act_on_user(self, action, done: str):
        number = parse_id(request.form.get("id", ""))
        user = db.session.get(User, number) if number is not None else None
        if user is None:
            abort(404)
        try:
            action(user, by=acting.user())
        except (service.AccountError, MailNotSent) as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(done.format(email=user.email), "success")
        return redirect(self.get_url(".edit_view", id=user.id))
