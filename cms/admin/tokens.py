"""API tokens: the signed-in staff member's own personal tokens (``cms.tokens``), made,
listed and revoked by themselves. The secret is in the one response that made it and
nowhere else: not in the session, the flash messages or the database.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import BaseView, expose
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from cms import acting, clock
from cms.admin.access import StaffOnly
from cms.admin.base import parse_id
from cms.extensions import db
from cms.tokens import service as tokens
from cms.tokens.models import NAME_MAX


def _a_number_typed(form, field) -> None:
    """Stop at "not a valid integer": the range check would add a second, puzzling message."""
    if field.process_errors:
        raise StopValidation()


class NewTokenForm(FlaskForm):
    name = StringField(
        "Name",
        validators=[
            InputRequired("Give the token a name, such as the program that will use it."),
            Length(max=NAME_MAX),
        ],
        description="What the token is for, so that you can tell your tokens apart.",
    )
    expires_in_days = IntegerField(
        "Expires after (days)",
        validators=[
            Optional(),  # first: an empty box is no expiry, not "not a number"
            _a_number_typed,
            NumberRange(min=1, max=tokens.MAX_EXPIRY_DAYS),
        ],
        description="Empty: the token works until you revoke it.",
    )
    submit = SubmitField("Create token")


class TokensView(StaffOnly, BaseView):
    """Reached from the account menu (``is_visible``), like "Your profile": every staff
    member manages their own tokens here, and only their own."""

    def is_visible(self) -> bool:
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self):
        user = acting.user()
        if user is None:
            abort(403)
        form = NewTokenForm()
        created = secret = None
        if form.validate_on_submit():
            try:
                created, secret = tokens.create(
                    user, form.name.data, expires_in_days=form.expires_in_days.data, by=user
                )
            except tokens.TokenError as error:
                db.session.rollback()
                form.name.errors.append(str(error))
            else:
                db.session.commit()
                form = NewTokenForm(formdata=None)
        # No-store, as every dashboard page is (cms/headers.py): this one holds the only copy.
        return self.render(
            "admin/tokens.html",
            form=form,
            tokens=tokens.tokens_of(user),
            now=clock.utcnow(),
            created=created,
            secret=secret,
        )

    @expose("/<token_id>/revoke", methods=("POST",))
    def revoke(self, token_id: str):
        user = acting.user()
        number = parse_id(token_id)
        token = tokens.find(number) if number is not None else None
        # Someone else's token is answered as a missing one: ids say nothing about others.
        if user is None or token is None:
            abort(404)
        try:
            revoked = tokens.revoke(token, by=user)
        except tokens.NotAllowed:
            abort(404)
        db.session.commit()
        if revoked:
            flash(f"The token {token.name!r} is revoked: programs using it are refused.", "success")
        return redirect(url_for(".index"))
