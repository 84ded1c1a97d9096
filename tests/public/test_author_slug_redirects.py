"""Changing an author page's address keeps the old one working: 301 to the new one, until
another author takes the address (the author holding it now wins)."""

from __future__ import annotations

import pytest

from cms.accounts.models import AuthorSlugRedirect, User
from cms.extensions import db
from cms.posts.models import PostStatus
from tests.accounts.test_user_admin import edit, user_form
from tests.factories import UserFactory


@pytest.fixture
def move(client):
    """Change a person's address on their own profile page, signed in as them."""

    def change(user: User, new_slug: str) -> None:
        client.login(user.email)
        response = client.submit("/admin/profile/", {"full_name": "", "slug": new_slug, "bio": ""})
        assert response.status_code == 302, response.get_data(as_text=True)
        client.logout()

    return change


@pytest.fixture
def ada(users, post_factory):
    author = users["author"]
    author.slug = "ada"
    db.session.commit()
    post_factory(author, title="Engines", status=PostStatus.PUBLISHED)
    return author


def test_the_old_address_answers_301_to_the_new_one(client, move, ada):
    move(ada, "countess")
    response = client.get("/authors/ada?before=2026-01-01T00:00:00.000000Z_1")
    assert response.status_code == 301
    assert response.location == "/authors/countess?before=2026-01-01T00:00:00.000000Z_1"
    assert client.get("/authors/ada").location == "/authors/countess"
    assert client.get("/authors/countess").status_code == 200


def test_every_earlier_address_leads_to_the_current_one(client, move, ada):
    move(ada, "countess")
    move(ada, "lovelace")
    assert client.get("/authors/ada").location == "/authors/lovelace"
    assert client.get("/authors/countess").location == "/authors/lovelace"


def test_going_back_to_an_old_address_makes_no_loop(client, move, ada):
    move(ada, "countess")
    move(ada, "ada")
    assert client.get("/authors/ada").status_code == 200
    assert client.get("/authors/countess").location == "/authors/ada"
    assert db.session.scalars(db.select(AuthorSlugRedirect.old_slug)).all() == ["countess"]


def test_an_admin_changing_the_address_keeps_the_old_one_too(client, users, ada):
    client.login(users["admin"].email)
    form = user_form(ada.email, roles=["author"])
    assert edit(client, ada, {**form, "slug": "ada-king", "bio": ""}).status_code == 302
    client.logout()
    assert client.get("/authors/ada").location == "/authors/ada-king"


def test_a_given_up_address_may_be_taken_and_then_is_the_new_authors(
    client, move, users, ada, post_factory
):
    move(ada, "countess")
    other = users["other_author"]
    move(other, "ada")  # not refused: nobody holds it now
    # The new holder has no page yet: no page there, and no redirect to the one who left.
    assert client.get("/authors/ada").status_code == 404
    post_factory(other, title="Mine now", status=PostStatus.PUBLISHED)
    page = client.get("/authors/ada")
    assert page.status_code == 200 and "Mine now" in page.get_data(as_text=True)
    # When the new holder leaves it in turn, it leads to them.
    move(other, "someone-else")
    assert client.get("/authors/ada").location == "/authors/someone-else"


def test_no_redirect_to_an_author_readers_cannot_see(client, move, ada, post_factory):
    move(ada, "countess")
    db.session.execute(db.update(db.metadata.tables["posts"]).values(status=PostStatus.DRAFT))
    db.session.commit()
    assert client.get("/authors/ada").status_code == 404
    assert client.get("/authors/countess").status_code == 404


def test_deleting_an_account_deletes_its_old_addresses(users):
    user = users["norole"]
    user.old_slugs.append(AuthorSlugRedirect(old_slug="gone"))
    db.session.commit()
    db.session.delete(user)
    db.session.commit()
    assert db.session.scalars(db.select(AuthorSlugRedirect)).all() == []


def test_a_new_account_is_not_given_an_address_someone_left(client, move, ada):
    move(ada, "countess")
    newcomer = UserFactory(roles=["author"], full_name="Ada")
    assert newcomer.slug == "ada-2"
    assert client.get("/authors/ada").location == "/authors/countess"


def test_the_old_feed_address_leads_to_the_new_feed(client, move, ada):
    """Feed readers subscribed to the old address follow the 301 and keep the feed."""
    move(ada, "countess")
    response = client.get("/authors/ada/feed.xml")
    assert response.status_code == 301
    assert response.location == "/authors/countess/feed.xml"
    assert client.get("/authors/countess/feed.xml").status_code == 200
