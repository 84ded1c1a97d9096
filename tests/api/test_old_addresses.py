"""A slug that changed keeps its API addresses working, as on the site: a post's, an
author's, and a tag or author named in a list's filter answer 301 to the new address."""

from __future__ import annotations

import pytest

from cms.accounts import profiles
from cms.extensions import db
from cms.posts.models import PostStatus
from cms.posts.slugs import remember_old_slug
from cms.tags import service as tags


@pytest.fixture
def moved_post(publish):
    post = publish("Moving day", slug="first")
    remember_old_slug(post, "first")
    post.slug = "second"
    db.session.commit()
    return post


@pytest.fixture
def moved_author(publish, users):
    author = users["author"]
    author.slug = "ada"
    db.session.commit()
    publish("Engines")
    profiles.set_profile(author, "countess", None)
    db.session.commit()
    return author


@pytest.fixture
def renamed_tag(publish, tag, users):
    js = tag("JS")
    publish("Scripted", tagged=[js])
    js.name, js.slug = "JavaScript", ""
    tags.prepare_for_save(js, users["editor"], is_new=False)
    db.session.commit()
    return js


def test_a_posts_old_slug_answers_301_to_its_new_api_address(client, moved_post):
    moved = client.get("/api/v1/posts/first")

    assert moved.status_code == 301
    assert moved.location == "http://localhost/api/v1/posts/second"
    assert moved.data == b"" and "Content-Type" not in moved.headers
    assert client.get(moved.location).json["title"] == "Moving day"


def test_an_old_slug_of_a_post_readers_may_no_longer_see_is_404(client, moved_post):
    moved_post.status = PostStatus.DRAFT
    db.session.commit()
    assert client.get("/api/v1/posts/first").status_code == 404


def test_an_authors_old_slug_answers_301_to_their_new_api_address(client, moved_author):
    moved = client.get("/api/v1/authors/ada")

    assert moved.status_code == 301
    assert moved.location == "http://localhost/api/v1/authors/countess"
    assert client.get(moved.location).json["slug"] == "countess"


def test_a_list_filtered_by_an_old_tag_slug_answers_301_keeping_its_arguments(client, renamed_tag):
    moved = client.get("/api/v1/posts?tag=js&limit=1&fields=title")

    assert moved.status_code == 301
    assert moved.location == "http://localhost/api/v1/posts?tag=javascript&limit=1&fields=title"
    assert client.get(moved.location).json["posts"] == [{"title": "Scripted"}]


def test_a_search_by_an_old_author_slug_answers_301(client, moved_author):
    moved = client.get("/api/v1/posts?q=engines&author=ada")

    assert moved.status_code == 301
    assert moved.location == "http://localhost/api/v1/posts?q=engines&author=countess"
    assert [p["title"] for p in client.get(moved.location).json["posts"]] == ["Engines"]


def test_an_unknown_filter_beside_an_old_one_is_an_empty_page_not_a_301(client, renamed_tag):
    response = client.get("/api/v1/posts?tag=js&author=nobody")
    assert response.status_code == 200 and response.json["posts"] == []


def test_the_spec_documents_the_301s_with_their_location(client):
    spec = client.get("/api/v1/openapi.json").json

    for path in ("/api/v1/posts", "/api/v1/posts/{slug}", "/api/v1/authors/{slug}"):
        moved = spec["paths"][path]["get"]["responses"]["301"]
        assert "Location" in moved["headers"] and "content" not in moved, path
    assert "301" not in spec["paths"]["/api/v1/tags"]["get"]["responses"]
