"""Posts through a personal token: the seed's blog API shape (list, get, create, update,
delete by their author, with the permission check), who the token acts as, and what the
answers say and keep private."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from cms import clock
from cms.accounts.models import Role
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from cms.tokens import service as tokens
from tests.api.editorial import bearer, database_state, last_audit

POSTS = "/api/v1/editorial/posts"


def stored(post_id: int) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post_id)


def test_an_author_creates_reads_lists_updates_and_deletes_their_post(client, users):
    headers = bearer(users["author"], "blog script")

    created = client.post(POSTS, json={"title": " Hello ", "body": "*Hi*"}, headers=headers)
    assert created.status_code == 201, created.json
    post = created.json
    assert created.headers["Location"] == post["api_url"]
    assert (post["title"], post["state"], post["author"]["email"]) == (
        "Hello", "draft", "author@example.com",
    )  # fmt: skip
    assert post["steps"] == ["submit"]  # an author can never publish

    read = client.get(f"{POSTS}/{post['id']}", headers=headers)
    assert read.status_code == 200 and read.json["body"] == "*Hi*"
    listed = client.get(POSTS, headers=headers)
    assert [p["id"] for p in listed.json["posts"]] == [post["id"]]

    updated = client.patch(
        f"{POSTS}/{post['id']}",
        json={"title": "Hello again", "version": post["version"]},
        headers=headers,
    )
    assert updated.status_code == 200, updated.json
    assert updated.json["title"] == "Hello again"
    assert updated.json["version"] > post["version"]
    assert updated.json["body"] == "*Hi*"  # a partial update keeps the rest

    deleted = client.delete(f"{POSTS}/{post['id']}", headers=headers)
    assert deleted.status_code == 204
    assert stored(post["id"]).in_trash
    assert client.get(POSTS, headers=headers).json["posts"] == []
    trash = client.get(POSTS, query_string={"trashed": "true"}, headers=headers).json
    assert [p["id"] for p in trash["posts"]] == [post["id"]]

    restored = client.post(f"{POSTS}/{post['id']}/restore", headers=headers)
    assert restored.status_code == 200 and restored.json["state"] == "draft"
    assert not stored(post["id"]).in_trash


def test_every_write_is_in_the_audit_log_with_the_token_and_the_api_door(client, users):
    headers = bearer(users["author"], "blog script")
    post = client.post(POSTS, json={"title": "Logged"}, headers=headers).json
    entry = last_audit()
    assert (entry.action, entry.source, entry.token_name, entry.actor_email) == (
        "post.create", "api", "blog script", "author@example.com",
    )  # fmt: skip
    assert entry.target_id == post["id"]
    client.delete(f"{POSTS}/{post['id']}", headers=headers)
    assert (last_audit().action, last_audit().token_name) == ("post.trash", "blog script")


def test_authors_see_and_change_only_their_own_posts(client, users, post_factory):
    theirs = post_factory(users["other_author"], title="Not yours")
    headers = bearer(users["author"])
    before = database_state()

    assert client.get(f"{POSTS}/{theirs.id}", headers=headers).status_code == 404
    patch = client.patch(
        f"{POSTS}/{theirs.id}", json={"title": "Mine", "version": theirs.version}, headers=headers
    )
    assert patch.status_code == 404
    assert patch.mimetype == "application/problem+json"
    assert client.delete(f"{POSTS}/{theirs.id}", headers=headers).status_code == 404
    assert client.get(POSTS, headers=headers).json["posts"] == []
    assert database_state() == before


def test_editors_see_every_post_drafts_included(client, users, post_factory):
    draft = post_factory(users["author"], title="A draft")
    published = post_factory(users["other_author"], status=PostStatus.PUBLISHED)
    listed = client.get(POSTS, headers=bearer(users["editor"])).json["posts"]
    assert {p["id"] for p in listed} == {draft.id, published.id}
    drafts = client.get(
        POSTS, query_string={"state": "draft"}, headers=bearer(users["editor"], "b")
    )
    assert [p["id"] for p in drafts.json["posts"]] == [draft.id]


def test_a_stale_update_is_refused_and_changes_nothing(client, users, post_factory):
    post = post_factory(users["author"], title="First")
    seen = post.version
    post.title = "Changed in the dashboard"
    db.session.commit()
    before = database_state()

    response = client.patch(
        f"{POSTS}/{post.id}",
        json={"title": "Mine", "version": seen},
        headers=bearer(users["author"]),
    )

    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert "after the version you read" in response.json["detail"]
    assert database_state()[:2] == before[:2]


def test_an_author_cannot_change_their_published_post(client, users, post_factory):
    post = post_factory(users["author"], status=PostStatus.PUBLISHED)
    headers = bearer(users["author"])
    before = database_state()
    response = client.patch(
        f"{POSTS}/{post.id}", json={"title": "Rewritten", "version": post.version}, headers=headers
    )
    assert response.status_code == 403
    assert "no longer yours to change" in response.json["detail"]
    assert client.delete(f"{POSTS}/{post.id}", headers=headers).status_code == 403
    assert database_state()[:2] == before[:2]


def test_an_author_cannot_write_in_anothers_name_but_an_editor_may(client, users):
    other = users["other_author"].id
    refused = client.post(
        POSTS, json={"title": "Theirs", "author_id": other}, headers=bearer(users["author"])
    )
    assert refused.status_code == 403
    made = client.post(
        POSTS, json={"title": "Theirs", "author_id": other}, headers=bearer(users["editor"])
    )
    assert made.status_code == 201 and made.json["author"]["id"] == other
    nobody = client.post(
        POSTS,
        json={"title": "X", "author_id": users["norole"].id},
        headers=bearer(users["editor"], "b"),
    )
    assert nobody.status_code == 422 and "author_id" in nobody.json["errors"]["json"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "T", "status": "published"}, "status"),
        ({"title": "T", "published_at": "2026-01-01T00:00:00Z"}, "published_at"),
        ({"title": "T", "colour": "red"}, "colour"),
        ({"title": "   "}, "title"),
        ({"body": "no title"}, "title"),
        ({"title": "T", "cover_image_url": "javascript:alert(1)"}, "cover_image_url"),
        ({"title": "T", "tags": ["a,b"]}, "tags"),
    ],
)
def test_bad_fields_are_refused_with_field_errors(client, users, body, field):
    headers = bearer(users["editor"])
    before = database_state()
    response = client.post(POSTS, json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    assert field in response.json["errors"]["json"]
    assert database_state() == before


def test_tags_by_name_new_ones_made_for_those_who_may(client, users, app, monkeypatch):
    made = client.post(
        POSTS,
        json={"title": "Tagged", "tags": ["Python", "Flask"]},
        headers=bearer(users["editor"]),
    )
    assert {t["slug"] for t in made.json["tags"]} == {"python", "flask"}
    monkeypatch.setitem(app.config, "TAGS_AUTHORS_MAY_CREATE", False)
    headers = bearer(users["author"])
    before = database_state()
    refused = client.post(POSTS, json={"title": "T", "tags": ["Brand new"]}, headers=headers)
    assert refused.status_code == 422 and "tags" in refused.json["errors"]["json"]
    assert database_state() == before
    kept = client.post(POSTS, json={"title": "T", "tags": ["python"]}, headers=headers)
    assert [t["name"] for t in kept.json["tags"]] == ["Python"]


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer cms_unknown", "Basic dXNlcjpwYXNz", "cms_no_scheme"],
)
def test_without_a_working_token_401_with_a_bearer_challenge(client, users, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    before = database_state()
    response = client.post(POSTS, json={"title": "T"}, headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert database_state() == before


def test_revoked_expired_and_deactivated_tokens_open_nothing(client, users, frozen_clock):
    author = users["author"]
    token, raw = tokens.create(author, "soon revoked", by=author)
    _expiring, raw_expiring = tokens.create(author, "expiring", expires_in_days=1, by=author)
    db.session.commit()
    assert client.get(POSTS, headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    tokens.revoke(token, by=author)
    db.session.commit()
    assert client.get(POSTS, headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    frozen_clock(frozen_clock.now + timedelta(days=2))
    assert client.get(POSTS, headers={"Authorization": f"Bearer {raw_expiring}"}).status_code == 401


def test_a_deactivation_or_a_role_taken_counts_at_the_next_request(client, users, post_factory):
    editor = users["editor"]
    post = post_factory(users["author"])
    headers = bearer(editor)
    assert client.get(f"{POSTS}/{post.id}", headers=headers).status_code == 200
    editor.roles = [db.session.scalar(db.select(Role).where(Role.name == "author"))]
    db.session.commit()
    assert client.get(f"{POSTS}/{post.id}", headers=headers).status_code == 404
    editor.active = False
    db.session.commit()
    assert client.get(POSTS, headers=headers).status_code == 401


def test_a_signed_in_session_cannot_write_through_the_api(client, users):
    client.login(users["editor"].email)
    before = database_state()
    response = client.post(POSTS, json={"title": "By cookie"})
    assert response.status_code == 401
    assert database_state() == before


def test_editorial_answers_are_private_and_public_reads_unchanged(client, users, post_factory):
    post_factory(users["author"], status=PostStatus.PUBLISHED, title="Public")
    headers = bearer(users["editor"])
    private = client.get(POSTS, headers=headers)
    assert private.headers["Cache-Control"] == "private, no-store"
    refused = client.get(POSTS)
    assert refused.headers["Cache-Control"] == "private, no-store"
    anonymous = client.get("/api/v1/posts")
    with_token = client.get("/api/v1/posts", headers=headers)
    assert anonymous.json == with_token.json
    assert with_token.headers["Cache-Control"] == anonymous.headers["Cache-Control"]
    assert "private" not in anonymous.headers["Cache-Control"]


def test_the_editorial_list_pages_by_cursor(client, users, post_factory, frozen_clock):
    for hours in range(5):
        frozen_clock(frozen_clock.now + timedelta(hours=1))
        post_factory(users["author"], title=f"P{hours}")
    headers = bearer(users["editor"])
    first = client.get(POSTS, query_string={"limit": 2}, headers=headers).json
    assert [p["title"] for p in first["posts"]] == ["P4", "P3"]
    second = client.get(
        POSTS, query_string={"limit": 2, "before": first["next_cursor"]}, headers=headers
    ).json
    assert [p["title"] for p in second["posts"]] == ["P2", "P1"]
    assert client.get(first["next"], headers=headers).json == second
    last = client.get(POSTS, query_string={"before": second["next_cursor"]}, headers=headers).json
    assert [p["title"] for p in last["posts"]] == ["P0"] and last["next_cursor"] is None
    assert clock.utcnow()  # the frozen clock


def test_the_spec_names_the_token_and_every_status_of_the_editorial_side(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["personalToken"]["scheme"] == "bearer"
    editorial = {p: ops for p, ops in spec["paths"].items() if p.startswith("/api/v1/editorial/")}
    assert editorial
    for path, operations in editorial.items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert operation["security"] == [{"personalToken": []}], (method, path)
            assert {"400", "401", "422", "429"} <= set(operation["responses"]), (method, path)


def test_a_token_is_checked_for_each_request_even_in_one_app_context(app, users):
    """Found by schemathesis, which sends its requests inside one app context: the token
    checked for one request was kept in ``g`` and opened the next request's door too."""
    headers = bearer(users["editor"])
    plain = FlaskClient(app)  # not CMSClient: the requests share the test's app context
    assert plain.get(POSTS, headers=headers).status_code == 200
    assert plain.get(POSTS, headers={"Authorization": "Bearer cms_wrong"}).status_code == 401
    assert plain.get(POSTS).status_code == 401


def test_the_dashboards_audit_log_shows_the_token(client, users):
    client.post(POSTS, json={"title": "Seen"}, headers=bearer(users["author"], "nightly import"))
    client.login(users["admin"].email)
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "nightly import" in page and ">api<" in page.replace(" ", "").replace("\n", "")


def test_a_published_post_with_a_numeric_slug_is_still_the_public_sides(
    client, users, post_factory
):
    """Posts are named by id only under /editorial/: /api/v1/posts/<digits> stays a slug."""
    post = post_factory(users["author"], status=PostStatus.PUBLISHED, slug="2024", title="Year")
    for headers in ({}, bearer(users["editor"])):
        response = client.get("/api/v1/posts/2024", headers=headers)
        assert response.status_code == 200 and response.json["id"] == post.id
