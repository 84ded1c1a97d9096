"""Your profile: staff change their own public name, author page address and bio in the
dashboard, checked by the rules admins' changes go through, and recorded in the audit log."""

from __future__ import annotations

import html
import re

import pytest

from cms.accounts.models import User
from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts.models import PostStatus
from tests.client import csrf_token_in, flashed
from tests.factories import stored_user

PROFILE = "/admin/profile/"


def profile_form(**fields) -> dict:
    return {"full_name": "Ada Lovelace", "slug": "", "bio": "", **fields}


def errors_under(response, field: str) -> list[str]:
    """The messages shown under one field of the profile form, and only there."""
    page = response.get_data(as_text=True)
    found = re.findall(
        rf'<div class="invalid-feedback d-block" id="{field}-error">(.*?)</div>', page
    )
    return [html.unescape(message) for message in found]


def reloaded(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.mark.parametrize("role", ["author", "editor", "admin"])
def test_staff_save_their_own_profile(client, users, role):
    me = users[role]
    client.login(me.email)
    page = client.get("/admin/")
    assert f'href="{PROFILE}"' in page.get_data(as_text=True)  # in the account menu

    response = client.submit(
        PROFILE, profile_form(full_name=" Ada King ", slug="Countess Ada", bio=" Engines. ")
    )

    assert response.status_code == 302 and response.location == PROFILE
    me = reloaded(me)
    assert (me.full_name, me.slug, me.bio) == ("Ada King", "countess-ada", "Engines.")
    assert flashed(client.get(PROFILE)) == ["Your profile was saved."]


def test_the_form_shows_what_readers_see_now(client, users, post_factory):
    author = users["author"]
    author.full_name, author.bio = "Grace Hopper", "Wrote <the> compiler."
    db.session.commit()
    client.login(author.email)
    text = client.get(PROFILE).get_data(as_text=True)
    assert 'value="Grace Hopper"' in text and "Wrote &lt;the&gt; compiler." in text
    assert f"{author.slug}</a>" not in text  # no page yet: no link to it
    post_factory(author, title="Out", status=PostStatus.PUBLISHED)
    text = client.get(PROFILE).get_data(as_text=True)
    assert f'<a href="/authors/{author.slug}">' in text


def test_an_empty_address_keeps_the_one_they_have(client, users):
    author = users["author"]
    before = author.slug
    client.login(author.email)
    response = client.submit(PROFILE, profile_form(full_name="Someone Else", slug=" "))
    assert response.status_code == 302
    assert reloaded(author).slug == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("slug", "!!!", "An address needs at least one letter or digit."),
        ("bio", "x" * 501, "A bio is at most 500 characters long."),
        ("full_name", "x" * 121, "Field cannot be longer than 120 characters."),
    ],
)
def test_bad_input_is_refused_under_its_field_and_nothing_is_saved(
    client, users, field, value, message
):
    author = users["author"]
    before = (author.full_name, author.slug, author.bio)
    client.login(author.email)
    response = client.submit(PROFILE, profile_form(**{"slug": "new-address", field: value}))
    assert response.status_code == 200
    assert errors_under(response, field) == [message]
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    author = reloaded(author)
    assert (author.full_name, author.slug, author.bio) == before


def test_an_address_another_author_holds_is_refused(client, users):
    author, other = users["author"], users["other_author"]
    client.login(author.email)
    response = client.submit(PROFILE, profile_form(slug=other.slug.upper()))
    assert errors_under(response, "slug") == [
        f"The address /authors/{other.slug} is another author's."
    ]
    assert reloaded(author).slug != other.slug


def test_the_change_is_in_the_audit_log_as_theirs(client, users):
    author = users["author"]
    old_slug = author.slug
    client.login(author.email)
    client.submit(PROFILE, profile_form(full_name="", slug="ada", bio="Hello."))
    [entry] = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.edit"))
    assert entry.changes_dict == {"slug": [old_slug, "ada"], "bio": [None, "Hello."]}
    assert (entry.actor_email, entry.target_label) == (author.email, author.email)


