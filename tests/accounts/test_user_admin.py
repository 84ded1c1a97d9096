"""Users and roles in the dashboard: what admins may do there, and what nobody may see."""

from __future__ import annotations

import html
import re

import pytest

from cms.accounts.models import Role, User
from cms.accounts.roles import BUILT_IN_ROLES
from cms.extensions import db
from tests.accounts.invites import accept, invite, link_in, mails_to, path_of
from tests.client import flashed
from tests.factories import PASSWORD, PostFactory, stored_user

NEW_PASSWORD = "a brand new secret"
SELF_LOCKOUT = "You cannot deactivate your own account or remove your own admin role."


@pytest.fixture
def admin(client, users):
    """The client, logged in as the admin."""
    client.login("admin@example.com")
    return client


def user_count() -> int:
    return db.session.scalar(db.select(db.func.count(User.id)))


def role_ids(*names: str) -> list[str]:
    ids = db.session.scalars(db.select(Role.id).where(Role.name.in_(names))).all()
    assert len(ids) == len(names)
    return [str(role_id) for role_id in ids]


def user_form(email: str, *, roles=(), active=True, full_name="") -> dict:
    """The user form as a browser posts it: an unchecked box is simply absent."""
    form = {"email": email, "full_name": full_name, "roles": role_ids(*roles)}
    if active:
        form["active"] = "y"
    return form


def field_errors(response, field: str) -> list[str]:
    """The error messages shown under one field of a Flask-Admin form."""
    page = response.get_data(as_text=True)
    group = next(
        (part for part in page.split('<div class="form-group') if f'id="{field}"' in part), ""
    )
    return [html.unescape(error) for error in re.findall(r"<li>(.*?)</li>", group)]


def invite_field_errors(response, field: str) -> list[str]:
    """The error messages under one field of the invite form."""
    page = response.get_data(as_text=True)
    group = next(
        (part for part in page.split('<div class="form-group') if f'id="{field}"' in part), ""
    )
    found = re.findall(r'<div class="invalid-feedback d-block">(.*?)</div>', group)
    return [html.unescape(error) for error in found]


def edit(admin, user: User, form: dict):
    return admin.submit(f"/admin/users/edit/?id={user.id}", form)


def delete(admin, user: User):
    return admin.submit(
        "/admin/users/delete/", {"id": user.id, "url": "/admin/users/"}, form_url="/admin/users/"
    )


# --- What the pages show ---------------------------------------------------------------------


def test_user_pages_never_show_password_hashes_or_uniquifiers(admin, users):
    secrets = [(user.password, user.fs_uniquifier) for user in users.values()]
    assert all(password.startswith("$2b$") for password, _ in secrets)
    pages = [admin.get("/admin/users/")]
    for user in users.values():
        pages.append(admin.get(f"/admin/users/details/?id={user.id}"))
        pages.append(admin.get(f"/admin/users/edit/?id={user.id}"))

    for page in pages:
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "$2b$" not in text
        for password, uniquifier in secrets:
            assert password not in text
            assert uniquifier not in text


