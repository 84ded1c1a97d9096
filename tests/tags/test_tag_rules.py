"""Tags themselves: who may manage and make them, names and addresses, renaming (old
addresses keep leading to the tag), merging and deleting, each in the audit log."""

from __future__ import annotations

import json

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from cms import clock
from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts import policy
from cms.posts import service as posts
from cms.posts.policy import PermissionDenied, TagAction
from cms.tags import service
from cms.tags.models import Tag, TagSlugRedirect
from cms.tags.service import TagProblem
from config import ConfigError, load_config
from tests.factories import UserFactory

T, F = True, False

# Who asks  ->  may they  MANAGE  CREATE (setting on)  CREATE (setting off)
EXPECTED = {
    "admin": (T, T, T),
    "editor": (T, T, T),
    "author": (F, T, F),
    "norole": (F, F, F),
}


@pytest.mark.parametrize(("role", "expected"), EXPECTED.items())
def test_who_may_manage_and_make_tags(app, users, monkeypatch, role, expected):
    user = users[role]
    manage, create_on, create_off = expected
    assert policy.can_tag(user, TagAction.MANAGE) is manage
    assert policy.can_tag(user, TagAction.CREATE) is create_on
    monkeypatch.setitem(app.config, "TAGS_AUTHORS_MAY_CREATE", False)
    assert policy.can_tag(user, TagAction.CREATE) is create_off


def test_nobody_outside_the_staff_touches_tags(users):
    deactivated = UserFactory(roles=["editor"], active=False)
    for someone in (AnonymousUserMixin(), None, deactivated):
        assert not policy.can_tag(someone, TagAction.MANAGE)
        assert not policy.can_tag(someone, TagAction.CREATE)


def test_authors_make_tags_unless_the_setting_says_no(app, users, monkeypatch):
    tag = service.create_tag(users["author"], "Rust")
    assert tag.slug == "rust"
    monkeypatch.setitem(app.config, "TAGS_AUTHORS_MAY_CREATE", False)
    with pytest.raises(PermissionDenied):
        service.create_tag(users["author"], "Go")


def test_the_setting_defaults_to_yes_and_reads_the_environment(tmp_path):
    development = {"CMS_CONFIG": "development"}
    assert load_config(tmp_path, development).TAGS_AUTHORS_MAY_CREATE is True
    closed = {**development, "TAGS_AUTHORS_MAY_CREATE": "false"}
    assert load_config(tmp_path, closed).TAGS_AUTHORS_MAY_CREATE is False
    with pytest.raises(ConfigError, match="TAGS_AUTHORS_MAY_CREATE"):
        load_config(tmp_path, {**development, "TAGS_AUTHORS_MAY_CREATE": "sometimes"})


def _entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_a_new_tag_gets_an_address_from_its_name_and_is_logged(users):
    tag = service.create_tag(users["editor"], "  Grüße   aus Köln ", description=" Hello ")
    db.session.commit()
    assert (tag.name, tag.slug, tag.description) == ("Grüße aus Köln", "grusse-aus-koln", "Hello")
    (entry,) = _entries("tag.create")
    assert entry.actor_email == users["editor"].email
    assert entry.target_label == "Grüße aus Köln"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ("a, b", "cannot have a comma"),
        ("x" * 81, "at most 80"),
    ],
)
def test_a_tag_needs_a_plain_name(users, name, problem):
    with pytest.raises(TagProblem, match=problem):
        service.create_tag(users["editor"], name)


def test_two_tags_never_share_a_name_or_an_address(users):
    service.create_tag(users["editor"], "Python")
    db.session.commit()
    with pytest.raises(TagProblem, match="exists already"):
        service.create_tag(users["editor"], "python")
    with pytest.raises(TagProblem, match="belongs to the tag “Python”") as taken:
        service.create_tag(users["editor"], "Snakes", slug="python")
    assert taken.value.field == "slug"
    # Made from a name, an address steps around the ones taken.
    assert service.create_tag(users["editor"], "Python!").slug == "python-2"


def test_renaming_keeps_the_old_address_leading_to_the_tag(users):
    editor = users["editor"]
    tag = service.create_tag(editor, "JS")
    db.session.commit()
    tag.name, tag.slug = "JavaScript", ""  # an empty address is made from the new name
    service.prepare_for_save(tag, editor, is_new=False)
    db.session.commit()
    assert tag.slug == "javascript"
    assert service.tag_for_old_slug("js") == tag
    assert service.find("js") is None
    (entry,) = _entries("tag.edit")
    assert json.loads(entry.changes) == {"name": ["JS", "JavaScript"], "slug": ["js", "javascript"]}
    # Nobody else may take the old address: it still leads to this tag.
    with pytest.raises(TagProblem, match="old address of the tag “JavaScript”"):
        service.create_tag(editor, "Jay Ess", slug="js")
    # Going back to it makes it the tag's address again, not a redirect.
    tag.slug = "js"
    service.prepare_for_save(tag, editor, is_new=False)
    db.session.commit()
    assert service.find("js") == tag
    assert service.tag_for_old_slug("js") is None
    assert service.tag_for_old_slug("javascript") == tag


