"""The editor's optional fields for search engines and link previews: saved, checked with
field errors (never a 500 or a half-saved post), and kept by revisions."""

from __future__ import annotations

import pytest

from cms.extensions import db
from cms.posts import revisions
from cms.posts.models import Post, PostRevision


def test_the_editor_saves_a_cover_and_an_seo_title_and_description(write):
    post_id = write(
        title="Soup",
        cover_image_url="  https://images.example.org/soup.jpg ",
        seo_title="The best soups",
        seo_description="Ten soups, ranked.",
    )

    post = db.session.get(Post, post_id)
    assert post.cover_image_url == "https://images.example.org/soup.jpg"
    assert post.seo_title == "The best soups"
    assert post.seo_description == "Ten soups, ranked."
    revision = db.session.scalars(
        db.select(PostRevision).where(PostRevision.post_id == post_id)
    ).one()
    assert revision.seo_title == "The best soups"
    assert revision.cover_image_url == "https://images.example.org/soup.jpg"


def test_left_empty_they_are_empty(write):
    post = db.session.get(Post, write(title="Plain"))
    assert (post.cover_image_url, post.seo_title, post.seo_description) == ("", "", "")


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("cover_image_url", "javascript:alert(1)", "starting with https:// or http://"),
        ("cover_image_url", "/static/cover.jpg", "starting with https:// or http://"),
        ("cover_image_url", "https://", "starting with https:// or http://"),
        ("cover_image_url", "https://example.org/a b.jpg", "starting with https:// or http://"),
        ("cover_image_url", "https://example.org/" + "x" * 2000, "longer than 2000"),
        ("seo_title", "x" * 71, "longer than 70"),
        ("seo_description", "x" * 161, "longer than 160"),
    ],
)
def test_bad_values_get_field_errors_and_save_nothing(client, users, field, value, error):
    client.login(users["editor"].email)
    form = {"title": "Soup", "slug": "", "summary": "", "body": "", "author": users["editor"].id}

    response = client.submit("/admin/posts/new/", {**form, field: value})

    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Post.id))) == 0


def test_restoring_a_revision_brings_its_seo_fields_back(write, users):
    post_id = write(title="Soup", seo_title="First", cover_image_url="https://a.example/1.jpg")
    write(post_id, seo_title="Second", cover_image_url="")
    post = db.session.get(Post, post_id)
    first = post.revisions[-1]

    revisions.restore(post, first, users["editor"])

    assert post.seo_title == "First"
    assert post.cover_image_url == "https://a.example/1.jpg"
    assert [diff.name for diff in revisions.compare(first, post.revisions[0])] == [
        "cover_image_url",
        "seo_title",
    ]
