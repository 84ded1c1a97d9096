"""Tags in the post form: picked from the tags that exist, new ones typed where the policy
allows (authors: ``TAGS_AUTHORS_MAY_CREATE``), saved with the post in one transaction, in
its revisions and in the audit log; the picker's lookup."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts.models import Post, PostRevision, PostStatus
from cms.tags import service as tags
from cms.tags.models import Tag
from tests.client import flashed, hidden_fields_in


def _post(post_id: int) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post_id)


def _tag_names(post_id: int) -> list[str]:
    return [tag.name for tag in _post(post_id).tags]


def _all_tags() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(select(Tag.name).order_by(Tag.name)).all()


@pytest.fixture
def existing(users):
    made = {name: tags.create_tag(users["editor"], name) for name in ("Python", "Flask", "Tea")}
    db.session.commit()
    return made


def _write_as(client, user, post_id=None, **fields):
    """Save the post form as ``user`` (logged in), as the browser sends it."""
    url = "/admin/posts/new/" if post_id is None else f"/admin/posts/edit/?id={post_id}"
    form = {"title": "Tagged", "slug": "", "summary": "", "body": "Words.", "author": user.id}
    if post_id is not None:
        post = _post(post_id)
        form.update(title=post.title, slug=post.slug, body=post.body, author=post.author_id)
    form.update(fields)
    return client.submit(url, form)


def _newest_post_id() -> int:
    return db.session.scalar(select(Post.id).order_by(Post.id.desc()).limit(1))


def test_an_editor_picks_tags_and_makes_a_new_one(client, users, existing):
    client.login(users["editor"].email)
    response = _write_as(client, users["editor"], tags="python,+Rust Lang,flask")
    assert response.status_code == 302
    post_id = _newest_post_id()
    assert _tag_names(post_id) == ["Flask", "Python", "Rust Lang"]
    assert _all_tags() == ["Flask", "Python", "Rust Lang", "Tea"]
    assert tags.find("rust-lang").name == "Rust Lang"


def test_the_edit_form_shows_the_posts_tags_to_the_picker(client, users, existing):
    client.login(users["editor"].email)
    _write_as(client, users["editor"], tags="tea,python")
    page = client.get(f"/admin/posts/edit/?id={_newest_post_id()}").get_data(as_text=True)
    fields = hidden_fields_in(page)
    assert fields["tags"] == "python,tea"
    assert 'data-tag-picker="multiple"' in page
    assert "/static/js/tag_picker.js" in page
    chosen = json.loads(page.split('data-chosen="', 1)[1].split('"', 1)[0].replace("&#34;", '"'))
    assert chosen == [{"id": "python", "text": "Python"}, {"id": "tea", "text": "Tea"}]
    details = client.get(f"/admin/posts/details/?id={_newest_post_id()}")
    assert "Python, Tea" in details.get_data(as_text=True)


def test_a_typed_name_of_an_existing_tag_is_that_tag(client, users, existing):
    client.login(users["author"].email)
    _write_as(client, users["author"], tags="+python,+TEA")
    assert _tag_names(_newest_post_id()) == ["Python", "Tea"]
    assert len(_all_tags()) == 3


def test_an_author_makes_new_tags_while_the_setting_allows(client, users, app, monkeypatch):
    client.login(users["author"].email)
    assert _write_as(client, users["author"], tags="+Knitting").status_code == 302
    assert _tag_names(_newest_post_id()) == ["Knitting"]

    monkeypatch.setitem(app.config, "TAGS_AUTHORS_MAY_CREATE", False)
    response = _write_as(client, users["author"], title="Second", tags="knitting,+Crochet")
    assert response.status_code == 200  # the form again, with the field's error
    page = response.get_data(as_text=True)
    assert "“Crochet” is not a tag yet, and only editors make new tags here" in page
    assert 'data-may-create="0"' in page
    assert _all_tags() == ["Knitting"]
    assert db.session.scalar(select(Post).where(Post.title == "Second")) is None


def test_a_post_refused_for_another_reason_makes_no_tag(client, users):
    client.login(users["editor"].email)
    response = _write_as(client, users["editor"], title="", tags="+Orphan")
    assert response.status_code == 200
    assert _all_tags() == []


def test_a_tag_deleted_after_the_form_opened_is_a_field_error(client, users, existing):
    client.login(users["editor"].email)
    response = _write_as(client, users["editor"], tags="python,gone-tag")
    assert response.status_code == 200
    assert "The tag “gone-tag” no longer exists" in response.get_data(as_text=True)


def test_a_tag_renamed_after_the_form_opened_is_still_the_tag_picked(client, users, existing):
    python = existing["Python"]
    python.slug = "py"
    tags.prepare_for_save(python, users["editor"], is_new=False)
    db.session.commit()
    client.login(users["editor"].email)
    _write_as(client, users["editor"], tags="python")  # the slug the page had
    assert _tag_names(_newest_post_id()) == ["Python"]


def test_bad_tag_input_gets_field_errors_not_500s(client, users, existing):
    client.login(users["editor"].email)
    too_many = ",".join(f"+t{n}" for n in range(51))
    for value, problem in [
        (too_many, "at most 50 tags"),
        ("+" + "x" * 81, "at most 80 characters"),
        ("+   ", "needs a name"),
    ]:
        response = _write_as(client, users["editor"], tags=value)
        assert response.status_code == 200, value
        assert problem in response.get_data(as_text=True)
    assert len(_all_tags()) == 3


def test_a_form_without_the_field_keeps_the_posts_tags(client, users, existing, post_factory):
    post = post_factory(users["editor"], title="Keeps")
    post.tags = [existing["Tea"]]
    db.session.commit()
    client.login(users["editor"].email)
    page = client.get(f"/admin/posts/edit/?id={post.id}").get_data(as_text=True)
    form = {k: v for k, v in hidden_fields_in(page).items() if k != "tags"}
    form.update(title="Keeps too", slug=post.slug, summary="", body="x", author=users["editor"].id)
    assert client.post(f"/admin/posts/edit/?id={post.id}", data=form).status_code == 302
    assert _tag_names(post.id) == ["Tea"]
    # Sent empty (every chip removed), the post has none.
    _write_as(client, users["editor"], post.id, tags="")
    assert _tag_names(post.id) == []


def test_tags_are_in_the_revisions_and_the_audit_log(client, users, existing):
    client.login(users["editor"].email)
    _write_as(client, users["editor"], tags="python")
    post_id = _newest_post_id()
    _write_as(client, users["editor"], post_id, tags="python,tea")
    _write_as(client, users["editor"], post_id, tags="python,tea")  # no change: no revision
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post_id).order_by(PostRevision.id)
    ).all()
    assert [json.loads(r.tags) for r in revisions] == [
        [["python", "Python"]],
        [["python", "Python"], ["tea", "Tea"]],
    ]
    edits = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "post.edit", AuditEntry.target_id == post_id)
    ).all()
    assert [json.loads(e.changes) for e in edits] == [{"tags": [["Python"], ["Python", "Tea"]]}]
    created = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "post.create"))
    assert json.loads(created.changes)["tags"] == [[], ["Python"]]

    older, newer = revisions
    page = client.get(
        f"/admin/posts/revisions/compare/?id={post_id}&a={older.id}&b={newer.id}"
    ).get_data(as_text=True)
    assert '<span class="diff-added">+ Tea</span>' in page


def test_changing_only_the_tags_is_a_change_another_editor_is_told_of(app, users, existing):
    """The post's version moves, so a save from a form opened before is stopped."""
    from tests.factories import PostFactory

    post = PostFactory(users["author"], title="Shared", slug="shared", body="Start.")
    first, second = app.test_client(), app.test_client()
    first.login(users["editor"].email)
    second.login(users["admin"].email)
    opened_by_second = hidden_fields_in(
        second.get(f"/admin/posts/edit/?id={post.id}").get_data(as_text=True)
    )
    _write_as(first, users["editor"], post.id, tags="tea")
    form = {"title": "Shared", "slug": "shared", "summary": "", "body": "Start.", "tags": ""}
    response = second.post(
        f"/admin/posts/edit/?id={post.id}",
        data={**opened_by_second, **form, "author": users["author"].id},
    )
    assert response.status_code == 200
    assert any("saved this post at" in m for m in flashed(response))
    assert _tag_names(post.id) == ["Tea"]


