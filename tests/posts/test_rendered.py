"""Bodies rendered at save: readers get the stored HTML, which every way of changing a body
keeps current (the database forgets it when an UPDATE around the app changes the body), and
``flask cms rerender`` renders again after the rules change, or only what is missing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update

from cms.demo import add_demo_posts
from cms.extensions import db
from cms.posts import revisions
from cms.posts import service as posts_service
from cms.posts.models import Post, PostRevision, PostStatus

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def stored(post_id: int) -> tuple[str | None, str | None]:
    """What the row holds now, read around the session's identity map."""
    row = db.session.execute(select(Post.body_html, Post.excerpt).where(Post.id == post_id)).one()
    return row.body_html, row.excerpt


def overwrite_stored(post_id: int, body_html: str | None, excerpt: str | None) -> None:
    """Change the stored rendering the way a bulk import or an older renderer would leave
    it: around the ORM, so no event runs."""
    db.session.execute(
        update(Post.__table__)
        .where(Post.__table__.c.id == post_id)
        .values(body_html=body_html, excerpt=excerpt)
    )
    db.session.commit()
    db.session.expire_all()


@pytest.fixture
def published(frozen_clock, post_factory, users):
    def publish(body: str, **fields) -> Post:
        fields.setdefault("title", "Stored")
        return post_factory(
            users["editor"],
            body=body,
            status=PostStatus.PUBLISHED,
            published_at=NOW - timedelta(hours=1),
            **fields,
        )

    return publish


def test_a_new_post_stores_its_html_and_excerpt(published):
    post = published("Some *Markdown* & more.\n\n# A heading")
    assert stored(post.id) == (
        "<p>Some <em>Markdown</em> &amp; more.</p>\n<h2>A heading</h2>\n",
        "Some Markdown & more. A heading",
    )


def test_the_post_page_shows_the_stored_html_without_rendering_again(client, published):
    post = published("What the author *wrote*.")
    overwrite_stored(post.id, "<p>What the last save stored.</p>\n", "stored")

    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)

    assert "<p>What the last save stored.</p>" in html
    assert "<em>wrote</em>" not in html


def test_the_home_page_shows_the_stored_excerpt(client, published):
    post = published("What the author wrote.")
    overwrite_stored(post.id, "<p>x</p>", "The stored excerpt.")
    assert "The stored excerpt." in client.get("/").get_data(as_text=True)


def test_a_row_never_rendered_is_rendered_for_readers_all_the_same(client, published):
    post = published("Imported *in bulk*.")
    overwrite_stored(post.id, None, None)

    assert "<p>Imported <em>in bulk</em>.</p>" in client.get(f"/posts/{post.slug}").get_data(
        as_text=True
    )
    assert "Imported in bulk." in client.get("/").get_data(as_text=True)


def test_editing_the_body_in_the_dashboard_updates_what_readers_see(client, write):
    post_id = write(title="Edited", body="First *words*.")
    client.submit(
        "/admin/posts/transition/",
        {"id": post_id, "transition": "publish"},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )
    write(post_id, body="Second *words*.")

    assert stored(post_id) == ("<p>Second <em>words</em>.</p>\n", "Second words.")
    client.logout()
    assert "<p>Second <em>words</em>.</p>" in client.get("/posts/edited").get_data(as_text=True)


def raw_sql(statement: str, **values) -> None:
    """Change posts the way an ops fix or a script would: SQL, no app code."""
    db.session.execute(text(statement), values)
    db.session.commit()
    db.session.expire_all()


def test_a_body_changed_around_the_app_is_shown_as_it_is_now(client, published):
    post = published("The *old* words.")

    raw_sql("UPDATE posts SET body = 'The *new* words.' WHERE id = :id", id=post.id)

    assert stored(post.id) == (None, None)
    html = client.get(f"/posts/{post.slug}").get_data(as_text=True)
    assert "<p>The <em>new</em> words.</p>" in html
    assert "<em>old</em>" not in html
    assert "The new words." in client.get("/").get_data(as_text=True)


def test_an_update_around_the_app_that_leaves_the_body_keeps_the_stored_html(published):
    post = published("Kept *words*.")
    raw_sql("UPDATE posts SET title = 'Retitled', body = body WHERE id = :id", id=post.id)
    assert stored(post.id) == ("<p>Kept <em>words</em>.</p>\n", "Kept words.")


def test_an_update_around_the_app_that_renders_itself_keeps_its_html(published):
    post = published("Old.")
    raw_sql(
        "UPDATE posts SET body = 'New.', body_html = '<p>New.</p>', excerpt = 'New.' "
        "WHERE id = :id",
        id=post.id,
    )
    assert stored(post.id) == ("<p>New.</p>", "New.")


def test_a_new_body_that_renders_as_the_old_one_keeps_its_html(users):
    """SQLAlchemy leaves an unchanged body_html out of the UPDATE, which is what the
    database's trigger takes for an update around the app."""
    editor = users["editor"]
    post = posts_service.create_post(editor, title="Same", body="Same *words*.")
    db.session.commit()

    post.body = "Same *words*.<script>alert(1)</script>"
    posts_service.prepare_for_save(post, editor, is_new=False)
    db.session.commit()

    assert stored(post.id) == ("<p>Same <em>words</em>.</p>\n", "Same words.")