def test_a_rename_without_a_change_logs_nothing(users):
    tag = service.create_tag(users["editor"], "Same")
    db.session.commit()
    service.prepare_for_save(tag, users["editor"], is_new=False)
    db.session.commit()
    assert _entries("tag.edit") == []


def test_only_those_who_manage_tags_rename_merge_or_delete_them(users):
    author = users["author"]
    tag = service.create_tag(author, "Mine")
    other = service.create_tag(users["editor"], "Other")
    db.session.commit()
    tag.name = "Renamed"
    with pytest.raises(PermissionDenied):
        service.prepare_for_save(tag, author, is_new=False)
    db.session.rollback()
    with pytest.raises(PermissionDenied):
        service.merge(tag, other, author)
    with pytest.raises(PermissionDenied):
        service.delete(tag, author)
    db.session.rollback()
    assert {t.name for t in db.session.scalars(select(Tag))} == {"Mine", "Other"}


def test_merging_moves_the_posts_and_the_addresses(users, post_factory):
    editor = users["editor"]
    py = service.create_tag(editor, "Python")
    py3 = service.create_tag(editor, "Python 3")
    db.session.commit()
    py3.slug = "py3"
    service.prepare_for_save(py3, editor, is_new=False)  # python-3 is now an old address
    only_merged = post_factory(users["author"], title="Only merged")
    both = post_factory(users["author"], title="Both")
    only_kept = post_factory(users["author"], title="Only kept")
    only_merged.tags = [py3]
    both.tags = [py, py3]
    only_kept.tags = [py]
    db.session.commit()
    py3_id = py3.id

    moved = service.merge(py3, py, editor)
    db.session.commit()

    assert moved == 1
    db.session.expire_all()
    assert db.session.get(Tag, py3_id) is None
    for post in (only_merged, both, only_kept):
        assert [tag.name for tag in post.tags] == ["Python"]
    assert service.tag_for_old_slug("py3") == py
    assert service.tag_for_old_slug("python-3") == py
    (entry,) = _entries("tag.merge")
    assert entry.target_label == "Python"
    assert json.loads(entry.changes) == {
        "merged": "Python 3",
        "merged_slug": "py3",
        "posts_moved": 1,
    }


def test_the_kept_tag_may_take_the_address_of_the_tag_merged_into_it(users):
    editor = users["editor"]
    kept = service.create_tag(editor, "Python")
    merged = service.create_tag(editor, "Py")
    db.session.commit()
    service.merge(merged, kept, editor)
    db.session.commit()
    # Nobody else may: links to /tags/py still mean this topic.
    with pytest.raises(TagProblem, match="old address of the tag “Python”"):
        service.create_tag(editor, "Pie", slug="py")

    kept.slug = "py"
    service.prepare_for_save(kept, editor, is_new=False)
    db.session.commit()

    assert service.find("py") == kept
    assert service.tag_for_old_slug("py") is None
    assert service.tag_for_old_slug("python") == kept


def test_a_tag_is_not_merged_into_itself(users):
    tag = service.create_tag(users["editor"], "Alone")
    with pytest.raises(TagProblem, match="into itself"):
        service.merge(tag, tag, users["editor"])


def test_deleting_a_tag_takes_it_off_its_posts(users, post_factory):
    editor = users["editor"]
    tag = service.create_tag(editor, "Doomed")
    db.session.commit()
    tag.slug = "doomed-tag"
    service.prepare_for_save(tag, editor, is_new=False)
    post = post_factory(users["author"])
    post.tags = [tag]
    db.session.commit()

    assert service.delete(tag, editor) == 1
    db.session.commit()

    db.session.expire_all()
    assert post.tags == []
    assert db.session.scalars(select(TagSlugRedirect)).all() == []
    (entry,) = _entries("tag.delete")
    assert json.loads(entry.changes) == {"slug": "doomed-tag", "posts": 1}
    # Its addresses lead nowhere now: a new tag may have them.
    assert service.create_tag(editor, "Doomed").slug == "doomed"


def test_purging_a_post_takes_it_off_its_tags(users, post_factory):
    tag = service.create_tag(users["editor"], "Kept")
    post = post_factory(users["author"], deleted_at=clock.utcnow())
    post.tags = [tag]
    db.session.commit()
    assert service.posts_tagged(tag) == 1
    posts.purge(post, users["admin"])
    db.session.commit()
    assert service.posts_tagged(tag) == 0
    assert service.find("kept") is not None
