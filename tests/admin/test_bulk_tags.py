"""The posts list and tags: filtering by a tag, and the bulk actions "Add a tag…" and
"Remove a tag…", which change only the posts the policy lets the user edit, each saved as
an edit (a revision, the audit log)."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts.models import Post, PostRevision, PostStatus
from cms.tags import service as tags
from cms.tags.models import Tag
from tests.client import flashed, hidden_fields_in


@pytest.fixture
def tea(users):
    tag = tags.create_tag(users["editor"], "Tea")
    db.session.commit()
    return tag


def _names(post: Post) -> list[str]:
    db.session.expire_all()
    return [tag.name for tag in db.session.get(Post, post.id).tags]


def _rows(*posts: Post) -> list[tuple[str, str]]:
    return [("rowid", f"{post.id}:{post.version}") for post in posts]


def _ask(client, action: str, *posts: Post):
    """Choose a bulk action on the list with ``posts`` ticked: the page asking which tag."""
    data = [("action", action), *_rows(*posts), ("csrf_token", client.token())]
    return client.post("/admin/posts/action/", data=MultiDict(data))


def _answer(client, page, tag_value: str):
    """Send the page's form with ``tag_value`` as the tag (its hidden fields included)."""
    html = page.get_data(as_text=True)
    rows = [("rowid", value) for value in _hidden_values(html, "rowid")]
    fields = hidden_fields_in(html)
    data = [
        ("csrf_token", fields["csrf_token"]),
        ("adding", fields["adding"]),
        ("url", fields["url"]),
        ("tag", tag_value),
        *rows,
    ]
    return client.post("/admin/posts/tags/bulk/", data=MultiDict(data))


def _hidden_values(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', html)


def test_the_list_filters_by_tag_name_or_address(client, users, tea, post_factory):
    tagged = post_factory(users["author"], title="Steeped")
    post_factory(users["author"], title="Plain")
    tagged.tags = [tea]
    db.session.commit()
    client.login(users["editor"].email)
    for value in ("tea", "TEA", "Tea"):
        page = client.get(f"/admin/posts/?flt0_2={value}").get_data(as_text=True)
        assert "Steeped" in page and "Plain" not in page, value
        assert "1 post" in page
    page = client.get("/admin/posts/?flt0_2=coffee").get_data(as_text=True)
    assert "Steeped" not in page and "Plain" not in page


def test_an_editor_adds_a_tag_to_the_selected_posts(client, users, tea, post_factory):
    first = post_factory(users["author"], title="First")
    second = post_factory(users["other_author"], title="Second", status=PostStatus.PUBLISHED)
    client.login(users["editor"].email)
    page = _ask(client, "tag_add", first, second)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Add a tag to 2 posts" in html and 'data-tag-picker="single"' in html

    response = _answer(client, page, "tea")
    assert response.status_code == 302
    assert "2 posts now have the tag “Tea”." in flashed(client.get(response.location))
    assert _names(first) == _names(second) == ["Tea"]
    edits = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "post.edit").order_by(AuditEntry.id)
    ).all()
    assert [json.loads(e.changes) for e in edits] == [{"tags": [[], ["Tea"]]}] * 2
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == first.id)
    ).all()
    assert json.loads(revisions[-1].tags) == [["tea", "Tea"]]


def test_bulk_add_may_make_a_new_tag_where_the_policy_allows(
    client, users, app, monkeypatch, post_factory
):
    mine = post_factory(users["author"], title="Mine")
    client.login(users["author"].email)
    response = _answer(client, _ask(client, "tag_add", mine), "+Knitting")
    assert "1 post now has the tag “Knitting”." in flashed(client.get(response.location))
    assert _names(mine) == ["Knitting"]

    monkeypatch.setitem(app.config, "TAGS_AUTHORS_MAY_CREATE", False)
    response = _answer(client, _ask(client, "tag_add", mine), "+Crochet")
    assert any("not a tag yet" in m for m in flashed(client.get(response.location)))
    assert _names(mine) == ["Knitting"]
    assert db.session.scalar(select(Tag).where(Tag.name == "Crochet")) is None


