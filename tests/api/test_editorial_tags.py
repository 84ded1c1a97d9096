"""Tags through a token: editors create, rename, merge and delete; the refusals say why."""

from __future__ import annotations

from cms.tags import service as tags
from tests.api.editorial import bearer, database_state, last_audit

TAGS = "/api/v1/editorial/tags"


def test_an_editor_creates_renames_merges_and_deletes_tags(client, users, tag):
    editor = bearer(users["editor"], "tagger")
    made = client.post(TAGS, json={"name": "Python", "description": "Snakes"}, headers=editor)
    assert made.status_code == 201, made.json
    assert made.json == {"name": "Python", "slug": "python", "description": "Snakes", "posts": 0}
    assert (last_audit().action, last_audit().token_name) == ("tag.create", "tagger")

    renamed = client.patch(
        f"{TAGS}/python", json={"name": "Python 3", "slug": "py3"}, headers=editor
    )
    assert renamed.status_code == 200 and renamed.json["slug"] == "py3"
    assert tags.tag_for_old_slug("python").slug == "py3"  # the old address still leads there

    tag("Snakes")
    merged = client.post(f"{TAGS}/py3/merge", json={"into": "snakes"}, headers=editor)
    assert merged.status_code == 200 and merged.json["slug"] == "snakes"
    assert tags.find("py3") is None

    assert client.delete(f"{TAGS}/snakes", headers=editor).status_code == 204
    assert tags.find("snakes") is None
    assert client.delete(f"{TAGS}/snakes", headers=editor).status_code == 404


def test_a_taken_name_or_address_is_a_field_error(client, users, tag):
    tag("Python")
    tag("Flask")
    editor = bearer(users["editor"])
    before = database_state()
    taken = client.post(TAGS, json={"name": "python"}, headers=editor)
    assert taken.status_code == 422 and "name" in taken.json["errors"]["json"]
    address = client.patch(f"{TAGS}/flask", json={"slug": "python"}, headers=editor)
    assert address.status_code == 422 and "slug" in address.json["errors"]["json"]
    itself = client.post(f"{TAGS}/flask/merge", json={"into": "flask"}, headers=editor)
    assert itself.status_code == 422 and "into" in itself.json["errors"]["json"]
    assert database_state() == before


def test_authors_may_create_tags_when_the_setting_says_so_but_never_manage(
    client, users, tag, app, monkeypatch
):
    tag("Python")
    author = bearer(users["author"])
    assert client.post(TAGS, json={"name": "Mine"}, headers=author).status_code == 201
    monkeypatch.setitem(app.config, "TAGS_AUTHORS_MAY_CREATE", False)
    before = database_state()
    assert client.post(TAGS, json={"name": "Other"}, headers=author).status_code == 403
    assert client.patch(f"{TAGS}/python", json={"name": "X"}, headers=author).status_code == 403
    assert client.delete(f"{TAGS}/python", headers=author).status_code == 403
    assert database_state() == before


def test_an_empty_change_is_refused(client, users, tag):
    """Found by schemathesis: a PATCH without a body was taken as a change of nothing."""
    tag("Python")
    editor = bearer(users["editor"])
    before = database_state()
    for sent in ({"json": {}}, {}):
        response = client.patch(f"{TAGS}/python", headers=editor, **sent)
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
    assert database_state() == before
