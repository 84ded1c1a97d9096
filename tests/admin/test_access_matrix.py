"""Every role against every admin view and action, with the exact outcome.

"own" is a draft written by the acting user (for visitors without posts, the author's), and
"own published" the same user's published post; "other" is a post by another author; "tag"
is a tag (Alpha), merged into another (Beta) by "tag merge".
Outcomes: 200 page, "done" (a redirect after the database changed), "refused" (a redirect
that changed nothing, as a bulk action skipping posts not the user's), "login" (a redirect
to the login page with ``next``), "login page" (to the login page without ``next``: the
two-factor setup without a password step first), 403 and 404. Every outcome but "done"
must leave the database exactly as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import current_app
from werkzeug.datastructures import MultiDict

from cms import clock
from cms.accounts import invitations
from cms.accounts.models import Invitation, Role, User, WebAuthn
from cms.extensions import db, security
from cms.posts.models import Post, PostRevision, PostStatus, PreviewLink
from cms.tags import service as tags
from cms.tags.models import Tag, post_tags
from tests.factories import UserFactory
from tests.two_factor import add_security_key

ROLES = ("anonymous", "norole", "author", "editor", "admin")


@dataclass(frozen=True)
class Target:
    method: str
    url: str  # may name {own}, {other}, {user}, {locked}, {role}, {tf_user}
    data: tuple = ()  # form fields for POSTs: {own}, {other}, and {own_version}, {other_version}


TARGETS = {
    "dashboard": Target("GET", "/admin/"),
    "post list": Target("GET", "/admin/posts/"),
    "post create form": Target("GET", "/admin/posts/new/"),
    "post edit own": Target("GET", "/admin/posts/edit/?id={own}"),
    "post edit other": Target("GET", "/admin/posts/edit/?id={other}"),
    "post edit own published": Target("GET", "/admin/posts/edit/?id={own_published}"),
    "post details own": Target("GET", "/admin/posts/details/?id={own}"),
    "post details other": Target("GET", "/admin/posts/details/?id={other}"),
    "post delete own": Target("POST", "/admin/posts/delete/", (("id", "{own}"),)),
    "post delete other": Target("POST", "/admin/posts/delete/", (("id", "{other}"),)),
    "post delete own published": Target(
        "POST", "/admin/posts/delete/", (("id", "{own_published}"),)
    ),
    "bulk publish other": Target(
        "POST",
        "/admin/posts/action/",
        (("action", "publish"), ("rowid", "{other}:{other_version}")),
    ),
    "bulk unpublish own": Target(
        "POST", "/admin/posts/action/", (("action", "unpublish"), ("rowid", "{own}:{own_version}"))
    ),
    "bulk delete other": Target(
        "POST", "/admin/posts/action/", (("action", "delete"), ("rowid", "{other}:{other_version}"))
    ),
    "post export": Target("GET", "/admin/posts/export/csv/"),
    "post preview own": Target("GET", "/admin/posts/preview/?id={own}"),
    "post preview other": Target("GET", "/admin/posts/preview/?id={other}"),
    "share link other": Target("POST", "/admin/posts/share/", (("id", "{other}"),)),
    "tag lookup": Target("GET", "/admin/posts/tags/?q=a"),
    "bulk tag ask own": Target(
        "POST", "/admin/posts/action/", (("action", "tag_add"), ("rowid", "{own}:{own_version}"))
    ),
    "bulk tag own": Target(
        "POST",
        "/admin/posts/tags/bulk/",
        (("adding", "1"), ("tag", "alpha"), ("rowid", "{own}:{own_version}")),
    ),
    "bulk tag other": Target(
        "POST",
        "/admin/posts/tags/bulk/",
        (("adding", "1"), ("tag", "alpha"), ("rowid", "{other}:{other_version}")),
    ),
    "tag list": Target("GET", "/admin/tags/"),
    "tag create form": Target("GET", "/admin/tags/new/"),
    "tag create": Target("POST", "/admin/tags/new/", (("name", "Gamma"),)),
    "tag edit": Target("GET", "/admin/tags/edit/?id={tag}"),
    "tag rename": Target("POST", "/admin/tags/edit/?id={tag}", (("name", "Alpha 2"),)),
    "tag merge": Target("POST", "/admin/tags/merge/", (("id", "{tag}"), ("into", "beta"))),
    "tag delete": Target("POST", "/admin/tags/delete/", (("id", "{tag}"),)),
    "trash list": Target("GET", "/admin/trash/"),
    "trash empty": Target("POST", "/admin/trash/empty/"),
    "user list": Target("GET", "/admin/users/"),
    "user create form": Target("GET", "/admin/users/new/"),
    "user invite form": Target("GET", "/admin/users/invite/"),
    "user invite send": Target(
        "POST", "/admin/users/invite/", (("email", "invited@example.com"), ("roles", "author"))
    ),
    "user invitation resend": Target(
        "POST", "/admin/users/resend-invitation/", (("id", "{invitee}"),)
    ),
    "user invitation revoke": Target(
        "POST", "/admin/users/revoke-invitation/", (("id", "{invitee}"),)
    ),
    "user reset link": Target("POST", "/admin/users/send-reset-link/", (("id", "{user}"),)),
    "invitation page": Target("GET", "/invitation/{invitation}"),
    "user edit": Target("GET", "/admin/users/edit/?id={user}"),
    "user details": Target("GET", "/admin/users/details/?id={user}"),
    "user delete": Target("POST", "/admin/users/delete/", (("id", "{user}"),)),
    "user unlock": Target("POST", "/admin/users/unlock/", (("id", "{locked}"),)),
    "role list": Target("GET", "/admin/roles/"),
    "role edit": Target("GET", "/admin/roles/edit/?id={role}"),
    "audit log": Target("GET", "/admin/audit/"),
    "audit log export": Target("GET", "/admin/audit/export/csv/"),
    # One's own public profile (``profiles.may_edit_profile``): staff only.
    "profile page": Target("GET", "/admin/profile/"),
    "profile save": Target(
        "POST", "/admin/profile/", (("full_name", "Renamed"), ("slug", "renamed"), ("bio", "Hi."))
    ),
    # Two-factor sign-in: one's own (any signed-in user), and an admin's reset of another's.
    "two-factor setup": Target("GET", "/tf-setup"),
    "recovery codes": Target("GET", "/mf-recovery-codes"),
    "two-factor reset": Target("POST", "/admin/users/reset-two-factor/", (("id", "{tf_user}"),)),
    # Security keys: one's own only; another's key is not found by its name.
    "security keys": Target("GET", "/wan-register"),
    "security key register": Target("POST", "/wan-register", (("name", "new key"),)),
    "security key register response": Target(
        "POST", "/wan-register/not-a-token", (("credential", "{{}}"),)
    ),
    "security key delete own": Target("POST", "/wan-delete", (("name", "{own_key}"),)),
    "security key delete other": Target("POST", "/wan-delete", (("name", "{other_key}"),)),
}

# One column per role, in the order of ROLES.
EXPECTED = {
    "dashboard":          ("login", 403, 200, 200, 200),
    "post list":          ("login", 403, 200, 200, 200),
    "post create form":   ("login", 403, 200, 200, 200),
    "post edit own":      ("login", 403, 200, 200, 200),
    "post edit other":    ("login", 403, 403, 200, 200),
    "post edit own published":   ("login", 403, 403, 200, 200),
    "post details own":   ("login", 403, 200, 200, 200),
    "post details other": ("login", 403, 403, 200, 200),
    "post delete own":    ("login", 403, "done", "done", "done"),
    "post delete other":  ("login", 403, 403, "done", "done"),
    "post delete own published": ("login", 403, 403, "done", "done"),
    "bulk publish other": ("login", 403, 403, "done", "done"),
    "bulk unpublish own": ("login", 403, 403, "done", "done"),
    "bulk delete other":  ("login", 403, "refused", "done", "done"),
    "post export":        ("login", 403, 200, 200, 200),
    "post preview own":   ("login", 403, 200, 200, 200),
    "post preview other": ("login", 403, 403, 200, 200),
    "share link other":   ("login", 403, 403, "done", "done"),
    "tag lookup":         ("login", 403, 200, 200, 200),
    "bulk tag ask own":   ("login", 403, 200, 200, 200),  # the page asking which tag
    "bulk tag own":       ("login", 403, "done", "done", "done"),
    "bulk tag other":     ("login", 403, "refused", "done", "done"),
    "tag list":           ("login", 403, 403, 200, 200),
    "tag create form":    ("login", 403, 403, 200, 200),
    "tag create":         ("login", 403, 403, "done", "done"),
    "tag edit":           ("login", 403, 403, 200, 200),
    "tag rename":         ("login", 403, 403, "done", "done"),
    "tag merge":          ("login", 403, 403, "done", "done"),
    "tag delete":         ("login", 403, 403, "done", "done"),
    "trash list":         ("login", 403, 200, 200, 200),
    "trash empty":        ("login", 403, 403, 403, "done"),
    "user list":          ("login", 403, 403, 403, 200),
    "user create form":   ("login", 403, 403, 403, "refused"),  # people are invited
    "user invite form":   ("login", 403, 403, 403, 200),
    "user invite send":   ("login", 403, 403, 403, "done"),
    "user invitation resend": ("login", 403, 403, 403, "done"),
    "user invitation revoke": ("login", 403, 403, 403, "done"),
    "user reset link":    ("login", 403, 403, 403, "done"),
    "invitation page":    (200, 200, 200, 200, 200),  # the token is the key
    "user edit":          ("login", 403, 403, 403, 200),
    "user details":       ("login", 403, 403, 403, 200),
    "user delete":        ("login", 403, 403, 403, "done"),
    "user unlock":        ("login", 403, 403, 403, "done"),
    "role list":          ("login", 403, 403, 403, 200),
    "role edit":          ("login", 403, 403, 403, 200),
    "audit log":          ("login", 403, 403, 403, 200),
    "audit log export":   ("login", 403, 403, 403, 200),
    "profile page":       ("login", 403, 200, 200, 200),
    "profile save":       ("login", 403, "done", "done", "done"),
    "two-factor setup":   ("login page", 200, 200, 200, 200),
    "recovery codes":     ("login", 200, 200, 200, 200),
    "two-factor reset":   ("login", 403, 403, 403, "done"),
    "security keys":      ("login", 200, 200, 200, 200),
    "security key register": ("login", 200, 200, 200, 200),  # the key's options, nothing saved
    "security key register response": ("login", "refused", "refused", "refused", "refused"),
    "security key delete own":   ("login", "done", "done", "done", "done"),
    "security key delete other": ("login", "refused", "refused", "refused", "refused"),
}  # fmt: skip

CASES = [
    pytest.param(role, target, outcome, id=f"{role}-{target.replace(' ', '_')}")
    for target, outcomes in EXPECTED.items()
    for role, outcome in zip(ROLES, outcomes, strict=True)
]


def test_every_target_has_expectations():
    assert set(EXPECTED) == set(TARGETS)


def database_state() -> tuple:
    """Everything a request to the admin could change, as plain values (mails sent too)."""
    db.session.expire_all()
    posts = db.session.execute(
        db.select(
            Post.id, Post.title, Post.status, Post.published_at, Post.deleted_at,
            Post.author_id, Post.version,
        ).order_by(Post.id)
    ).all()  # fmt: skip
    # Whole rows: selecting Flask-Security's AsaList column alone warns (no cache key).
    users = [
        (user.id, user.email, user.active, user.password, user.locked_until,
         user.failed_login_count, user.tf_primary_method, user.tf_totp_secret,
         user.totp_last_counter,
         user.mf_recovery_codes, user.fs_uniquifier, user.full_name, user.slug, user.bio)
        for user in db.session.scalars(db.select(User).order_by(User.id))
    ]  # fmt: skip
    roles = db.session.execute(db.select(Role.id, Role.description).order_by(Role.id)).all()
    links = db.session.scalars(db.select(PreviewLink.id).order_by(PreviewLink.id)).all()
    revisions = db.session.scalars(db.select(PostRevision.id).order_by(PostRevision.id)).all()
    invites = db.session.execute(
        db.select(Invitation.id, Invitation.nonce, Invitation.revoked_at).order_by(Invitation.id)
    ).all()
    keys = db.session.execute(
        db.select(WebAuthn.id, WebAuthn.user_id, WebAuthn.name).order_by(WebAuthn.id)
    ).all()
    tags = db.session.execute(db.select(Tag.id, Tag.name, Tag.slug).order_by(Tag.id)).all()
    tagged = db.session.execute(
        db.select(post_tags.c.post_id, post_tags.c.tag_id).order_by(*post_tags.primary_key)
    ).all()
    mails = len(getattr(current_app.extensions["mailman"], "outbox", []))
    return posts, users, roles, links, revisions, invites, keys, tags, tagged, mails


def outcome_of(response, changed: bool) -> int | str:
    if response.status_code == 302:
        if response.location.startswith("/login"):
            return "login" if "next=" in response.location else "login page"
        return "done" if changed else "refused"
    return response.status_code


@pytest.fixture
def scene(client, users, post_factory, outbox):
    """Drafts and published posts by the acting user; a draft by another author; one post
    in the trash, so that emptying it changes something; someone with a pending invitation."""
    author_post = post_factory(users["author"], title="Author post")
    other_post = post_factory(users["other_author"], title="Other post")
    own = {
        "author": author_post,
        "editor": post_factory(users["editor"], title="Editor post", status=PostStatus.PUBLISHED),
        "admin": post_factory(users["admin"], title="Admin post", status=PostStatus.PUBLISHED),
    }
    published = {
        role: post_factory(users[role], title=f"Published {role} post", status=PostStatus.PUBLISHED)
        for role in ("author", "editor", "admin")
    }
    post_factory(users["other_author"], title="Trashed post", deleted_at=clock.utcnow())
    # Locked after failed logins, so that unlocking it changes something.
    locked = UserFactory(roles=["author"], email="locked@example.com")
    locked.locked_until = clock.utcnow() + timedelta(minutes=10)
    with_two_factor = users["other_author"]
    with_two_factor.tf_primary_method = "authenticator"
    with_two_factor.tf_totp_secret = security.totp_factory.generate_totp_secret()
    add_security_key(with_two_factor, "other key")
    with current_app.test_request_context():
        invitation = invitations.invite("invitee@example.com", ["author"], by=users["admin"])
        token = invitations.token_for(invitation)
    tag = tags.create_tag(users["editor"], "Alpha")
    tags.create_tag(users["editor"], "Beta")
    db.session.commit()
    ids = {
        "invitee": invitation.user_id,
        "invitation": token,
        "other": other_post.id,
        "user": users["norole"].id,
        "locked": locked.id,
        "tf_user": with_two_factor.id,
        "other_key": "other key",
        "role": db.session.scalar(db.select(Role.id).where(Role.name == "author")),
        "tag": tag.id,
    }
    return own, author_post, ids, published


def request_as(client, users, scene, role: str, target: Target):
    own_posts, author_post, ids, published = scene
    own_post = own_posts.get(role, author_post)
    own_published = published.get(role, published["author"])
    values = {**ids, "own": own_post.id, "own_published": own_published.id}
    # A bulk step names each row with the version the list showed, as the list's checkboxes do.
    values["own_version"] = own_post.version
    values["other_version"] = db.session.get(Post, ids["other"]).version
    token = client.token()
    if role != "anonymous":
        client.login(users[role].email)
    if "{own_key}" in str(target.data):
        # Registered once logged in: with a key, the login would ask for it.
        add_security_key(users.get(role, users["author"]), "own key")
        db.session.commit()
        values["own_key"] = "own key"
    url = target.url.format(**values)
    if target.method == "GET":
        return client.get(url), own_post
    data = MultiDict([(name, value.format(**values)) for name, value in target.data])
    data["csrf_token"] = token
    return client.post(url, data=data), own_post


def send_as(client, users, scene, role: str, target: Target):
    """The response, and whether the database changed (taken just around the request
    itself: logging in writes to the audit log, which the state leaves out)."""
    before = []
    real_open = client.open

    def open_target(*args, **kwargs):
        before.append(database_state())  # the last call is the target's
        return real_open(*args, **kwargs)

    client.open = open_target
    try:
        response, _ = request_as(client, users, scene, role, target)
    finally:
        del client.open
    return response, database_state() != before[-1]


@pytest.mark.parametrize(("role", "target", "expected"), CASES)
def test_access(client, users, scene, role, target, expected):
    response, changed = send_as(client, users, scene, role, TARGETS[target])
    assert outcome_of(response, changed) == expected
    if expected != "done":
        assert not changed  # a refused or read-only request leaves every row as it was
    if expected == "login":
        assert "next=" in response.location


def test_anonymous_visitor_is_sent_back_after_login(client, users):
    response = client.get("/admin/posts/?sort=1")
    assert response.location == "/login?next=/admin/posts/?sort%3D1"
    token = client.token()
    response = client.post(
        response.location,
        data={
            "csrf_token": token,
            "email": users["editor"].email,
            "password": "correct horse battery",
        },
    )
    assert response.location == "/admin/posts/?sort=1"


# --- What the allowed and refused writes did to the data. ---


def _post(post_id: int) -> Post | None:
    db.session.expire_all()
    return db.session.get(Post, post_id)


@pytest.mark.parametrize("role", ["author", "editor"])
def test_deleting_another_authors_post(client, users, scene, role):
    _, _, ids, _ = scene
    request_as(client, users, scene, role, TARGETS["post delete other"])
    assert _post(ids["other"]).in_trash == (role == "editor")


def test_bulk_delete_by_an_author_leaves_other_authors_posts(client, users, scene):
    _, _, ids, _ = scene
    request_as(client, users, scene, "author", TARGETS["bulk delete other"])
    assert not _post(ids["other"]).in_trash


def test_author_moves_own_draft_to_the_trash(client, users, scene):
    _, author_post, _, _ = scene
    request_as(client, users, scene, "author", TARGETS["post delete own"])
    assert _post(author_post.id).in_trash


@pytest.mark.parametrize("role", ["author", "editor"])
def test_bulk_publish(client, users, scene, role):
    _, _, ids, _ = scene
    request_as(client, users, scene, role, TARGETS["bulk publish other"])
    expected = PostStatus.PUBLISHED if role == "editor" else PostStatus.DRAFT
    assert _post(ids["other"]).status is expected


def test_editor_bulk_unpublishes(client, users, scene):
    own_posts, _, _, _ = scene
    request_as(client, users, scene, "editor", TARGETS["bulk unpublish own"])
    assert _post(own_posts["editor"].id).status is PostStatus.DRAFT


def test_author_export_holds_only_their_posts(client, users, scene):
    response, _ = request_as(client, users, scene, "author", TARGETS["post export"])
    csv = response.get_data(as_text=True)
    assert "Author post" in csv
    assert "Other post" not in csv
    assert "Editor post" not in csv


def test_author_list_and_count_hold_only_their_posts(client, users, scene):
    response, _ = request_as(client, users, scene, "author", TARGETS["post list"])
    page = response.get_data(as_text=True)
    assert "Author post" in page
    assert "Other post" not in page
    assert "List (2)" in page  # a draft and a published post


def test_author_is_offered_no_publishing_actions_or_fields(client, users, scene):
    response, _ = request_as(client, users, scene, "author", TARGETS["post list"])
    page = response.get_data(as_text=True)
    assert 'data-bulk-action="publish"' not in page
    assert 'data-bulk-action="delete"' in page
    form = client.get("/admin/posts/new/").get_data(as_text=True)
    for field in ("status", "published_at", "author"):
        assert not re.search(rf'<(select|input)[^>]*name="{field}"', form)


def test_author_filter_offers_only_the_authors_they_may_see(client, users, scene):
    response, _ = request_as(client, users, scene, "author", TARGETS["post list"])
    page = response.get_data(as_text=True)
    assert users["author"].email in page
    assert users["other_author"].email not in page


@pytest.mark.parametrize("bad_id", ["999999", "abc", ""])
def test_missing_or_malformed_ids_are_not_found(client, users, bad_id):
    client.login(users["editor"].email)
    response = client.get(f"/admin/posts/edit/?id={bad_id}")
    assert response.status_code in (302, 404) if bad_id == "" else response.status_code == 404
