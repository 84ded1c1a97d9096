"""The Redis the tests that share state between app instances use (rate limits, the page
cache): ``TEST_REDIS_URL``, by default database 13 of the local server. Each test keeps to
keys of its own prefix and deletes only those."""

from __future__ import annotations

import os

import pytest
import redis


def redis_for_tests() -> str:
    """The test Redis's URL; the test is skipped without one, except in CI, where it fails."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {url} does not answer, and CI requires the Redis tests")
        pytest.skip(f"no Redis answers at {url} (set TEST_REDIS_URL)")
    finally:
        client.close()
    return url
