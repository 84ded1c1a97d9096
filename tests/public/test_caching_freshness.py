"""No stale page: after each kind of change, readers get the new page at once, though the
old one was cached, on another instance of the app than the one the change went through.

Every test runs twice: two instances sharing Redis (several machines), and two sharing
nothing but the version file, each with its own memory cache (gunicorn's workers on one
machine). The editor works on the first; the reader reads from the second.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from cms.extensions import db
from cms.posts.models import Post, PostStatus
from cms.public.caching import cached_page, public_content_changed
from tests.public.caching_sites import (
    build,
    cached,
    close_redis,
    forget_keys,
    in_redis,
    new_prefix,
    on_one_connection,
    read,
    redis_keys,
    redis_url,
)


@pytest.fixture
def users(instances, users):
    """The suite's users, made once the instances share the test's connection."""
    return users


@pytest.fixture
def editor(instances, users):
    writer, _ = instances
    client = writer.test_client()
    client.login(users["editor"].email)
    return client


@pytest.fixture
def reader(instances):
    """Read a page on the reader's instance: ``reader("/")``."""
    _, site = instances
    client = site.test_client()
    return lambda path: read(site, client, path)


@pytest.fixture
def cached_on_reader(instances):
    """Read a page twice on the reader's instance, the second time from its cache."""
    _, site = instances
    client = site.test_client()
    return lambda path: cached(site, client, path)


def step(client, post: Post, transition: str, **fields):
    response = client.submit(
        "/admin/posts/transition/",
        {"id": post.id, "transition": transition, **fields},
        form_url=f"/admin/posts/edit/?id={post.id}",
    )
    assert response.status_code == 302
    return response


def edit(client, post: Post, title: str, body: str):
    """Save the post's edit form with a new title and body, as the dashboard sends it."""
    response = client.submit(
        f"/admin/posts/edit/?id={post.id}",
        {
            "title": title,
            "slug": post.slug,
            "summary": "",
            "body": body,
            "author": str(post.author_id),
        },
    )
    assert response.status_code == 302
    return response


def test_publishing_shows_the_post_at_once(editor, reader, cached_on_reader, users, post_factory):
    post = post_factory(users["author"], title="Fresh news", status=PostStatus.REVIEW)
    assert "Fresh news" not in cached_on_reader("/").text
    assert reader(f"/posts/{post.slug}").status == 404

    step(editor, post, "publish")

    assert "Fresh news" in reader("/").text
    assert reader(f"/posts/{post.slug}").status == 200  # the 404 was not kept


def test_editing_a_published_post_shows_the_new_words_at_once(
    editor, reader, cached_on_reader, users, post_factory
):
    post = post_factory(users["author"], title="Old title", status=PostStatus.PUBLISHED)
    assert "Old title" in cached_on_reader("/").text
    assert "Old title" in cached_on_reader(f"/posts/{post.slug}").text

    edit(editor, post, title="New title", body="New words.")

    assert "New title" in reader("/").text
    page = reader(f"/posts/{post.slug}").text
    assert "New title" in page and "New words." in page


def test_unpublishing_takes_the_post_down_at_once(
    editor, reader, cached_on_reader, users, post_factory
):
    post = post_factory(users["author"], title="Going away", status=PostStatus.PUBLISHED)
    assert "Going away" in cached_on_reader("/").text
    assert cached_on_reader(f"/posts/{post.slug}").status == 200

    step(editor, post, "unpublish")

    assert "Going away" not in reader("/").text
    assert reader(f"/posts/{post.slug}").status == 404


def test_a_scheduled_post_appears_on_time_from_the_cache(
    editor, reader, cached_on_reader, users, post_factory, frozen_clock
):
    post = post_factory(users["author"], title="Tomorrow's news", status=PostStatus.REVIEW)
    step(editor, post, "schedule", publish_at="2026-01-15T13:00")

    # Cached, a minute before its time: nothing tells the cache when the moment comes.
    frozen_clock(frozen_clock.now + timedelta(minutes=59))  # 12:59
    assert "Tomorrow" not in cached_on_reader("/").text
    assert reader(f"/posts/{post.slug}").status == 404

    frozen_clock(frozen_clock.now + timedelta(minutes=1))  # 13:00, its time

    assert "Tomorrow" in reader("/").text
    assert reader(f"/posts/{post.slug}").status == 200
    # And cached again from then on.
    assert "Tomorrow" in cached_on_reader("/").text


