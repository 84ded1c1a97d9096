"""The readers' author pages: a public name, a bio and published posts; only for an author
readers may see a post of; never an e-mail address; and who may change a profile."""

from __future__ import annotations

import pytest

from cms.accounts import profiles
from cms.extensions import db
from tests.factories import UserFactory
from tests.public.helpers import statements_for
from tests.public.test_site import page_of


@pytest.fixture
def writer(frozen_clock):
    user = UserFactory(roles=["author"], full_name="Ada Lovelace", email="ada@example.com")
    user.bio = "Writes about engines.\n<b>Not bold</b> & plain."
    db.session.commit()
    return user


def test_an_author_page_shows_the_name_bio_and_published_posts(
    client, publish, writer, post_factory
):
    publish("Older", author=writer, hours_ago=5)
    publish("Newer", author=writer, hours_ago=1)
    publish("Scheduled", author=writer, hours_ago=-3)
    post_factory(writer, title="A draft")

    response = client.get("/authors/ada-lovelace")
    page = page_of(response)
    html = response.get_data(as_text=True)

    assert page.all("h1") and "Ada Lovelace" in page.text
    assert "Writes about engines." in page.text
    assert "&lt;b&gt;Not bold&lt;/b&gt; &amp; plain." in html
    assert page.listed == ["Newer", "Older"]
    assert "ada@example.com" not in html


def test_an_author_without_a_published_post_has_no_page(client, writer, post_factory):
    post_factory(writer, title="Only a draft")
    response = client.get("/authors/ada-lovelace")
    assert response.status_code == 404
    assert "Ada Lovelace" not in response.get_data(as_text=True)
    assert client.get("/authors/nobody").status_code == 404


def test_the_post_page_links_its_author(client, writer, publish):
    post = publish("Linked", author=writer)
    page = page_of(client.get(f"/posts/{post.slug}"))
    assert {"rel": "author", "href": "/authors/ada-lovelace"} in page.all("a")


def test_addresses_are_made_from_names_unique_and_never_from_email(frozen_clock):
    first = UserFactory(full_name="Ada Lovelace")
    second = UserFactory(full_name="Ada Lovelace")
    nameless = UserFactory(email="secret.person@example.com")
    assert (first.slug, second.slug) == ("ada-lovelace", "ada-lovelace-2")
    assert nameless.slug.startswith("author")
    assert "secret" not in nameless.slug


def test_an_address_is_kept_when_the_name_changes(writer):
    writer.full_name = "Augusta Ada King"
    db.session.commit()
    assert writer.slug == "ada-lovelace"


def test_a_profile_is_checked_before_it_is_saved(writer):
    other = UserFactory(full_name="Charles Babbage")
    with pytest.raises(profiles.ProfileProblem) as taken:
        profiles.check_profile(other, "ada-lovelace", "")
    assert taken.value.field == "slug"
    with pytest.raises(profiles.ProfileProblem) as long:
        profiles.check_profile(other, "", "x" * (profiles.BIO_MAX + 1))
    assert long.value.field == "bio"
    assert profiles.check_profile(other, "  Charles B!  ", "  ") == ("charles-b", None)


def test_only_the_author_or_an_admin_may_edit_a_profile(users):
    author, other, admin = users["author"], users["other_author"], users["admin"]
    assert profiles.may_edit_profile(author, author)
    assert profiles.may_edit_profile(admin, author)
    assert not profiles.may_edit_profile(other, author)
    assert not profiles.may_edit_profile(users["editor"], author)
    assert not profiles.may_edit_profile(None, author)


@pytest.mark.parametrize("count", [3, 30])
def test_author_pages_cost_the_same_whatever_the_number_of_posts(
    app, client, writer, publish, count
):
    posts = [publish(f"Post {n}", author=writer, hours_ago=n + 1) for n in range(count)]
    assert len(statements_for(app, client, "/authors/ada-lovelace")) == 2
    deep = posts[-2]
    cursor = f"{deep.published_at:%Y-%m-%dT%H:%M:%S.%f}Z_{deep.id}"
    assert len(statements_for(app, client, f"/authors/ada-lovelace?before={cursor}")) <= 3


def test_author_pages_page_like_the_home_page(app, client, writer, publish):
    app.config["POSTS_PER_PAGE"] = 2
    for number in range(3):
        publish(f"Post {number}", author=writer, hours_ago=number + 1)
    try:
        first = page_of(client.get("/authors/ada-lovelace"))
        assert first.listed == ["Post 0", "Post 1"]
        second = page_of(client.get(first.link("next")))
        assert second.listed == ["Post 2"]
        assert second.link("prev") == "/authors/ada-lovelace"
    finally:
        app.config["POSTS_PER_PAGE"] = 10
    assert client.get("/authors/ada-lovelace?before=junk").status_code == 404


def test_an_admin_sets_an_authors_address_and_bio(client, users, publish, frozen_clock):
    from tests.accounts.test_user_admin import edit, field_errors, user_form

    client.login("admin@example.com")
    author = users["author"]
    publish("Out", author=author)
    form = user_form(author.email, roles=["author"], full_name="Grace Hopper")

    taken = edit(client, author, {**form, "slug": users["editor"].slug, "bio": ""})
    assert field_errors(taken, "slug")
    too_long = edit(client, author, {**form, "slug": "", "bio": "x" * 501})
    assert field_errors(too_long, "bio")

    saved = edit(client, author, {**form, "slug": "Grace", "bio": "Wrote <the> compiler."})
    assert saved.status_code == 302
    page = client.get("/authors/grace")
    assert "Wrote &lt;the&gt; compiler." in page.get_data(as_text=True)
    kept = edit(client, author, {**form, "full_name": "Amazing Grace", "slug": ""})
    assert kept.status_code == 302
    assert client.get("/authors/grace").status_code == 200