def test_saving_nothing_new_records_nothing(client, users):
    author = users["author"]
    client.login(author.email)
    form = profile_form(full_name=author.full_name or "", slug=author.slug)
    assert client.submit(PROFILE, form).status_code == 302
    assert (
        db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "user.edit")).all()
        == []
    )


def test_only_staff_have_a_profile_page(client, users):
    assert client.get(PROFILE).location.startswith("/login?next=/admin/profile/")
    client.login(users["norole"].email)
    assert client.get(PROFILE).status_code == 403
    assert client.post_with_token(PROFILE, profile_form(slug="mine")).status_code == 403
    assert reloaded(users["norole"]).slug != "mine"


@pytest.mark.parametrize(("who", "offered"), [("norole", False), ("author", True)])
def test_the_account_menu_offers_the_profile_page_to_staff_only(client, users, who, offered):
    client.login(users[who].email)
    assert (PROFILE in client.get("/change").get_data(as_text=True)) is offered


def test_a_post_without_the_csrf_token_is_refused(client, users):
    author = users["author"]
    client.login(author.email)
    response = client.post(PROFILE, data=profile_form(slug="forged"))
    assert response.status_code == 400
    assert reloaded(author).slug != "forged"


def test_nobody_changes_another_persons_profile_here(client, users):
    """The page is always the signed-in person's own: an id in the URL or the form is not read."""
    author, other = users["author"], users["other_author"]
    client.login(author.email)
    response = client.submit(
        f"{PROFILE}?id={other.id}", profile_form(slug="taken-over", id=str(other.id))
    )
    assert response.status_code == 302
    assert reloaded(other).slug != "taken-over"
    assert stored_user(author.email).slug == "taken-over"


def test_admins_edit_anyones_profile_in_the_users_view_by_the_same_rules(client, users):
    from tests.accounts.test_user_admin import edit, field_errors, user_form

    author = users["author"]
    old_slug = author.slug
    client.login(users["admin"].email)
    form = user_form(author.email, roles=["author"])
    refused = edit(client, author, {**form, "slug": "!!!", "bio": ""})
    assert field_errors(refused, "slug") == ["An address needs at least one letter or digit."]

    assert edit(client, author, {**form, "slug": "grace", "bio": "Hi."}).status_code == 302
    entry = db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "user.edit").order_by(AuditEntry.id.desc())
    ).first()
    assert entry.changes_dict == {"slug": [old_slug, "grace"], "bio": [None, "Hi."]}
    assert entry.actor_email == users["admin"].email


def test_the_page_is_valid_html_with_and_without_field_errors(client, users):
    from tests.html_validity import assert_valid

    client.login(users["author"].email)
    refused = client.submit(PROFILE, profile_form(slug=users["other_author"].slug, bio="x" * 501))
    documents = {
        "profile": client.get(PROFILE).get_data(as_text=True),
        "profile with errors": refused.get_data(as_text=True),
    }
    assert 'aria-invalid="true"' in documents["profile with errors"]
    assert_valid(documents)


def test_an_address_taken_between_the_check_and_the_save_is_a_field_error(
    client, users, monkeypatch
):
    """Two authors choosing one address at once: the unique index refuses the second."""
    from cms.accounts import profiles

    author, other = users["author"], users["other_author"]
    client.login(author.email)
    page = client.get(PROFILE)
    monkeypatch.setattr(profiles, "_holder", lambda slug, exclude_user_id: False)
    response = client.post(
        PROFILE, data={**profile_form(slug=other.slug), "csrf_token": csrf_token_in(page.text)}
    )
    assert response.status_code == 200
    [message] = errors_under(response, "slug")
    assert message == "That address was taken a moment ago: choose another."
    assert reloaded(author).slug != other.slug
