"""Tags in the admin, for those who manage them (editors and admins, ``TagAction.MANAGE``):
the list, paged by keyset like the posts list, with how many posts have each tag (a link
to those posts); create, rename (a new address keeps the old one working), merge one tag
into another, and delete (its posts lose it). Every change goes through
``cms.tags.service``, which checks the policy again and writes the audit log.

Authors never open this view: they pick tags in the post form (``cms.admin.posts.tagging``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_admin import expose
from flask_admin.contrib.sqla.validators import Unique
from flask_admin.helpers import is_form_submitted
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import with_expression
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from cms import acting
from cms.admin.access import StaffOnly
from cms.admin.base import CMSModelView
from cms.admin.paging import KeysetPaging
from cms.admin.posts.tagging import lookup_url, posts_with_tag_url
from cms.extensions import db
from cms.posts.policy import PermissionDenied, TagAction, can_tag
from cms.tags import service
from cms.tags.models import Tag, post_tags
from cms.tags.service import TagProblem

_SCAFFOLDED_CHECKS = (InputRequired, DataRequired, Optional, Unique)


def _posts(count: int) -> str:
    return "1 post" if count == 1 else f"{count:,} posts"


def _posts_column(view, context, tag: Tag, name: str) -> Markup:
    count = tag.post_count or 0
    label = _posts(count)
    if not count:
        return Markup('<span class="text-muted">no posts</span>')
    return Markup('<a href="{}">{}</a>').format(posts_with_tag_url(tag.slug), label)


def _address_column(view, context, tag: Tag, name: str) -> Markup:
    return Markup("<code>/tags/{}</code>").format(tag.slug)


class TagAdmin(StaffOnly, KeysetPaging, CMSModelView):
    edit_template = "admin/tags/edit.html"
    counted_noun = ("tag", "tags")

    column_list = ("name", "slug", "description", "posts")
    column_labels = {"slug": "Address", "posts": "Posts"}
    column_sortable_list = ("name", "slug")
    column_default_sort = ("name", False)
    column_searchable_list = ("name", "slug")
    column_formatters = {"posts": _posts_column, "slug": _address_column}
    page_size = 50

    form_columns = ("name", "slug", "description")
    form_args = {
        "slug": {
            "label": "Address",
            "validators": [Optional()],
            "filters": [service.normalise_slug],
            "description": "The end of the tag's address, /tags/your-slug. Left empty, it is "
            "made from the name. Change it (or empty it) to move the tag: its old address "
            "keeps leading here.",
        },
        "description": {"description": "Optional: a sentence readers see on the tag's page."},
    }
    form_widget_args = {"description": {"rows": 2}}

    def allows(self, user) -> bool:
        return can_tag(user, TagAction.MANAGE)

    def search_placeholder(self) -> str:
        return "Name or address"

    def list_loading(self) -> tuple:
        # How many posts have each tag: counted in the page's own SELECT, a range of the
        # tag's rows in ix_post_tags_tag_published for each row shown.
        count = (
            select(func.count())
            .where(post_tags.c.tag_id == Tag.id)
            .correlate(Tag)
            .scalar_subquery()
        )
        return (with_expression(Tag.post_count, count),)

    # --- Forms: each field's problem under the field; the service checks it all again. ---

    def _prepare_form(self, form):
        # Flask-Admin demands every non-nullable column and checks unique ones itself. An
        # empty address is made from the name, an empty description is none, and the
        # service's check says whose an address is: neither demanded nor starred.
        for field in (form.slug, form.description):
            field.validators = [Optional()] + [
                v for v in field.validators if not isinstance(v, _SCAFFOLDED_CHECKS)
            ]
            field.flags.required = False
        return form

    def create_form(self, obj=None):
        return self._prepare_form(super().create_form(obj))

    def edit_form(self, obj=None):
        form = self._prepare_form(super().edit_form(obj))
        form.editing_tag = obj
        return form

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not valid or not is_form_submitted() or "name" not in form:
            return valid  # a form just opened, or the delete or action form
        tag = getattr(form, "editing_tag", None)
        try:
            service.check(form.name.data, form.slug.data, form.description.data, tag and tag.id)
        except TagProblem as problem:
            field = form[problem.field]
            field.errors = [*field.errors, str(problem)]
            return False
        return True

    def on_model_change(self, form, tag, is_created):
        try:
            service.prepare_for_save(tag, acting.user(), is_new=is_created)
        except (PermissionDenied, TagProblem) as refused:
            raise ValidationError(str(refused)) from refused

    def delete_model(self, tag) -> bool:
        """One tag, or each of a bulk delete: its posts lose it (the service logs it)."""
        service.delete(tag, acting.user())
        db.session.commit()
        return True

    # --- Merging: the edit page's "Merge into…" form. ---

    def render(self, template, **kwargs):
        if template == self.edit_template and kwargs.get("model") is not None:
            kwargs["tag_lookup_url"] = lookup_url()
            kwargs["old_addresses"] = [redirect.old_slug for redirect in kwargs["model"].old_slugs]
        return super().render(template, **kwargs)

    @expose("/merge/", methods=("POST",))
    def merge_view(self):
        """Fold the tag ``id`` into the tag ``into`` (picked by its slug)."""
        merged = self.get_one(request.form.get("id", ""))
        back = redirect(self.get_url(".edit_view", id=merged.id))
        picked = (request.form.get("into") or "").strip()
        kept = service.by_address([picked]).get(picked) if picked else None
        if kept is None:
            flash(f"Pick the tag to merge “{merged.name}” into.", "error")
            return back
        name, slug = merged.name, merged.slug
        try:
            moved = service.merge(merged, kept, acting.user())
            db.session.commit()
        except TagProblem as problem:
            db.session.rollback()
            flash(str(problem), "error")
            return back
        except PermissionDenied:
            abort(403)
        except IntegrityError:  # either tag changed by another request meanwhile
            db.session.rollback()
            flash(service.MADE_MEANWHILE, "error")
            return back
        flash(
            f"“{name}” was merged into “{kept.name}”: {_posts(moved)} got “{kept.name}”, and "
            f"/tags/{slug} now leads to /tags/{kept.slug}.",
            "success",
        )
        return redirect(self.get_url(".edit_view", id=kept.id))