def test_restoring_a_revision_restores_its_tags_as_they_are_called_now(client, users, existing):
    client.login(users["editor"].email)
    _write_as(client, users["editor"], tags="python,flask,tea")
    post_id = _newest_post_id()
    _write_as(client, users["editor"], post_id, tags="tea")
    first = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post_id).order_by(PostRevision.id)
    ).first()
    # Since then: Python renamed (new address), Flask deleted.
    python = existing["Python"]
    python.name, python.slug = "Python 3", ""
    tags.prepare_for_save(python, users["editor"], is_new=False)
    tags.delete(existing["Flask"], users["editor"])
    db.session.commit()

    response = client.submit(
        "/admin/posts/revisions/restore/",
        {"id": post_id, "revision": first.id},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )
    messages = flashed(client.get(response.location))
    assert "The tag “Flask” was deleted since; the post no longer has it." in messages
    assert _tag_names(post_id) == ["Python 3", "Tea"]
    newest = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post_id).order_by(PostRevision.id)
    ).all()[-1]
    assert json.loads(newest.tags) == [["python-3", "Python 3"], ["tea", "Tea"]]


def test_the_lookup_finds_tags_by_name_or_address(client, users, existing):
    tags.create_tag(users["editor"], "100% cotton")
    db.session.commit()
    client.login(users["author"].email)
    assert client.get("/admin/posts/tags/?q=PYT").json == [{"id": "python", "text": "Python"}]
    assert [t["text"] for t in client.get("/admin/posts/tags/?q=a").json] == ["Flask", "Tea"]
    # Wildcards typed are plain characters.
    assert [t["text"] for t in client.get("/admin/posts/tags/?q=%25").json] == ["100% cotton"]
    assert [t["text"] for t in client.get("/admin/posts/tags/?q=").json] == [
        "100% cotton", "Flask", "Python", "Tea",
    ]  # fmt: skip