def test_the_trash_takes_a_post_down_and_restoring_brings_it_back(
    editor, reader, cached_on_reader, users, post_factory
):
    post = post_factory(users["author"], title="Binned", status=PostStatus.PUBLISHED)
    assert "Binned" in cached_on_reader("/").text

    editor.post_with_token("/admin/posts/delete/", {"id": str(post.id)})
    assert "Binned" not in cached_on_reader("/").text
    assert reader(f"/posts/{post.slug}").status == 404

    editor.post_with_token("/admin/trash/action/", {"action": "restore", "rowid": [str(post.id)]})
    assert "Binned" in reader("/").text
    assert reader(f"/posts/{post.slug}").status == 200


def test_renaming_an_author_shows_the_new_name_at_once(
    instances, reader, cached_on_reader, users, post_factory
):
    post = post_factory(users["author"], title="Signed", status=PostStatus.PUBLISHED)
    users["author"].full_name = "Ada Lovelace"
    db.session.commit()
    assert "Ada Lovelace" in cached_on_reader(f"/posts/{post.slug}").text

    users["author"].full_name = "Ada King"
    db.session.commit()

    assert "Ada King" in reader(f"/posts/{post.slug}").text


class _Tables(DeclarativeBase):
    pass


class Tag(_Tables):
    """A table the pages may show that the cache was never told about (tags are coming)."""

    __tablename__ = "cache_test_tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))


def test_renaming_a_tag_or_any_row_of_a_new_table_refreshes_the_pages(
    instances, reader, cached_on_reader, users, post_factory
):
    post_factory(users["author"], title="Tagged", status=PostStatus.PUBLISHED)
    _Tables.metadata.create_all(db.session.connection())  # rolled back with the test
    tag = Tag(name="news")
    db.session.add(tag)
    db.session.commit()
    before = cached_on_reader("/")

    tag.name = "headlines"
    db.session.commit()

    after = reader("/")
    assert after.statements > 0  # rendered again
    assert after.headers["ETag"] != before.headers["ETag"]


def test_a_change_in_raw_sql_refreshes_the_pages_once_it_is_said(
    instances, reader, cached_on_reader, users, post_factory
):
    """What no session event sees (SQL text) needs ``public_content_changed()``: the test
    that the cache does keep a page a change did not announce."""
    post_factory(users["author"], title="As typed", status=PostStatus.PUBLISHED)
    assert "As typed" in cached_on_reader("/").text

    db.session.execute(text("UPDATE posts SET title = 'As corrected'"))
    db.session.commit()
    assert "As typed" in reader("/").text  # unannounced: the cached page

    public_content_changed()
    db.session.commit()
    assert "As corrected" in reader("/").text


def test_a_bulk_update_statement_is_noticed(
    instances, reader, cached_on_reader, users, post_factory
):
    post_factory(users["author"], title="Before", status=PostStatus.PUBLISHED)
    assert "Before" in cached_on_reader("/").text

    db.session.execute(db.update(Post).values(title="After"))
    db.session.commit()

    assert "After" in reader("/").text


def test_changes_readers_cannot_see_leave_the_pages_cached(
    editor, reader, cached_on_reader, users, post_factory
):
    """A draft's save, a sign-in (which writes to the account and the audit log), a
    rolled-back change: the pages stay in the cache."""
    post_factory(users["author"], title="Live", status=PostStatus.PUBLISHED)
    draft = post_factory(users["author"], title="Draft")
    cached_on_reader("/")

    edit(editor, draft, title="Draft, longer", body="More.")
    db.session.expire_all()  # the editor's save changed its version
    draft.title = "Rolled back"
    db.session.flush()
    db.session.rollback()

    assert reader("/").statements == 0


def test_instances_sharing_redis_share_the_pages(make_app, app, database_url, users):
    """A page one instance rendered, the other serves without the database."""
    url, prefix = redis_url(), new_prefix()
    first, second = build(make_app, in_redis(database_url, url, prefix), count=2)
    try:
        with on_one_connection(first, second):
            assert read(first, first.test_client(), "/").statements > 0
            assert read(second, second.test_client(), "/").statements == 0
            assert redis_keys(url, prefix)
    finally:
        close_redis(first, second)
        forget_keys(url, prefix)


def test_a_view_added_later_gets_the_cache_with_one_line(instances, users, post_factory):
    """As tag pages, author pages and feeds will: ``@cached_page`` and nothing else."""
    writer, site = instances
    calls = []

    @cached_page
    def authors():
        calls.append(1)
        names = db.session.scalars(db.select(Post.title).where(Post.status == "published"))
        return ", ".join(names)

    for instance in (writer, site):
        instance.add_url_rule("/authors-for-test", "authors_for_test", authors)
    client = site.test_client()
    assert client.get("/authors-for-test").status_code == 200
    assert client.get("/authors-for-test").status_code == 200
    assert len(calls) == 1

    post_factory(users["author"], title="Newcomer", status=PostStatus.PUBLISHED)
    assert "Newcomer" in client.get("/authors-for-test").get_data(as_text=True)