def test_a_save_of_a_post_never_rendered_stores_its_html(write):
    post_id = write(title="Imported", body="Imported *once*.")
    overwrite_stored(post_id, None, None)

    write(post_id, title="Imported, retitled")

    assert stored(post_id) == ("<p>Imported <em>once</em>.</p>\n", "Imported once.")


def test_a_save_that_keeps_the_body_keeps_the_stored_html(write):
    post_id = write(title="Kept", body="Same words.")
    overwrite_stored(post_id, "<p>marker</p>", "marker")
    write(post_id, title="Kept, retitled")
    assert stored(post_id) == ("<p>marker</p>", "marker")


def test_restoring_a_revision_restores_its_html(client, write):
    post_id = write(title="Restored", body="Version *one*.")
    write(post_id, body="Version *two*.")
    first = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post_id).order_by(PostRevision.id)
    ).first()

    client.submit(
        "/admin/posts/revisions/restore/",
        {"id": post_id, "revision": first.id},
        form_url=f"/admin/posts/edit/?id={post_id}",
    )

    assert stored(post_id) == ("<p>Version <em>one</em>.</p>\n", "Version one.")


def test_restoring_through_the_service_renders_too(users):
    editor = users["editor"]
    post = posts_service.create_post(editor, title="Service", body="Old *text*.")
    post.body = "New text."
    posts_service.prepare_for_save(post, editor, is_new=False)
    db.session.commit()
    assert stored(post.id) == ("<p>New text.</p>\n", "New text.")

    revisions.restore(post, post.revisions[-1], editor)
    db.session.commit()

    assert stored(post.id) == ("<p>Old <em>text</em>.</p>\n", "Old text.")


def test_demo_posts_are_stored_rendered(users):
    assert add_demo_posts(users["admin"]) > 0
    rows = db.session.execute(select(Post.body, Post.body_html, Post.excerpt)).all()
    assert rows
    for body, body_html, excerpt in rows:
        assert body_html and excerpt, body[:40]


def test_rerender_renders_every_post_again_and_is_not_an_edit(runner, published):
    posts = [published(f"Body *{number}*.", title=f"Post {number}") for number in range(3)]
    overwrite_stored(posts[0].id, "<p>from an older sanitizer</p>", "old")
    overwrite_stored(posts[1].id, None, None)
    before = db.session.execute(
        select(Post.id, Post.updated_at, Post.version).order_by(Post.id)
    ).all()

    result = runner.invoke(args=["cms", "rerender"])

    assert result.exit_code == 0, result.output
    assert "Rendered 3 post(s) again." in result.output
    for number, post in enumerate(posts):
        assert stored(post.id) == (f"<p>Body <em>{number}</em>.</p>\n", f"Body {number}.")
    assert (
        db.session.execute(select(Post.id, Post.updated_at, Post.version).order_by(Post.id)).all()
        == before
    )


def test_rerender_missing_renders_only_the_posts_not_rendered_yet(runner, published):
    posts = [published(f"Body *{number}*.", title=f"Post {number}") for number in range(3)]
    overwrite_stored(posts[0].id, "<p>from an older sanitizer</p>", "old")
    overwrite_stored(posts[1].id, None, None)
    raw_sql("UPDATE posts SET body = 'Body *changed*.' WHERE id = :id", id=posts[2].id)

    result = runner.invoke(args=["cms", "rerender", "--missing"])

    assert result.exit_code == 0, result.output
    assert "Rendered 2 post(s) not rendered yet." in result.output
    assert stored(posts[0].id) == ("<p>from an older sanitizer</p>", "old")
    assert stored(posts[1].id) == ("<p>Body <em>1</em>.</p>\n", "Body 1.")
    assert stored(posts[2].id) == ("<p>Body <em>changed</em>.</p>\n", "Body changed.")
    assert "Rendered 0 post(s)" in runner.invoke(args=["cms", "rerender", "--missing"]).output


def test_rerender_leaves_a_post_whose_body_changed_since_it_was_read(published, monkeypatch):
    """A batch renders the bodies it read; a body changed before the batch is written keeps
    what that change stored, never the HTML of the body it replaced."""
    from cms.posts import rendered

    post = published("Before.")
    overwrite_stored(post.id, None, None)
    render = rendered.render_markdown

    def render_while_someone_edits(body):
        raw_sql("UPDATE posts SET body = 'After.' WHERE id = :id", id=post.id)
        return render(body)

    monkeypatch.setattr(rendered, "render_markdown", render_while_someone_edits)
    rendered.rerender(only_missing=True)

    assert stored(post.id) == (None, None)


def test_the_preview_shows_the_body_as_it_is_now(client, users, post_factory):
    draft = post_factory(users["author"], title="Draft", body="Current *text*.")
    overwrite_stored(draft.id, "<p>stale</p>", "stale")
    client.login(users["editor"].email)

    html = client.get(f"/admin/posts/preview/?id={draft.id}").get_data(as_text=True)

    assert "<p>Current <em>text</em>.</p>" in html
    assert "stale" not in html