def test_an_author_tags_only_their_own_drafts(client, users, tea, post_factory):
    mine = post_factory(users["author"], title="Mine")
    my_published = post_factory(users["author"], title="Out", status=PostStatus.PUBLISHED)
    theirs = post_factory(users["other_author"], title="Theirs")
    client.login(users["author"].email)
    page = _ask(client, "tag_add", mine, my_published, theirs)
    html = page.get_data(as_text=True)
    # Another's post is not even in their list: the page names the two of theirs.
    assert "Add a tag to 2 posts" in html and "Theirs" not in html

    # A forged form naming the other's post changes it no more than the list would.
    data = [
        ("csrf_token", client.token()),
        ("adding", "1"),
        ("tag", "tea"),
        *_rows(mine, my_published, theirs),
    ]
    response = client.post("/admin/posts/tags/bulk/", data=MultiDict(data))
    messages = flashed(client.get(response.location))
    assert "1 post now has the tag “Tea”." in messages
    assert "1 post left as it was: not yours to change." in messages
    assert "1 post left as it was: had the tag already, or no longer in this list." in messages
    assert (_names(mine), _names(my_published), _names(theirs)) == (["Tea"], [], [])


def test_removing_a_tag_offers_the_tags_the_posts_have(client, users, tea, post_factory):
    coffee = tags.create_tag(users["editor"], "Coffee")
    tags.create_tag(users["editor"], "Unused")
    first = post_factory(users["author"], title="First")
    second = post_factory(users["author"], title="Second")
    first.tags, second.tags = [tea, coffee], [tea]
    db.session.commit()
    client.login(users["editor"].email)
    page = _ask(client, "tag_remove", first, second)
    html = page.get_data(as_text=True)
    assert '<option value="coffee">Coffee</option><option value="tea">Tea</option>' in html
    assert "Unused" not in html

    response = _answer(client, page, "tea")
    assert "2 posts no longer have the tag “Tea”." in flashed(client.get(response.location))
    assert (_names(first), _names(second)) == (["Coffee"], [])
    entries = db.session.scalars(
        select(AuditEntry.changes).where(AuditEntry.action == "post.edit")
    ).all()
    assert json.loads(entries[0]) == {"tags": [["Coffee", "Tea"], ["Coffee"]]}


def test_bulk_tagging_without_a_tag_changes_nothing(client, users, tea, post_factory):
    post = post_factory(users["author"], title="Untouched")
    client.login(users["editor"].email)
    response = _answer(client, _ask(client, "tag_add", post), "")
    assert "No tag was picked; nothing was done." in flashed(client.get(response.location))
    assert _names(post) == []


def test_bulk_tagging_refuses_users_without_a_staff_role(client, users, tea, post_factory):
    post = post_factory(users["author"], title="Untouched")
    client.login(users["norole"].email)
    data = [("csrf_token", client.token()), ("adding", "1"), ("tag", "tea"), *_rows(post)]
    assert client.post("/admin/posts/tags/bulk/", data=MultiDict(data)).status_code == 403
    assert _names(post) == []


def test_a_bad_selection_is_a_bad_request(client, users, tea):
    client.login(users["editor"].email)
    data = {"csrf_token": client.token(), "adding": "1", "tag": "tea", "rowid": "x:y"}
    assert client.post("/admin/posts/tags/bulk/", data=MultiDict(data)).status_code == 400


def test_a_tag_made_by_another_request_meanwhile_changes_nothing(
    client, users, tea, post_factory, monkeypatch
):
    post = post_factory(users["author"], title="Untouched")
    monkeypatch.setattr(tags, "named", lambda name, exclude_tag_id=None: None)
    monkeypatch.setattr(tags, "holder_of", lambda slug, exclude_tag_id=None: None)
    client.login(users["editor"].email)
    response = _answer(client, _ask(client, "tag_add", post), "+Tea")
    messages = flashed(client.get(response.location))
    assert any("Another tag got this name or address at the same moment" in m for m in messages)
    assert _names(post) == []
