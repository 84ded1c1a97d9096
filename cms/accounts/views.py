"""The page behind an invitation link: the invitee chooses their password there, then logs
in. It is in the dashboard's layout, like the login and reset screens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo

from cms import rate_limits
from cms.accounts import invitations, service
from cms.admin import admin_layout_context
from cms.extensions import db

blueprint = Blueprint("invitations", __name__)


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("Password", validators=[DataRequired()])
    password_confirm = PasswordField(
        "Retype Password",
        validators=[DataRequired(), EqualTo("password", message="The passwords do not match.")],
    )
    submit = SubmitField("Set my password")


def _gone(error: invitations.InvitationError, status: int):
    page = render_template(
        "accounts/invitation_gone.html", message=str(error), **admin_layout_context()
    )
    return page, status


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@rate_limits.limited(rate_limits.SIGN_IN)  # a refused password counts, as a wrong one does
def accept(token: str):
    try:
        invitation = invitations.open_link(token)
    except invitations.LinkUnknown as error:
        return _gone(error, 404)
    except invitations.LinkGone as error:
        return _gone(error, 410)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            invitations.accept(invitation, form.password.data)
        except invitations.LinkGone as error:  # used meanwhile, through another tab
            db.session.rollback()
            return _gone(error, 410)
        except service.AccountError as error:
            db.session.rollback()
            form.password.errors = [*form.password.errors, str(error)]
        else:
            db.session.commit()
            flash("Your password is set. Log in with it now.", "success")
            return redirect(url_for("security.login"))
    return render_template(
        "accounts/accept_invitation.html",
        form=form,
        invitation=invitation,
        **admin_layout_context(),
    )
