"""The Tags view: editors and admins list, create, rename, merge and delete tags; each
change is checked by the policy and logged."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.tags import service as tags
from cms.tags.models import Tag
from tests.client import flashed


@pytest.fixture
def editor(client, users):
    client.login(users["editor"].email)
    return users["editor"]


def _tag(slug: str) -> Tag | None:
    db.session.expire_all()
    return tags.find(slug)


def _actions() -> list[str]:
    return db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("tag.%")).order_by(AuditEntry.id)
    ).all()


@pytest.mark.parametrize(("role", "status"), [("author", 403), ("norole", 403)])
def test_only_editors_and_admins_open_the_tags_view(client, users, role, status):
    client.login(users[role].email)
    for url in ("/admin/tags/", "/admin/tags/new/"):
        assert client.get(url).status_code == status
    assert "/admin/tags/" not in client.get("/admin/posts/").get_data(as_text=True)


def test_the_list_shows_each_tag_with_its_posts(client, users, editor, post_factory):
    python = tags.create_tag(editor, "Python")
    tags.create_tag(editor, "Unused")
    for title in ("One", "Two"):
        post = post_factory(users["author"], title=title)
        post.tags = [python]
    db.session.commit()
    page = client.get("/admin/tags/").get_data(as_text=True)
    assert "2 tags" in page
    assert re.search(r'<a href="/admin/posts/\?flt0_2=python">2 posts</a>', page)
    assert "no posts" in page
    assert "<code>/tags/python</code>" in page
    # The link lists those posts.
    listed = client.get("/admin/posts/?flt0_2=python").get_data(as_text=True)
    assert "One" in listed and "Two" in listed


def test_the_list_pages_by_name(client, editor):
    for number in range(55):
        tags.create_tag(editor, f"Tag {number:02d}")
    db.session.commit()
    first = client.get("/admin/tags/").get_data(as_text=True)
    assert "Tag 00" in first and "Tag 49" in first and "Tag 50" not in first
    following = re.search(r'href="([^"]*after=[^"]*)"', first).group(1).replace("&amp;", "&")
    second = client.get(following).get_data(as_text=True)
    assert "Tag 50" in second and "Tag 54" in second and "Tag 49" not in second


def test_creating_a_tag_through_the_form(client, editor):
    response = client.submit(
        "/admin/tags/new/", {"name": "Slow Food", "slug": "", "description": "Eating well."}
    )
    assert response.status_code == 302
    tag = _tag("slow-food")
    assert (tag.name, tag.description) == ("Slow Food", "Eating well.")
    assert _actions() == ["tag.create"]


def test_the_form_says_what_is_wrong_under_the_field(client, editor):
    tags.create_tag(editor, "Python")
    db.session.commit()
    cases = [
        ({"name": "python"}, "exists already"),
        ({"name": "Snakes", "slug": "python"}, "belongs to the tag “Python”"),
        ({"name": "a, b"}, "cannot have a comma"),
        ({"name": ""}, "This field is required."),
        ({"name": "Long", "description": "x" * 501}, "longer than 500 characters"),
    ]
    for fields, problem in cases:
        response = client.submit("/admin/tags/new/", {"slug": "", "description": "", **fields})
        assert response.status_code == 200, fields
        assert problem in response.get_data(as_text=True), fields
    db.session.expire_all()
    assert db.session.scalars(select(Tag.name)).all() == ["Python"]


def test_renaming_through_the_form_keeps_the_old_address(client, editor):
    tag = tags.create_tag(editor, "JS")
    db.session.commit()
    url = f"/admin/tags/edit/?id={tag.id}"
    response = client.submit(url, {"name": "JavaScript", "slug": "", "description": ""})
    assert response.status_code == 302
    assert _tag("javascript").name == "JavaScript"
    assert tags.tag_for_old_slug("js").slug == "javascript"
    page = client.get(url).get_data(as_text=True)
    assert "<code>/tags/js</code>" in page  # listed among the addresses leading here
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "tag.edit"))
    assert json.loads(entry.changes)["slug"] == ["js", "javascript"]


def test_merging_through_the_edit_page(client, users, editor, post_factory):
    kept, merged = tags.create_tag(editor, "Python"), tags.create_tag(editor, "Py")
    post = post_factory(users["author"])
    post.tags = [merged]
    db.session.commit()
    edit = f"/admin/tags/edit/?id={merged.id}"
    assert "Merge into another tag" in client.get(edit).get_data(as_text=True)
    response = client.submit(
        "/admin/tags/merge/", {"id": merged.id, "into": "python"}, form_url=edit
    )
    assert response.location == f"/admin/tags/edit/?id={kept.id}"
    assert (
        "“Py” was merged into “Python”: 1 post got “Python”, and /tags/py now leads to "
        "/tags/python." in flashed(client.get(response.location))
    )
    assert _tag("py") is None
    assert tags.tag_for_old_slug("py") == _tag("python")
    db.session.expire_all()
    assert [t.name for t in post.tags] == ["Python"]
    assert _actions() == ["tag.create", "tag.create", "tag.merge"]


@pytest.mark.parametrize(("into", "problem"), [("", "Pick the tag"), ("py", "into itself")])
def test_a_merge_without_a_tag_to_keep_changes_nothing(client, editor, into, problem):
    tag = tags.create_tag(editor, "Py")
    db.session.commit()
    edit = f"/admin/tags/edit/?id={tag.id}"
    response = client.submit("/admin/tags/merge/", {"id": tag.id, "into": into}, form_url=edit)
    assert any(problem in m for m in flashed(client.get(response.location)))
    assert _tag("py") is not None


def test_an_author_cannot_merge_or_delete(client, users):
    editor = users["editor"]
    one = tags.create_tag(editor, "One")
    tags.create_tag(editor, "Two")
    db.session.commit()
    client.login(users["author"].email)
    token = client.token()
    merge = {"csrf_token": token, "id": one.id, "into": "two"}
    assert client.post("/admin/tags/merge/", data=merge).status_code == 403
    delete = {"csrf_token": token, "id": one.id}
    assert client.post("/admin/tags/delete/", data=delete).status_code == 403
    assert _tag("one") is not None and _tag("two") is not None


def test_deleting_a_tag_from_the_list(client, users, editor, post_factory):
    tag = tags.create_tag(editor, "Doomed")
    post = post_factory(users["author"])
    post.tags = [tag]
    db.session.commit()
    response = client.post_with_token("/admin/tags/delete/", {"id": tag.id})
    assert response.status_code == 302
    assert _tag("doomed") is None
    db.session.expire_all()
    assert post.tags == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "tag.delete"))
    assert json.loads(entry.changes) == {"slug": "doomed", "posts": 1}


def test_deleting_tags_in_bulk_goes_through_the_service(client, editor):
    ids = [tags.create_tag(editor, name).id for name in ("A", "B")]
    db.session.commit()
    data = [("action", "delete"), *(("rowid", str(i)) for i in ids)]
    response = client.post_with_token("/admin/tags/action/", dict(data) | {"rowid": ids})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Tag)).all() == []
    assert _actions().count("tag.delete") == 2
