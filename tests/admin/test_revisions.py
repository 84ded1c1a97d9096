"""Revisions: every save that changes a post's words keeps them; any two compare; any one
restores as a new revision; old ones are pruned by a command."""

from __future__ import annotations

import re

from cms.extensions import db
from cms.posts.models import Post, PostRevision, PostStatus
from tests.client import flashed


def _revisions(post_id: int) -> list[PostRevision]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(PostRevision).where(PostRevision.post_id == post_id).order_by(PostRevision.id)
    ).all()


def test_every_save_that_changes_the_words_keeps_a_revision(write, users):
    post_id = write(title="First words", body="One.")
    write(post_id, body="One. Two.")
    write(post_id)  # saved without a change
    revisions = _revisions(post_id)
    assert [r.body for r in revisions] == ["One.", "One. Two."]
    assert {r.created_by_id for r in revisions} == {users["editor"].id}


def test_workflow_steps_keep_no_revision(client, write):
    post_id = write(title="Steady")
    client.submit(
        "/admin/posts/transition/",
        {"id": post_id, "transition": "publish"},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )
    assert len(_revisions(post_id)) == 1


def test_two_revisions_compare_as_a_readable_diff(client, write):
    post_id = write(title="Recipe", body="flour\nwater\nsalt")
    write(post_id, title="Bread recipe", body="flour\nwater\nyeast")
    older, newer = _revisions(post_id)
    edit = client.get(f"/admin/posts/edit/?id={post_id}").get_data(as_text=True)
    assert "Revisions" in edit and "Restore #1" in edit

    page = client.get(
        f"/admin/posts/revisions/compare/?id={post_id}&a={newer.id}&b={older.id}"
    ).get_data(as_text=True)
    assert '<span class="diff-removed">− Recipe</span>' in page
    assert '<span class="diff-added">+ Bread recipe</span>' in page
    assert '<span class="diff-removed">− salt</span>' in page
    assert '<span class="diff-added">+ yeast</span>' in page
    assert '<span class="diff-same">  flour</span>' in page


def test_restoring_makes_a_new_revision_and_loses_nothing(client, write):
    post_id = write(title="Version one", body="Original.")
    write(post_id, title="Version two", body="Rewritten.")
    first, _ = _revisions(post_id)
    response = client.submit(
        "/admin/posts/revisions/restore/",
        {"id": post_id, "revision": first.id},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )
    assert any("as a new revision" in m for m in flashed(client.get(response.location)))
    post = db.session.get(Post, post_id)
    assert (post.title, post.body) == ("Version one", "Original.")
    assert [r.title for r in _revisions(post_id)] == ["Version one", "Version two", "Version one"]


def test_restoring_an_address_now_taken_keeps_the_current_one(client, write, users, post_factory):
    post_id = write(title="Mover", slug="old-home")
    write(post_id, slug="new-home")
    first = _revisions(post_id)[0]
    post_factory(users["author"], title="Squatter", slug="old-home", status=PostStatus.PUBLISHED)
    response = client.submit(
        "/admin/posts/revisions/restore/",
        {"id": post_id, "revision": first.id},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )
    messages = flashed(client.get(response.location))
    assert any("/posts/old-home now belongs to another post" in m for m in messages)
    assert db.session.get(Post, post_id).slug == "new-home"


def test_authors_restore_only_what_they_may_edit(client, users, write, post_factory):
    post_id = write(title="Editor's", body="a")
    write(post_id, body="b")
    first = _revisions(post_id)[0]
    client.logout()
    client.login(users["author"].email)
    response = client.post_with_token(
        "/admin/posts/revisions/restore/", {"id": str(post_id), "revision": str(first.id)}
    )
    assert response.status_code == 403
    assert db.session.get(Post, post_id).body == "b"


def test_a_revision_of_another_post_is_not_found(client, write):
    one = write(title="One")
    other = write(title="Other")
    foreign = _revisions(other)[0]
    mine = _revisions(one)[0]
    url = f"/admin/posts/revisions/compare/?id={one}&a={mine.id}&b={foreign.id}"
    assert client.get(url).status_code == 404
    response = client.post_with_token(
        "/admin/posts/revisions/restore/", {"id": str(one), "revision": str(foreign.id)}
    )
    assert response.status_code == 404


def test_published_posts_are_restorable_by_editors(client, write):
    post_id = write(title="Live one", body="v1")
    write(post_id, body="v2")
    client.submit(
        "/admin/posts/transition/",
        {"id": post_id, "transition": "publish"},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )
    post = db.session.get(Post, post_id)
    first = _revisions(post_id)[0]
    client.submit(
        "/admin/posts/revisions/restore/",
        {"id": post_id, "revision": first.id},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )
    page = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    # The body as readers see it (its start is also the page's description, in <head>).
    body = page.split('<div class="post-body">', 1)[1].split("</div>", 1)[0]
    assert body.strip() == "<p>v1</p>"


def test_prune_keeps_each_posts_newest_revisions(runner, write):
    busy = write(title="Busy", body="0")
    for n in range(1, 5):
        write(busy, body=str(n))
    quiet = write(title="Quiet")
    result = runner.invoke(args=["cms", "prune-revisions", "--keep", "2"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 old revision(s); every post keeps its 2 newest." in result.output
    assert [r.body for r in _revisions(busy)] == ["3", "4"]
    assert len(_revisions(quiet)) == 1
    assert re.search(
        r"Invalid value", runner.invoke(args=["cms", "prune-revisions", "--keep", "0"]).output
    )


def test_a_deleted_account_still_signs_its_revisions(client, users, post_factory):
    post = post_factory(users["author"], title="Draft")
    editor = users["editor"]
    editor_id, user_model = editor.id, type(editor)
    client.login(editor.email)
    form = {"title": "Edited by the editor", "slug": post.slug, "summary": "", "body": "New"}
    response = client.submit(f"/admin/posts/edit/?id={post.id}", {**form, "author": post.author_id})
    assert response.status_code == 302
    client.logout()

    client.login(users["admin"].email)
    response = client.post_with_token(
        "/admin/users/action/", {"action": "delete", "rowid": str(editor_id)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(user_model, editor_id) is None

    page = client.get(f"/admin/posts/edit/?id={post.id}").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td>\d+</td>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", page)
    assert "editor@example.com" in rows
    newest = _revisions(post.id)[-1]
    compare = client.get(
        f"/admin/posts/revisions/compare/?id={post.id}&a={newest.id}&b={newest.id}"
    )
    assert "by editor@example.com" in compare.get_data(as_text=True)
