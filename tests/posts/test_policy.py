"""Who may do what to which post: ``can``, its SQL twin ``admin_scope``, ``assignable_authors``."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from cms.extensions import db
from cms.posts import policy, service
from cms.posts.models import Post, PostStatus
from cms.posts.policy import Action
from tests.factories import UserFactory

T, F = True, False
ACTIONS = (Action.VIEW, Action.CREATE, Action.EDIT, Action.DELETE, Action.PUBLISH)

# Who asks, about which post  ->  may they  VIEW  CREATE  EDIT  DELETE  PUBLISH
EXPECTED = {
    "admin, someone's post": (T, T, T, T, T),
    "editor, someone's post": (T, T, T, T, T),
    "author, own post": (T, T, T, T, F),
    "author, another's post": (F, F, F, F, F),
    "author, no post given": (T, T, T, T, F),
    "user with no role, someone's post": (F, F, F, F, F),
    "anonymous, someone's post": (F, F, F, F, F),
    "deactivated editor, someone's post": (F, F, F, F, F),
    "deactivated author, own post": (F, F, F, F, F),
}


def _cases() -> list:
    cases = []
    for subject, row in EXPECTED.items():
        for action, expected in zip(ACTIONS, row, strict=True):
            cases.append(pytest.param(subject, action, expected, id=f"{subject}-{action}"))
    return cases


@pytest.fixture
def subjects(users, post_factory):
    """Each row of the table as (user, post): the post is built new for the question."""
    deactivated_editor = UserFactory(roles=["editor"], active=False)
    deactivated_author = UserFactory(roles=["author"], active=False)
    authors_post = post_factory(users["author"])
    others_post = post_factory(users["other_author"], status=PostStatus.PUBLISHED)
    return {
        "admin, someone's post": (users["admin"], authors_post),
        "editor, someone's post": (users["editor"], authors_post),
        "author, own post": (users["author"], authors_post),
        "author, another's post": (users["author"], others_post),
        "author, no post given": (users["author"], None),
        "user with no role, someone's post": (users["norole"], authors_post),
        "anonymous, someone's post": (AnonymousUserMixin(), authors_post),
        "deactivated editor, someone's post": (deactivated_editor, authors_post),
        "deactivated author, own post": (deactivated_author, post_factory(deactivated_author)),
    }


@pytest.mark.parametrize(("subject", "action", "expected"), _cases())
def test_can(subjects, subject, action, expected):
    user, post = subjects[subject]
    assert policy.can(user, action, post) is expected


@pytest.mark.parametrize(("subject", "action", "expected"), _cases())
def test_require_agrees_with_can(subjects, subject, action, expected):
    user, post = subjects[subject]
    if expected:
        policy.require(user, action, post)
    else:
        with pytest.raises(policy.PermissionDenied):
            policy.require(user, action, post)


@pytest.fixture
def posts_by_two_authors(users, post_factory):
    return [
        post_factory(users["author"], title="Author draft"),
        post_factory(users["author"], title="Author published", status=PostStatus.PUBLISHED),
        post_factory(users["other_author"], title="Other draft"),
        post_factory(users["other_author"], title="Other published", status=PostStatus.PUBLISHED),
        post_factory(users["editor"], title="Editor's own"),
    ]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("admin", {"Author draft", "Author published", "Other draft", "Other published",
                   "Editor's own"}),
        ("editor", {"Author draft", "Author published", "Other draft", "Other published",
                    "Editor's own"}),
        ("author", {"Author draft", "Author published"}),
        ("other_author", {"Other draft", "Other published"}),
        ("norole", set()),
        ("anonymous", set()),
        ("deactivated editor", set()),
    ],
)  # fmt: skip
def test_admin_scope_selects_exactly_the_posts_can_view_allows(
    users, posts_by_two_authors, who, sees
):
    if who == "anonymous":
        user = AnonymousUserMixin()
    elif who == "deactivated editor":
        user = UserFactory(roles=["editor"], active=False)
    else:
        user = users[who]

    in_scope = set(db.session.scalars(select(Post).where(policy.admin_scope(user))))
    viewable = {post for post in posts_by_two_authors if policy.can(user, Action.VIEW, post)}

    assert in_scope == viewable
    assert {post.title for post in in_scope} == sees


def test_editor_may_assign_active_staff_only(users):
    UserFactory(roles=["editor"], active=False, email="gone-editor@example.com")
    UserFactory(roles=["author"], active=False, email="gone-author@example.com")

    assignable = db.session.scalars(policy.assignable_authors(users["editor"])).all()

    assert [user.email for user in assignable] == [
        "admin@example.com",
        "author@example.com",
        "editor@example.com",
        "other-author@example.com",
    ]


def test_admin_may_assign_the_same_people_as_an_editor(users):
    by_admin = db.session.scalars(policy.assignable_authors(users["admin"])).all()
    by_editor = db.session.scalars(policy.assignable_authors(users["editor"])).all()
    assert by_admin == by_editor
    assert users["norole"] not in by_admin


def test_author_may_assign_only_themself(users):
    assignable = db.session.scalars(policy.assignable_authors(users["author"])).all()
    assert assignable == [users["author"]]


@pytest.mark.parametrize("who", ["norole", "anonymous"])
def test_nobody_else_may_assign_anyone_but_themself(users, who):
    user = AnonymousUserMixin() if who == "anonymous" else users[who]
    assignable = db.session.scalars(policy.assignable_authors(user)).all()
    assert users["admin"] not in assignable
    assert users["editor"] not in assignable
    assert users["author"] not in assignable


def test_an_author_cannot_create_a_post_in_another_authors_name(users):
    with pytest.raises(policy.PermissionDenied):
        service.create_post(users["author"], author=users["other_author"], title="Forged")
    titles = db.session.scalars(select(Post.title).where(Post.author == users["other_author"]))
    assert "Forged" not in list(titles)
