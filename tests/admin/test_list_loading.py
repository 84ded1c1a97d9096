"""What the admin's post lists read: the columns they show, not the posts' texts; and the
CSV export a batch at a time, so exporting a million posts never holds them all at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from cms import clock
from cms.admin.posts.editor import PostAdmin
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.statements import recorded_statements

TEXTS = re.compile(r"\bposts\.(summary|body|body_html|excerpt|editor_note)\b")


@pytest.fixture
def posts(users, post_factory):
    made = [
        post_factory(
            users["author"],
            title=f"Post {number}",
            body="A long body. " * 200,
            summary="What it is about.",
            status=PostStatus.PUBLISHED if number % 2 else PostStatus.DRAFT,
        )
        for number in range(30)
    ]
    for post in made[:3]:
        post.deleted_at = clock.utcnow() - timedelta(hours=1)
    db.session.commit()
    return made


@pytest.mark.parametrize("url", ["/admin/posts/", "/admin/trash/", "/admin/"])
def test_the_lists_and_the_dashboard_read_no_post_texts(app, client, users, posts, url):
    client.login(users["admin"].email)
    with recorded_statements(app) as statements:
        page = client.get(url)
    assert page.status_code == 200
    assert "Post 2" in page.get_data(as_text=True)
    assert [s for s in statements if TEXTS.search(s)] == []
    assert any(re.search(r"\bFROM posts\b", s) for s in statements)


def test_the_posts_list_still_shows_what_it_shows(client, users, posts):
    """Columns, state badges, "view on site" and the ``id:version`` checkboxes come from
    the columns the list still reads."""
    client.login(users["admin"].email)
    page = client.get("/admin/posts/").get_data(as_text=True)
    versions = {post.id: post.version for post in posts if post.deleted_at is None}
    ticked = re.findall(r'name="rowid" class="action-checkbox" value="(\d+):(\d+)"', page)
    assert len(ticked) == 20
    assert all(versions[int(post_id)] == int(version) for post_id, version in ticked)
    assert 'data-state="published"' in page and 'data-state="draft"' in page
    published = [post for post in posts if post.status is PostStatus.PUBLISHED]
    assert any(f"/posts/{post.slug}" in page for post in published)


def test_the_export_reads_no_texts_and_as_many_statements_for_many_posts_as_few(
    app, client, users, posts, post_factory
):
    client.login(users["admin"].email)

    def export():
        with recorded_statements(app) as statements:
            response = client.get("/admin/posts/export/csv/")
        assert response.status_code == 200
        return response.get_data(as_text=True), statements

    csv, few = export()
    assert len(csv.strip().splitlines()) == 1 + 27
    assert "A long body" not in csv
    for number in range(20):
        post_factory(users["other_author"], title=f"More {number}")
    csv, many = export()
    assert len(csv.strip().splitlines()) == 1 + 47
    assert len(many) == len(few)
    assert [s for s in many if TEXTS.search(s)] == []


def test_the_export_holds_one_batch_of_posts_at_a_time(client, users, posts, monkeypatch):
    """Each post is written to the CSV before more than a batch past it are loaded: with
    every row read first (``query.all()``), all 27 would be loaded before the first row."""
    monkeypatch.setattr(PostAdmin, "export_batch", 5)
    events = []
    written = PostAdmin.get_export_value

    def logged(view, post, name):
        if name == "id":
            events.append("written")
        return written(view, post, name)

    monkeypatch.setattr(PostAdmin, "get_export_value", logged)
    client.login(users["admin"].email)

    def loaded(target, context):
        events.append("loaded")

    event.listen(Post, "load", loaded)
    try:
        assert client.get("/admin/posts/export/csv/").status_code == 200
    finally:
        event.remove(Post, "load", loaded)
    assert events.count("written") == events.count("loaded") == 27
    held, most = 0, 0
    for what in events:
        held += 1 if what == "loaded" else -1
        most = max(most, held)
    assert most <= 5
