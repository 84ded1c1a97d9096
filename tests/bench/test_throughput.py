"""make bench-http's pieces: the site it seeds (tags on the posts, the pages it loads),
its minimal reference app serving the same posts as the CMS on the same database, and
what it reads from wrk and /proc."""

from __future__ import annotations

import os
import re

import pytest

from bench import readers_pages
from bench.databases import make_app, migrate
from bench.profile_pages import _production_app
from bench.seed import seed
from bench.tags import add_tags
from bench.throughput import reference, servers, site, wrk
from config.settings import normalise_database_url
from tests.conftest import dispose_engines
from tests.databases import fresh_database

POSTS = 300
#: Where both apps are asked from: the CMS's SERVER_NAME in _production_app.
BASE = "http://127.0.0.1:8000"
_TITLE = re.compile(r'<h2><a href="/posts/[^"]+">([^<]+)</a></h2>')


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    with fresh_database(tmp_path_factory.mktemp("throughput")) as url:
        app = make_app(url)
        migrate(app)
        seed(app, POSTS)
        per_tag = add_tags(app)
        yield app, url, per_tag
        dispose_engines(app)


@pytest.fixture(scope="module")
def minimal(seeded, monkeypatch_module):
    _, url, _ = seeded
    monkeypatch_module.setenv("BENCH_REFERENCE_DATABASE_URL", normalise_database_url(url))
    monkeypatch_module.setenv("BENCH_REFERENCE_BASE_URL", "https://127.0.0.1:8000")
    app = reference.minimal_app()
    yield app.test_client()
    app.extensions["reference_engine"].dispose()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_every_post_gets_two_tags_and_each_tag_an_even_share(seeded):
    app, _, per_tag = seeded
    with app.app_context():
        from sqlalchemy import func, select

        from cms.extensions import db
        from cms.tags.models import post_tags

        rows = db.session.scalar(select(func.count()).select_from(post_tags))
        db.session.rollback()
    assert rows == 2 * POSTS
    assert per_tag > 0
    assert add_tags(app) == per_tag  # a second run adds nothing


def test_the_bench_finds_the_sitemap_files_a_crawler_would(seeded, monkeypatch):
    app, _, _ = seeded
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 100)  # 300 posts: an index
    client = app.test_client()

    pages = readers_pages.discover(client, app)

    assert [page.label for page in pages] == [
        "public tags, each with its count",
        "sitemap index",
        "sitemap, one posts file",
        "sitemap, home, tag and author pages",
    ]
    assert [page.url for page in pages][-1] == "/sitemap-pages-1.xml"
    with app.app_context():
        from cms.extensions import db

        for page in pages:
            assert client.get(page.url).status_code == 200, page.url
            assert db.session.execute(page.reference()).all(), page.label
        db.session.rollback()


def _words(page: str) -> str:
    """A page with its whitespace between tags and words evened out, and without feedgen's
    signature (the reference writes its feed with a template)."""
    page = re.sub(r"<generator[^>]*>[^<]*</generator>", "", page)
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", page)).strip()


def test_the_reference_serves_the_cms_pages_word_for_word(seeded, minimal, tmp_path):
    """The reference is the same page made with less machinery, not a smaller page: the
    ratios of make_bench-http compare the cost of the same answer."""
    _, url, _ = seeded
    cms = _production_app(url, str(tmp_path))
    try:
        reader = cms.test_client()
        for label, path in site.pages(cms).items():
            ours = reader.get(path, base_url=BASE)
            theirs = minimal.get(path, base_url=BASE)
            assert (ours.status_code, theirs.status_code) == (200, 200), label
            assert _words(theirs.text) == _words(ours.text), label
            assert "<article" in ours.text or "<entry>" in ours.text, label  # a page of posts
            ours.headers.remove("Content-Length")
            theirs.headers.remove("Content-Length")
            assert sorted(theirs.headers.items()) == sorted(ours.headers.items()), label
    finally:
        dispose_engines(cms)


def test_hello_world_answers():
    assert reference.hello_app().test_client().get("/").text == "Hello, World!"


def test_wrk_output_is_read():
    output = """Running 3s test @ http://127.0.0.1:1/
  2 threads and 8 connections
  4410 requests in 3.00s, 9.61MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1469.64
Transfer/sec:      3.20MB
"""
    assert wrk._RATE.search(output).group(1) == "1469.64"
    assert wrk._COUNT.search(output).group(1) == "4410"
    assert [m.group(0).strip() for m in wrk._ERRORS.finditer(output)] == [
        "Non-2xx or 3xx responses: 3"
    ]


def test_a_processes_memory_and_cpu_time_are_read_from_proc():
    memory = servers.memory_of(os.getpid())
    assert 0 < memory.pss <= memory.rss
    assert servers.cpu_seconds_of(os.getpid()) > 0
