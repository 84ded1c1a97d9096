"""No stale author page: an author who changes their bio or address on their profile page
sees readers get the change at once, though the old page was cached, on another instance
(sharing Redis, or sharing only the version file as gunicorn's workers do)."""

from __future__ import annotations

import pytest

from cms.extensions import db
from cms.posts.models import PostStatus
from tests.public.caching_sites import (
    cached,
    read,
)


@pytest.fixture
def author(instances, users, post_factory):
    """An author with a page, signed in on the first instance: ``author.client``."""
    writer, _ = instances
    user = users["author"]
    user.full_name, user.slug, user.bio = "Ada Lovelace", "ada", "Writes about engines."
    db.session.commit()
    post_factory(user, title="Engines", status=PostStatus.PUBLISHED)
    user.client = writer.test_client()
    user.client.login(user.email)
    return user


def save_profile(author, **fields) -> None:
    form = {"full_name": author.full_name, "slug": author.slug, "bio": author.bio, **fields}
    response = author.client.submit("/admin/profile/", form)
    assert response.status_code == 302, response.get_data(as_text=True)


def test_a_new_bio_alone_shows_at_once(instances, author):
    """The bio is on the author page only: its change alone must make the page fresh."""
    _, site = instances
    client = site.test_client()
    assert "Writes about engines." in cached(site, client, "/authors/ada").text

    save_profile(author, bio="Writes about numbers.")

    assert "Writes about numbers." in read(site, client, "/authors/ada").text


@pytest.mark.parametrize("address", ["/authors/ada", "/posts/engines"])
def test_a_new_public_name_shows_at_once(instances, author, address):
    _, site = instances
    client = site.test_client()
    assert "Ada Lovelace" in cached(site, client, address).text

    save_profile(author, full_name="Ada King")

    assert "Ada King" in read(site, client, address).text


def test_a_new_address_is_followed_at_once(instances, author):
    _, site = instances
    client = site.test_client()
    assert cached(site, client, "/authors/ada").status == 200
    assert read(site, client, "/authors/countess").status == 404
    before = cached(site, client, "/posts/engines")

    save_profile(author, slug="countess")

    moved = read(site, client, "/authors/ada")
    assert moved.status == 301 and moved.headers["Location"] == "/authors/countess"
    assert read(site, client, "/authors/countess").status == 200  # the 404 was not kept
    after = read(site, client, "/posts/engines")
    assert 'href="/authors/countess"' in after.text  # the post links the new address
    assert after.headers["ETag"] != before.headers["ETag"]