def test_users_cannot_be_exported(admin, users):
    response = admin.get("/admin/users/export/csv/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/users/"
    assert "$2b$" not in response.get_data(as_text=True)


def test_roles_list_shows_the_three_roles_with_what_they_may_do(admin):
    response = admin.get("/admin/roles/")

    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "List (3)" in text
    for name, description in BUILT_IN_ROLES.items():
        assert re.search(rf'<td class="col-name">\s*{name}\s*</td>', text)
        assert description in text


def test_roles_cannot_be_created(admin):
    form_page = admin.get("/admin/roles/new/")
    assert form_page.status_code == 302  # Flask-Admin sends you back to the list
    assert form_page.headers["Location"] == "/admin/roles/"
    assert "/admin/roles/new/" not in admin.get("/admin/roles/").get_data(as_text=True)

    posted = admin.submit("/admin/roles/new/", {"name": "publisher"}, form_url="/admin/roles/")

    assert posted.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(db.select(Role.name)).all().count("publisher") == 0
    assert db.session.scalar(db.select(db.func.count(Role.id))) == 3


def test_roles_cannot_be_deleted(admin):
    editor_role = role_ids("editor")[0]

    admin.submit("/admin/roles/delete/", {"id": editor_role}, form_url="/admin/roles/")

    db.session.expire_all()
    assert db.session.get(Role, int(editor_role)) is not None


# --- Inviting users (nobody types another person's password) ---------------------------------


def test_admin_invites_a_user_who_chooses_a_password_and_logs_in(admin, outbox, can_log_in):
    response = invite(admin, "new.editor@example.com", roles=["editor"], full_name="Ada")

    assert response.status_code == 302
    user = stored_user("new.editor@example.com")
    assert user.password is None  # nobody but Ada will choose it
    assert user.fs_uniquifier
    assert user.active
    assert user.role_names == {"editor"}
    assert user.full_name == "Ada"
    [mail] = mails_to(outbox, "new.editor@example.com")

    accept(admin.application.test_client(), link_in(mail), NEW_PASSWORD)

    user = stored_user("new.editor@example.com")
    assert user.password.startswith("$2b$")
    assert NEW_PASSWORD not in user.password
    assert can_log_in("new.editor@example.com", NEW_PASSWORD)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-email", "'not-an-email' is not a valid e-mail address."),
        ("editor@example.com", "A user with the address editor@example.com already exists."),
        ("Editor@example.com", "A user with the address editor@example.com already exists."),
    ],
    ids=["invalid email", "duplicate email", "case variant of a taken email"],
)
def test_invitation_with_bad_input_gets_a_field_error_and_is_not_saved(
    admin, outbox, can_log_in, email, message
):
    before = user_count()

    response = invite(admin, email, roles=["author"])

    assert response.status_code == 200
    assert message in invite_field_errors(response, "email")
    assert user_count() == before
    assert outbox == []
    if email.lower() == "editor@example.com":
        assert stored_user("editor@example.com").role_names == {"editor"}  # untouched
        assert can_log_in("editor@example.com")


LONG_NAME = "x" * 121  # the users table keeps 120 characters


def test_a_name_too_long_on_the_invite_form_gets_a_field_error(admin, outbox):
    before = user_count()

    response = invite(admin, "longname@example.com", roles=["author"], full_name=LONG_NAME)

    assert response.status_code == 200
    assert invite_field_errors(response, "full_name") == [
        "Field cannot be longer than 120 characters."
    ]
    assert user_count() == before
    assert outbox == []


def test_a_name_too_long_on_the_user_form_gets_a_field_error(admin, users):
    author = users["author"]
    kept = author.full_name

    response = edit(admin, author, user_form(author.email, roles=["author"], full_name=LONG_NAME))

    assert response.status_code == 200
    assert field_errors(response, "full_name") == ["Field cannot be longer than 120 characters."]
    db.session.expire_all()
    assert stored_user(author.email).full_name == kept


def test_the_account_rules_refuse_a_name_too_long_with_a_sentence(app, users):
    """For every door, not only the forms (the CLI, the invitation): on PostgreSQL the
    column would refuse it with a 500, SQLite would keep it."""
    from cms.accounts import service

    with pytest.raises(service.AccountError, match="The name is too long: at most 120"):
        service.create_user("longname@example.com", None, ["author"], full_name=LONG_NAME)
    db.session.rollback()
    author = stored_user(users["author"].email)
    author.full_name = LONG_NAME
    with pytest.raises(service.AccountError, match="The name is too long: at most 120"):
        service.save_user(author, by=None)
    db.session.rollback()


def test_invite_form_shows_no_errors_before_it_is_submitted(admin):
    response = admin.get("/admin/users/invite/")

    assert response.status_code == 200
    assert invite_field_errors(response, "email") == []
    assert 'type="password"' not in response.get_data(as_text=True)


def test_users_are_invited_not_created_with_a_typed_password(admin):
    before = user_count()

    response = admin.submit(
        "/admin/users/new/",
        {"email": "typed@example.com", "new_password": NEW_PASSWORD},
        form_url="/admin/users/",
    )

    assert response.status_code == 302
    assert user_count() == before
    listing = admin.get("/admin/users/").get_data(as_text=True)
    assert "/admin/users/new/" not in listing
    assert "/admin/users/invite/" in listing


def test_invited_user_with_an_accented_password_can_log_in(admin, outbox, can_log_in):
    password = "cr\u00e8me br\u00fbl\u00e9e"  # composed characters, as keyboards type them
    invite(admin, "chef@example.com", roles=["author"])

    accept(admin.application.test_client(), link_in(outbox[-1]), password)

    assert can_log_in("chef@example.com", password)


