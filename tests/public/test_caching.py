"""The page cache and HTTP validators as a reader, a signed-in editor, a browser and a CDN
meet them: pages served without the database, 304s, Cache-Control, who shares the cache,
and what is never kept. (Freshness after changes: test_caching_freshness.py.)"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import flask_migrate
import pytest
from flask import make_response, render_template_string, session
from sqlalchemy import event, insert

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from cms.public import freshness
from cms.public.caching import cached_page
from tests.factories import PostFactory, UserFactory
from tests.public.caching_sites import (
    build,
    cached,
    close_redis,
    forget_keys,
    in_memory,
    in_redis,
    new_prefix,
    on_one_connection,
    read,
    redis_url,
)


@pytest.fixture
def users(site, users):
    return users


@pytest.fixture
def published(users, post_factory):
    return post_factory(users["author"], title="On the record", status=PostStatus.PUBLISHED)


@pytest.fixture
def reader(site):
    return site.test_client()


# --- Served from the cache ------------------------------------------------------------------


def test_a_readers_page_costs_the_database_once(site, reader, published):
    first = read(site, reader, "/")
    again = read(site, reader, "/")

    assert first.statements >= 1
    assert again.statements == 0
    assert again.text == first.text
    assert "On the record" in again.text


def test_after_a_change_the_first_reader_pays_one_statement_more_the_next_none(
    site, reader, published, users, post_factory
):
    """The page's own statements plus one for the schedule (the newest and next publish
    times, shared by every page of the new version). A post page's own are two: the post
    and its tags."""
    post_factory(users["author"], title="Second", status=PostStatus.PUBLISHED)
    paths = ["/", "/", f"/posts/{published.slug}"]
    assert [read(site, reader, path).statements for path in paths] == [2, 0, 2]


def test_arguments_the_view_does_not_read_share_its_page(site, reader, published):
    cached(site, reader, "/")
    assert read(site, reader, "/?utm_source=newsletter").statements == 0
    assert read(site, reader, f"/posts/{published.slug}?ref=home").statements >= 1
    assert read(site, reader, f"/posts/{published.slug}").statements == 0
    assert read(site, reader, "/?before=2026-01-01T00:00:00Z_1").status == 404


def test_a_404_is_never_kept(site, reader, users):
    """Publishing makes it the post at once, even when nothing tells the cache (a row
    inserted around the session, which no event sees)."""
    assert read(site, reader, "/posts/later").status == 404
    assert read(site, reader, "/posts/later").statements >= 1
    db.session.connection().execute(
        insert(Post.__table__).values(
            title="Later",
            slug="later",
            summary="",
            body="Here now.",
            status=PostStatus.PUBLISHED.value,
            author_id=users["author"].id,
            published_at=clock.utcnow() - timedelta(minutes=1),
            created_at=clock.utcnow(),
            updated_at=clock.utcnow(),
        )
    )
    response = reader.get("/posts/later")
    assert response.status_code == 200
    assert "Here now." in response.get_data(as_text=True)


def test_a_head_request_is_answered_from_the_cache(site, reader, published):
    cached(site, reader, "/")
    db.session.expire_all()
    response = reader.head("/")
    assert response.status_code == 200
    assert response.headers["ETag"] == reader.get("/").headers["ETag"]


# --- Validators and 304 ---------------------------------------------------------------------


def test_a_conditional_request_gets_a_304_without_the_database(site, reader, published):
    page = read(site, reader, "/")
    etag = page.headers["ETag"]
    assert re.fullmatch(r'W/"[0-9a-f.]+"', etag)

    again = read(site, reader, "/", headers={"If-None-Match": etag})

    assert again.status == 304
    assert again.text == ""
    assert again.statements == 0
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == page.headers["Cache-Control"]
    assert read(site, reader, "/", headers={"If-None-Match": 'W/"0123abcd"'}).status == 200


def test_a_changed_site_answers_the_old_etag_with_the_new_page(
    site, reader, published, users, post_factory
):
    etag = reader.get(f"/posts/{published.slug}").headers["ETag"]
    post_factory(users["author"], title="Another", status=PostStatus.PUBLISHED)

    response = reader.get(f"/posts/{published.slug}", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag


def test_if_modified_since_gets_a_304_until_the_site_changes(
    site, reader, users, post_factory, frozen_clock
):
    post = post_factory(users["author"], title="Dated", status=PostStatus.PUBLISHED)
    frozen_clock(frozen_clock.now + timedelta(seconds=5))
    last_modified = reader.get(f"/posts/{post.slug}").headers["Last-Modified"]
    assert last_modified == "Thu, 15 Jan 2026 12:00:00 GMT"  # the publication

    asked = {"If-Modified-Since": last_modified}
    assert read(site, reader, f"/posts/{post.slug}", headers=asked).status == 304

    post_factory(users["author"], title="Later that minute", status=PostStatus.PUBLISHED)
    frozen_clock(frozen_clock.now + timedelta(seconds=1))
    response = reader.get(f"/posts/{post.slug}", headers=asked)
    assert response.status_code == 200
    assert response.headers["Last-Modified"] == "Thu, 15 Jan 2026 12:00:05 GMT"


def test_last_modified_waits_for_the_second_to_pass(
    site, reader, users, post_factory, frozen_clock
):
    """Two changes in one second carry the same HTTP date: a page of a version younger than
    a second says no date, so no client can ask about it by date and miss the second one."""
    post = post_factory(users["author"], title="Just now", status=PostStatus.PUBLISHED)

    assert "Last-Modified" not in reader.get(f"/posts/{post.slug}").headers
    frozen_clock(frozen_clock.now + timedelta(milliseconds=999))
    assert "Last-Modified" not in reader.get(f"/posts/{post.slug}").headers
    frozen_clock(frozen_clock.now + timedelta(milliseconds=1))
    assert "Last-Modified" in reader.get(f"/posts/{post.slug}").headers


def test_a_scheduled_publication_moves_last_modified_to_its_time(
    site, reader, users, post_factory, frozen_clock
):
    start = frozen_clock.now
    due = start + timedelta(hours=1)
    post_factory(users["author"], title="Due", status=PostStatus.PUBLISHED, published_at=due)
    frozen_clock(start + timedelta(hours=2))

    assert reader.get("/").headers["Last-Modified"] == "Thu, 15 Jan 2026 13:00:00 GMT"


# --- Cache-Control, and who shares the cache ---------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, "public, max-age=0, s-maxage=60"),
        ("5", "public, max-age=0, s-maxage=5"),
        ("0", "public, no-cache"),
    ],
)
def test_readers_pages_may_be_kept_by_a_cdn_for_public_cache_seconds_and_browsers_ask(
    make_site, seconds, expected
):
    settings = {} if seconds is None else {"PUBLIC_CACHE_SECONDS": int(seconds)}
    site = make_site(**settings)
    with on_one_connection(site):
        response = site.test_client().get("/")
    assert response.headers["Cache-Control"] == expected
    assert "Cookie" in response.headers["Vary"]


def test_the_setting_comes_from_the_environment(tmp_path):
    from config import load_config

    settings = load_config(tmp_path, {"CMS_CONFIG": "development", "PUBLIC_CACHE_SECONDS": "30"})
    assert settings.PUBLIC_CACHE_SECONDS == 30
    assert (settings.CACHE_TYPE, settings.PAGE_CACHE) == ("SimpleCache", True)
    redis = load_config(tmp_path, {"CMS_CONFIG": "development", "REDIS_URL": "redis://r:6379/3"})
    assert (redis.CACHE_TYPE, redis.CACHE_REDIS_URL) == ("RedisCache", "redis://r:6379/3")
    assert redis.CACHE_KEY_PREFIX


def test_signed_in_pages_never_come_from_the_shared_cache_nor_go_into_it(
    site, reader, users, published
):
    anonymous = cached(site, reader, "/")
    editor = site.test_client()
    editor.login(users["editor"].email)

    theirs = [read(site, editor, "/") for _ in range(2)]
    assert all(page.statements >= 1 for page in theirs)
    assert all("Dashboard" in page.text for page in theirs)
    assert theirs[0].headers["Cache-Control"] == "private, no-cache"
    assert theirs[0].headers["ETag"] != anonymous.headers["ETag"]

    after = read(site, site.test_client(), "/")
    assert after.statements == 0
    assert "Dashboard" not in after.text


def test_a_signed_in_reader_gets_a_304_for_their_own_etag_only(site, reader, users, published):
    editor, admin = site.test_client(), site.test_client()
    editor.login(users["editor"].email)
    admin.login(users["admin"].email)
    etag = editor.get("/").headers["ETag"]

    assert editor.get("/", headers={"If-None-Match": etag}).status_code == 304
    assert admin.get("/", headers={"If-None-Match": etag}).status_code == 200
    assert reader.get("/", headers={"If-None-Match": etag}).status_code == 200


def test_previews_are_never_cached(site, users, published):
    from cms.posts import previews

    _, token = previews.create_link(published, users["editor"])
    db.session.commit()
    stranger = site.test_client()
    pages = [read(site, stranger, f"/preview/{token}") for _ in range(2)]
    assert all(page.status == 200 and page.statements >= 1 for page in pages)
    assert pages[0].headers["Cache-Control"] == "no-store"
    assert "ETag" not in pages[0].headers


# --- What is never kept ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        lambda: render_template_string("<form><input value='{{ csrf_token() }}'></form>"),
        lambda: render_template_string("<script nonce='{{ csp_nonce() }}'></script>"),
        lambda: session.update(seen="yes") or "Welcome!",
        lambda: (lambda r: r.set_cookie("seen", "yes") or r)(make_response("Welcome!")),
    ],
    ids=["csrf token", "script nonce", "session changed", "cookie set"],
)
def test_a_page_made_for_its_request_alone_is_never_kept(site, page):
    calls = []

    @cached_page
    def made_for_you():
        calls.append(1)
        return page()

    site.add_url_rule("/made-for-you", "made_for_you", made_for_you)
    client = site.test_client()
    assert [client.get("/made-for-you").status_code for _ in range(2)] == [200, 200]
    assert len(calls) == 2


def test_a_deployment_with_other_settings_keeps_pages_of_its_own(make_app, app, database_url):
    """A new release (code, templates or settings) shares Redis with the old one and never
    serves its pages."""
    url, prefix = redis_url(), new_prefix()
    [old] = build(make_app, in_redis(database_url, url, prefix, SITE_NAME="Old name"))
    [new] = build(make_app, in_redis(database_url, url, prefix, SITE_NAME="New name"))
    try:
        with on_one_connection(old, new):
            assert "Old name" in cached(old, old.test_client(), "/").text
            assert "New name" in read(new, new.test_client(), "/").text
    finally:
        close_redis(old, new)
        forget_keys(url, prefix)


def test_two_sites_on_one_redis_never_share_pages(make_app, app, database_url, tmp_path):
    """Even under one CACHE_KEY_PREFIX: the keys name the database."""
    url, prefix = redis_url(), new_prefix()
    [ours] = build(make_app, in_redis(database_url, url, prefix))
    other_database = f"sqlite:///{tmp_path / 'other-site.sqlite3'}"
    [theirs] = build(make_app, in_redis(other_database, url, prefix))
    try:
        with theirs.app_context():
            flask_migrate.upgrade()
        with on_one_connection(ours):
            author = UserFactory(roles=["author"])
            PostFactory(author, title="Ours alone", status=PostStatus.PUBLISHED)
            assert "Ours alone" in cached(ours, ours.test_client(), "/").text
            assert "Ours alone" not in theirs.test_client().get("/").get_data(as_text=True)
    finally:
        close_redis(ours, theirs)
        forget_keys(url, prefix)


# --- When the store fails -------------------------------------------------------------------


def test_with_redis_down_pages_are_rendered_and_changes_still_save(
    make_app, app, database_url, post_factory, caplog
):
    # The discard port: nothing answers there.
    [down] = build(make_app, in_redis(database_url, "redis://127.0.0.1:9/0", new_prefix()))
    try:
        with on_one_connection(down), caplog.at_level(logging.WARNING, freshness.__name__):
            client = down.test_client()
            pages = [read(down, client, "/") for _ in range(2)]
            assert [page.status for page in pages] == [200, 200]
            assert all(page.statements >= 1 for page in pages)
            assert "ETag" not in pages[0].headers
            assert pages[0].headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
            # The refresh fails after the commit: the commit stands, and the request with it.
            author = UserFactory(roles=["author"])
            post = post_factory(author, title="Saved", status=PostStatus.PUBLISHED)
            assert "Saved" in read(down, client, f"/posts/{post.slug}").text
    finally:
        close_redis(down)
    assert caplog.text.count("The page cache does not answer") == 1
    assert "could not be marked out of date" in caplog.text


def test_a_refresh_that_failed_is_made_before_the_next_page(
    site, reader, published, monkeypatch, users, post_factory
):
    cached(site, reader, "/")
    versions = site.extensions[freshness.EXTENSION]
    store = versions._store_generation
    failures = iter([OSError("disk full")])

    def failing_once(generation):
        error = next(failures, None)
        if error:
            raise error
        store(generation)

    monkeypatch.setattr(versions, "_store_generation", failing_once)
    post_factory(users["author"], title="Despite it all", status=PostStatus.PUBLISHED)

    assert "Despite it all" in reader.get("/").get_data(as_text=True)


# --- The database: no connection for a cached page, autocommit for the rest --------------------


def test_a_page_from_the_cache_takes_no_database_connection(make_app, app, database_url, tmp_path):
    """An app on the test database with a pool of its own (not the test's connection): the
    page and the schedule read outside a transaction on PostgreSQL (cms.public.reading), and
    a page served from the cache does not even take a connection from the pool."""
    [own] = build(make_app, in_memory(database_url, tmp_path / "version"))
    with own.app_context():
        engine = db.engine
    levels, checkouts = [], []

    def statement(conn, cursor, text, parameters, context, executemany):
        if text.lstrip().upper().startswith("SELECT"):  # not SQLite's PRAGMAs on connect
            levels.append(conn.get_execution_options().get("isolation_level"))

    def checkout(dbapi_connection, record, proxy):
        checkouts.append(1)

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "checkout", checkout)
    try:
        client = own.test_client()
        assert client.get("/").status_code == 200
        assert len(levels) == 2  # the schedule, then the page
        assert set(levels) == {"AUTOCOMMIT" if engine.dialect.name == "postgresql" else None}
        assert len(checkouts) == 1
        assert client.get("/").status_code == 200
        assert client.get("/", headers={"If-None-Match": 'W/"other"'}).status_code == 200
        assert (len(levels), len(checkouts)) == (2, 1)
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "checkout", checkout)
