"""Writing and publishing posts through the admin forms, as a browser would (CSRF included)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from cms.extensions import db
from cms.posts.models import TITLE_MAX, Post, PostStatus


def _posts() -> list[Post]:
    db.session.expire_all()
    return db.session.scalars(db.select(Post).order_by(Post.id)).all()


def _new_post_form(**fields) -> dict:
    return {"title": "A title", "slug": "", "summary": "", "body": "", **fields}


def test_editor_writes_publishes_and_readers_see_it(client, users):
    client.login(users["editor"].email)
    response = client.submit(
        "/admin/posts/new/",
        _new_post_form(
            title="Spring is here",
            body="The **first** buds.",
            status="draft",
            author=str(users["editor"].id),
        ),
    )
    assert response.status_code == 302
    [post] = _posts()
    assert (post.slug, post.status, post.author_id) == (
        "spring-is-here",
        PostStatus.DRAFT,
        users["editor"].id,
    )
    assert client.get("/posts/spring-is-here").status_code == 404
    assert "Spring is here" not in client.get("/").get_data(as_text=True)

    edit_url = f"/admin/posts/edit/?id={post.id}"
    response = client.submit(
        "/admin/posts/transition/", {"id": post.id, "transition": "publish"}, form_url=edit_url
    )
    assert response.status_code == 302
    [post] = _posts()
    assert post.status is PostStatus.PUBLISHED
    assert post.published_at is not None

    client.logout()
    page = client.get("/posts/spring-is-here")
    assert page.status_code == 200
    assert "<strong>first</strong>" in page.get_data(as_text=True)
    assert "Spring is here" in client.get("/").get_data(as_text=True)


def test_author_writes_a_draft_as_themself(client, users):
    client.login(users["author"].email)
    response = client.submit("/admin/posts/new/", _new_post_form(title="My first draft"))
    assert response.status_code == 302
    [post] = _posts()
    assert post.author_id == users["author"].id
    assert post.status is PostStatus.DRAFT


@pytest.mark.parametrize(
    "crafted",
    [
        {"status": "published"},
        {"published_at": "2020-01-01 00:00:00"},
        {"status": "published", "published_at": "2020-01-01 00:00:00"},
    ],
)
def test_author_cannot_publish_with_a_crafted_form(client, users, crafted):
    client.login(users["author"].email)
    client.submit("/admin/posts/new/", _new_post_form(title="Sneaky", **crafted))
    [post] = _posts()
    assert post.status is PostStatus.DRAFT
    assert post.published_at is None
    assert client.get(f"/posts/{post.slug}").status_code == 404


def test_author_cannot_publish_their_post_by_editing_it(client, users, post_factory):
    post = post_factory(users["author"], title="Draft")
    client.login(users["author"].email)
    client.submit(
        f"/admin/posts/edit/?id={post.id}",
        _new_post_form(title="Draft", slug=post.slug, status="published"),
    )
    assert _posts()[0].status is PostStatus.DRAFT


def test_author_cannot_give_their_post_to_someone_else(client, users, post_factory):
    post = post_factory(users["author"], title="Mine")
    client.login(users["author"].email)
    client.submit(
        f"/admin/posts/edit/?id={post.id}",
        _new_post_form(title="Mine", slug=post.slug, author=str(users["other_author"].id)),
    )
    assert _posts()[0].author_id == users["author"].id


def test_editing_keeps_a_published_posts_status_and_time(client, users, post_factory):
    post = post_factory(users["author"], title="Live", status=PostStatus.PUBLISHED)
    published_at = post.published_at
    client.login(users["editor"].email)
    response = client.submit(
        f"/admin/posts/edit/?id={post.id}",
        _new_post_form(title="Live, corrected", slug=post.slug, author=str(users["author"].id)),
    )
    assert response.status_code == 302
    [post] = _posts()
    assert (post.title, post.status, post.published_at) == (
        "Live, corrected",
        PostStatus.PUBLISHED,
        published_at,
    )


def test_editing_the_post_of_a_deactivated_author_keeps_its_author(client, users, post_factory):
    post = post_factory(users["author"], title="Theirs")
    users["author"].active = False
    db.session.commit()
    client.login(users["editor"].email)
    form = client.get(f"/admin/posts/edit/?id={post.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{users["author"].id}">', form)
    response = client.submit(
        f"/admin/posts/edit/?id={post.id}",
        _new_post_form(
            title="Theirs, edited", slug=post.slug, status="draft", author=str(users["author"].id)
        ),
    )
    assert response.status_code == 302
    assert _posts()[0].author_id == users["author"].id


@pytest.mark.parametrize("bogus", ["999999", "abc"])
def test_an_unknown_author_is_a_field_error_not_the_editor(client, users, bogus):
    client.login(users["editor"].email)
    response = client.submit(
        "/admin/posts/new/", _new_post_form(title="Whose?", status="draft", author=bogus)
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _posts() == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": ""}, "This field is required."),
        ({"title": "   "}, "This field is required."),
        ({"title": "x" * (TITLE_MAX + 1)}, f"Field cannot be longer than {TITLE_MAX} characters."),
        ({"summary": "x" * 501}, "Field cannot be longer than 500 characters."),
        ({"slug": "taken"}, "The address /posts/taken belongs to “Existing” (published)."),
        ({"slug": "Taken"}, "The address /posts/taken belongs to “Existing” (published)."),
    ],
    ids=["empty", "blank", "long-title", "long-summary", "duplicate-slug", "slug-case"],
)
def test_bad_input_gets_a_field_error_and_saves_nothing(client, users, post_factory, fields, error):
    # A published post holds its address (drafts may share one: see tests/posts/test_slugs.py).
    post_factory(users["editor"], title="Existing", slug="taken", status=PostStatus.PUBLISHED)
    client.login(users["editor"].email)
    response = client.submit(
        "/admin/posts/new/",
        _new_post_form(**{"status": "draft", "author": str(users["editor"].id), **fields}),
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert error in page
    assert "is-invalid" in page or "invalid-feedback" in page
    assert len(_posts()) == 1


def test_slug_is_made_from_the_title_and_kept_unique(client, users, post_factory):
    post_factory(users["editor"], title="Hello", slug="grusse-aus-koln")
    client.login(users["editor"].email)
    client.submit(
        "/admin/posts/new/",
        _new_post_form(title="Grüße aus Köln", status="draft", author=str(users["editor"].id)),
    )
    assert _posts()[-1].slug == "grusse-aus-koln-2"


def test_an_edited_slug_is_normalised(client, users):
    client.login(users["editor"].email)
    client.submit(
        "/admin/posts/new/",
        _new_post_form(
            title="T", slug="  My Custom Slug! ", status="draft", author=str(users["editor"].id)
        ),
    )
    assert _posts()[-1].slug == "my-custom-slug"


def test_list_search_and_filters(client, users, post_factory):
    post_factory(users["author"], title="Apple pie", status=PostStatus.PUBLISHED)
    post_factory(users["author"], title="Apple crumble")
    post_factory(users["other_author"], title="Banana bread")
    client.login(users["editor"].email)

    page = client.get("/admin/posts/?search=apple").get_data(as_text=True)
    assert "Apple pie" in page and "Apple crumble" in page and "Banana bread" not in page

    page = client.get("/admin/posts/?flt0_0=draft").get_data(as_text=True)
    assert "Apple crumble" in page and "Banana bread" in page and "Apple pie" not in page

    page = client.get(f"/admin/posts/?flt0_1={users['other_author'].id}").get_data(as_text=True)
    assert "Banana bread" in page and "Apple" not in page


@pytest.mark.parametrize("value", ["bogus", "1; drop table posts"])
def test_bad_filter_values_do_not_fail(client, users, post_factory, value):
    post_factory(users["author"], title="Still here")
    client.login(users["editor"].email)
    for arg in ("flt0_0", "flt0_1"):
        response = client.get("/admin/posts/", query_string={arg: value})
        assert response.status_code == 200
        assert "Still here" in response.get_data(as_text=True)


def test_export_is_csv_and_neutralises_formulas(client, users, post_factory):
    post_factory(users["author"], title='=HYPERLINK("http://evil.example","x")')
    client.login(users["editor"].email)
    response = client.get("/admin/posts/export/csv/")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["Title"].startswith("'=")
    assert rows[0]["Author"] == users["author"].email
    assert "password" not in response.get_data(as_text=True).lower()


def test_dashboard_counts_only_what_the_user_may_see(client, users, post_factory):
    post_factory(users["author"], title="Mine")
    post_factory(users["other_author"], title="Theirs")
    post_factory(users["other_author"], title="Theirs too", status=PostStatus.PUBLISHED)
    client.login(users["author"].email)
    page = client.get("/admin/").get_data(as_text=True)
    assert 'data-status-count="draft">1<' in page
    assert 'data-status-count="published">0<' in page
    assert "Theirs" not in page