# --- Changing users --------------------------------------------------------------------------


def test_admin_changes_a_users_roles(admin, users, can_log_in):
    response = edit(admin, users["author"], user_form("author@example.com", roles=["editor"]))

    assert response.status_code == 302
    assert stored_user("author@example.com").role_names == {"editor"}
    assert can_log_in("author@example.com")  # an empty password field keeps the password


def test_the_user_form_has_no_password_field(admin, users):
    for user in users.values():
        page = admin.get(f"/admin/users/edit/?id={user.id}").get_data(as_text=True)
        assert 'type="password"' not in page


def test_a_typed_password_in_the_user_form_is_ignored(admin, users, can_log_in):
    form = {**user_form("author@example.com", roles=["author"]), "new_password": NEW_PASSWORD}

    response = edit(admin, users["author"], form)

    assert response.status_code == 302
    assert can_log_in("author@example.com", PASSWORD)
    assert not can_log_in("author@example.com", NEW_PASSWORD)


def test_admin_sends_a_password_reset_link_instead_of_typing_one(
    app, admin, users, outbox, can_log_in
):
    response = admin.post_with_token("/admin/users/send-reset-link/", {"id": users["author"].id})

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/users/edit/?id={users['author'].id}"
    [mail] = mails_to(outbox, "author@example.com")
    assert mail.subject == "Reset your password"
    link = re.search(r"http://\S+/reset/\S+", mail.body).group(0)
    assert can_log_in("author@example.com", PASSWORD)  # nothing changes until they use it

    visitor = app.test_client()
    visitor.submit(path_of(link), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})

    assert not can_log_in("author@example.com", PASSWORD)
    assert can_log_in("author@example.com", NEW_PASSWORD)


def test_deactivated_user_cannot_log_in(admin, users, can_log_in):
    response = edit(
        admin, users["author"], user_form("author@example.com", roles=["author"], active=False)
    )

    assert response.status_code == 302
    assert stored_user("author@example.com").active is False
    assert not can_log_in("author@example.com")


@pytest.mark.parametrize(
    "change",
    [{"active": False}, {"roles": ["editor"]}],
    ids=["deactivate", "drop admin role"],
)
def test_admin_cannot_lock_themselves_out(admin, users, change):
    form = user_form("admin@example.com", **{"roles": ["admin"], **change})

    response = edit(admin, users["admin"], form)

    assert response.status_code == 200
    assert SELF_LOCKOUT in flashed(response)
    me = stored_user("admin@example.com")
    assert me.active is True
    assert me.role_names == {"admin"}
    assert admin.get("/admin/users/").status_code == 200  # still logged in, still admin


def test_admin_cannot_delete_themselves(admin, users):
    response = delete(admin, users["admin"])

    assert "You cannot delete your own account." in flashed(admin.get(response.headers["Location"]))
    assert stored_user("admin@example.com") is not None


def test_user_with_posts_cannot_be_deleted(admin, users):
    PostFactory(author=users["author"])

    response = delete(admin, users["author"])

    assert response.status_code == 302
    assert "author@example.com has written 1 post(s); deactivate the account instead." in flashed(
        admin.get(response.headers["Location"])
    )
    assert stored_user("author@example.com") is not None


def test_user_without_posts_can_be_deleted(admin, users, can_log_in):
    response = delete(admin, users["norole"])

    assert response.status_code == 302
    assert "Record was successfully deleted." in flashed(admin.get(response.headers["Location"]))
    assert stored_user("reader@example.com") is None
    assert not can_log_in("reader@example.com")


# --- Who may get in --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "author", "norole"])
@pytest.mark.parametrize("url", ["/admin/users/", "/admin/users/invite/", "/admin/roles/"])
def test_only_admins_may_open_accounts(client, users, role, url):
    client.login(users[role].email)

    assert client.get(url).status_code == 403


def test_editor_cannot_delete_a_user(client, users):
    client.login("editor@example.com")

    response = client.post_with_token("/admin/users/delete/", {"id": users["norole"].id})

    assert response.status_code == 403
    assert stored_user("reader@example.com") is not None


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/admin/users/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/admin/users/"
