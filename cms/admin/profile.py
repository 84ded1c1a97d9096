"""Your profile: the public name, author page address and bio of the signed-in staff
member, edited by themselves. Admins edit anyone's in the Users view, by the same rules
(``cms.accounts.profiles``); who may edit whose is ``profiles.may_edit_profile``.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_admin import BaseView, expose
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from cms import acting
from cms.accounts import profiles, service
from cms.accounts.models import User
from cms.admin.access import StaffOnly
from cms.extensions import db
from cms.public import public_authors


class ProfileForm(FlaskForm):
    full_name = StringField(
        "Public name",
        validators=[Length(max=service.NAME_MAX)],
        description="How readers see you named on your posts and on your author page.",
    )
    slug = StringField(
        "Author page address",
        description="The last part of /authors/…: letters, digits and hyphens (anything else "
        "is turned into them). Empty: keep the address you have. The old address keeps "
        "leading to your page until another author takes it.",
    )
    bio = TextAreaField(
        "Bio",
        description=f"A few sentences of plain text, at most {profiles.BIO_MAX} characters.",
        render_kw={"rows": 5},
    )
    submit = SubmitField("Save profile")


def has_author_page(user: User) -> bool:
    """Whether readers can open ``user``'s page (the public site's own look-up)."""
    return bool(user.slug) and public_authors.find_public_author(user.slug) is not None


class ProfileView(StaffOnly, BaseView):
    """Reached from the account menu, not the main one (``is_visible``): it is about the
    person signed in, like changing their password."""

    def is_visible(self) -> bool:
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self):
        user = acting.user()
        if user is None or not profiles.may_edit_profile(user, user):
            abort(403)
        form = ProfileForm(obj=user)
        if form.validate_on_submit() and self._save(form, user):
            flash("Your profile was saved.", "success")
            return redirect(url_for(".index"))
        return self.render(
            "admin/profile.html",
            form=form,
            address=url_for("public.author_detail", slug=user.slug) if user.slug else None,
            has_page=has_author_page(user),
        )

    @staticmethod
    def _save(form: ProfileForm, user: User) -> bool:
        """Save the form's fields, or put the reason on the field and keep nothing."""
        user.full_name = (form.full_name.data or "").strip() or None
        try:
            profiles.set_profile(user, form.slug.data, form.bio.data)
            service.save_profile(user, by=user)
        except profiles.ProfileProblem as problem:
            getattr(form, problem.field).errors.append(str(problem))
        except service.AccountError as error:
            form.full_name.errors.append(str(error))
        else:
            try:
                db.session.commit()
                return True
            except IntegrityError:
                # Another author took the address between the check and the commit.
                form.slug.errors.append("That address was taken a moment ago: choose another.")
        db.session.rollback()
        return False
