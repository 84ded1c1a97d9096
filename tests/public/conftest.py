"""Fixtures of the readers' pages' tests: posts published at a fixed "now", and an app with
the page cache on (tests/public/caching_sites.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cms.extensions import db
from cms.posts.models import PostStatus
from tests.public.caching_sites import (
    build,
    close_redis,
    forget_keys,
    in_memory,
    in_redis,
    new_prefix,
    on_one_connection,
    redis_url,
)
from tests.public.helpers import NOW


@pytest.fixture
def publish(frozen_clock, post_factory, users):
    """A post published ``hours_ago`` hours before the frozen now (negative: in the future),
    by ``users["author"]`` unless ``author=`` says otherwise, with the ``tagged`` tags."""

    def publish(title: str, hours_ago: float = 1, tagged=(), **fields):
        fields.setdefault("status", PostStatus.PUBLISHED)
        fields.setdefault("published_at", NOW - timedelta(hours=hours_ago))
        # Written when it came out (the model's default is the real clock, not the frozen one).
        fields.setdefault("updated_at", fields["published_at"])
        post = post_factory(fields.pop("author", users["author"]), title=title, **fields)
        if tagged:
            post.tags = list(tagged)
            db.session.commit()
        return post

    return publish


@pytest.fixture
def make_site(make_app, app, database_url, tmp_path):
    """An app with the page cache on, in memory (``make_site(PUBLIC_CACHE_SECONDS=5)``)."""

    def make(**config):
        [site] = build(make_app, in_memory(database_url, tmp_path / "version", **config))
        return site

    return make


@pytest.fixture
def site(make_site):
    """``make_site()``, on the test's connection."""
    site = make_site()
    with on_one_connection(site):
        yield site


@pytest.fixture(params=["redis", "memory"])
def deployment(request, app, database_url, tmp_path):
    """How two instances share their page cache: Redis (several hosts), or only the version
    file (gunicorn's workers on one host). ``app``: the database is migrated first."""
    if request.param == "memory":
        yield in_memory(database_url, tmp_path / "public-pages.version")
        return
    url, prefix = redis_url(), new_prefix()
    yield in_redis(database_url, url, prefix)
    forget_keys(url, prefix)


@pytest.fixture
def instances(make_app, deployment):
    """Two instances (a writer's and a reader's) on one connection, rolled back afterwards."""
    writer, reader = build(make_app, deployment, count=2)
    with on_one_connection(writer, reader):
        yield writer, reader
    close_redis(writer, reader)
