"""Changing a published post's slug keeps its old address working: 301 to the new one."""

from __future__ import annotations

import html

import pytest

from cms.extensions import db
from cms.posts.models import Post, PostStatus


@pytest.fixture
def rename(client, users):
    """Change a post's slug through the admin's edit form, as an editor does."""
    client.login(users["editor"].email)

    def change(post: Post, new_slug: str) -> None:
        db.session.refresh(post)
        response = client.submit(
            f"/admin/posts/edit/?id={post.id}",
            {
                "title": post.title,
                "slug": new_slug,
                "summary": post.summary,
                "body": post.body,
                "author": str(post.author_id),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)

    return change


@pytest.fixture
def live_post(users, post_factory):
    return post_factory(
        users["author"], title="Moving day", slug="first", status=PostStatus.PUBLISHED
    )


def test_the_old_address_answers_301_to_the_new_one(client, rename, live_post):
    rename(live_post, "second")
    response = client.get("/posts/first")
    assert response.status_code == 301
    assert response.location == "/posts/second"
    assert client.get("/posts/second").status_code == 200


def test_every_earlier_address_leads_to_the_current_one(client, rename, live_post):
    rename(live_post, "second")
    rename(live_post, "third")
    assert client.get("/posts/first").location == "/posts/third"
    assert client.get("/posts/second").location == "/posts/third"


def test_going_back_to_an_old_address_makes_no_loop(client, rename, live_post):
    rename(live_post, "second")
    rename(live_post, "first")
    assert client.get("/posts/first").status_code == 200
    assert client.get("/posts/second").location == "/posts/first"


def test_a_draft_keeps_no_old_addresses(client, rename, users, post_factory):
    draft = post_factory(users["author"], title="Unseen", slug="unseen")
    rename(draft, "still-unseen")
    assert db.session.scalars(db.select(Post)).one().old_slugs == []


def test_no_redirect_to_a_post_readers_cannot_see(client, rename, live_post):
    rename(live_post, "second")
    db.session.refresh(live_post)
    live_post.status = PostStatus.DRAFT
    db.session.commit()
    assert client.get("/posts/first").status_code == 404


def test_a_post_now_at_an_old_address_wins_over_the_redirect(
    client, rename, live_post, users, post_factory
):
    rename(live_post, "second")
    post_factory(users["author"], title="New tenant", slug="first", status=PostStatus.PUBLISHED)
    response = client.get("/posts/first")
    assert response.status_code == 200
    assert "New tenant" in response.get_data(as_text=True)


def test_an_old_address_is_not_given_to_another_post(client, rename, live_post, users):
    rename(live_post, "second")
    response = client.submit(
        "/admin/posts/new/",
        {
            "title": "Takeover",
            "slug": "first",
            "summary": "",
            "body": "",
            "author": users["editor"].id,
        },
    )
    assert response.status_code == 200
    assert (
        "The address /posts/first is an old address of “Moving day” (published), kept so "
        "that links to it keep working."
    ) in html.unescape(response.get_data(as_text=True))
    client.submit(
        "/admin/posts/new/",
        {"title": "First", "slug": "", "summary": "", "body": "", "author": users["editor"].id},
    )
    newest = db.session.scalars(db.select(Post).order_by(Post.id.desc())).first()
    assert newest.slug == "first-2"
    assert client.get("/posts/first").location == "/posts/second"
