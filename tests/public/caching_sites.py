"""Apps with the page cache on, for the cache's tests (tests/public/test_caching*.py).

The suite's own app keeps the cache off (its rows are rolled back behind the cache's
back). These build apps of their own on the test database, every one of them on the
test's connection inside its rolled-back transaction, so two "instances" see the same rows
and a test leaves nothing behind, and with a cache of their own: in memory (each app is a
process of the same machine, sharing the version file) or in Redis, under a key prefix of
the test's own that is deleted afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis
from flask import Flask

from cms.extensions import cache, db
from tests.client import CMSClient
from tests.conftest import TEST_SETTINGS, rolled_back
from tests.redis_server import redis_for_tests as redis_url  # noqa: F401 - for the cache tests
from tests.statements import recorded_statements


def redis_keys(url: str, prefix: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return list(client.scan_iter(match=f"{prefix}*"))
    finally:
        client.close()


def forget_keys(url: str, prefix: str) -> None:
    """Delete this test's keys, and no one else's."""
    client = redis.Redis.from_url(url)
    try:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
    finally:
        client.close()


@dataclass
class Deployment:
    """How the instances of one test share their cache."""

    config: dict
    environ: dict


def in_memory(database_url: str, version_file, **config) -> Deployment:
    return Deployment(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PAGE_CACHE": True,
            "PAGE_CACHE_VERSION_FILE": str(version_file),
            **config,
        },
        dict(TEST_SETTINGS),
    )


def in_redis(database_url: str, url: str, prefix: str, **config) -> Deployment:
    return Deployment(
        {"SQLALCHEMY_DATABASE_URI": database_url, "PAGE_CACHE": True, **config},
        {
            **TEST_SETTINGS,
            "REDIS_URL": url,
            "CACHE_KEY_PREFIX": prefix,
            "RATELIMIT_KEY_PREFIX": f"{prefix}limits",
        },
    )


def build(make_app, deployment: Deployment, count: int = 1) -> list[Flask]:
    apps = [make_app(dict(deployment.config), dict(deployment.environ)) for _ in range(count)]
    for built in apps:
        built.test_client_class = CMSClient
    return apps


@contextmanager
def on_one_connection(first: Flask, *others: Flask) -> Iterator[None]:
    """``rolled_back(first)``, with ``others`` on the same connection: what one commits,
    the others read, and all of it is rolled back at the end."""
    with rolled_back(first):
        connection = db._app_engines[first][None]
        saved = []
        for other in others:
            with other.app_context():
                engines = db._app_engines[other]
            saved.append((engines, engines[None]))
            engines[None] = connection
        try:
            yield
        finally:
            for engines, engine in saved:
                engines[None] = engine


def close_redis(*apps: Flask) -> None:
    """Close the Redis connections of the apps' caches and limiters (a socket left open is
    a ResourceWarning, an error here)."""
    for built in apps:
        backend = built.extensions["cache"][cache]
        client = getattr(backend, "_write_client", None)
        if client is not None:
            client.close()
        storage = built.extensions["cms_rate_limits"].storage
        inner = getattr(storage, "storage", None)
        if inner is not None and hasattr(inner, "close"):
            inner.close()


@dataclass
class Read:
    status: int
    text: str
    statements: int
    headers: dict


def read(app: Flask, client, path: str, **kwargs) -> Read:
    """GET ``path``: what came back and how many SQL statements it took."""
    db.session.expire_all()
    with recorded_statements(app) as statements:
        response = client.get(path, **kwargs)
    return Read(
        response.status_code,
        response.get_data(as_text=True),
        len(statements),
        dict(response.headers),
    )


def cached(app: Flask, client, path: str) -> Read:
    """Read ``path`` twice and check that the second came from the cache (no SQL)."""
    read(app, client, path)
    again = read(app, client, path)
    assert again.statements == 0, f"{path} was not served from the cache"
    return again


def new_prefix() -> str:
    return f"cms-test-{uuid.uuid4().hex}:"