def test_the_lookup_is_for_staff_only(client, users, existing):
    assert client.get("/admin/posts/tags/?q=p").status_code == 302  # to the login page
    client.login(users["norole"].email)
    assert client.get("/admin/posts/tags/?q=p").status_code == 403


def test_an_author_cannot_tag_another_authors_post(client, users, existing, post_factory):
    others = post_factory(users["other_author"], title="Not yours")
    client.login(users["author"].email)
    response = client.post(
        f"/admin/posts/edit/?id={others.id}",
        data={"csrf_token": client.token(), "title": "Not yours", "tags": "python"},
    )
    assert response.status_code == 403
    assert _tag_names(others.id) == []


def test_an_author_cannot_tag_their_published_post(client, users, existing, post_factory):
    published = post_factory(users["author"], title="Out", status=PostStatus.PUBLISHED)
    client.login(users["author"].email)
    response = client.post(
        f"/admin/posts/edit/?id={published.id}",
        data={"csrf_token": client.token(), "title": "Out", "tags": "python"},
    )
    assert response.status_code == 200  # the form again, their text kept, nothing saved
    assert any("no longer yours to change" in m for m in flashed(response))
    assert _tag_names(published.id) == []


def test_a_tag_made_by_another_request_meanwhile_is_a_field_error(
    client, users, existing, monkeypatch
):
    """Both requests passed the checks; the database's unique address refuses the second."""
    monkeypatch.setattr(tags, "named", lambda name, exclude_tag_id=None: None)
    monkeypatch.setattr(tags, "holder_of", lambda slug, exclude_tag_id=None: None)
    client.login(users["editor"].email)
    response = _write_as(client, users["editor"], title="Racing", tags="+Tea")
    assert response.status_code == 200
    assert "Another tag got this name or address at the same moment" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(select(Post).where(Post.title == "Racing")) is None
    assert _all_tags() == ["Flask", "Python", "Tea"]
