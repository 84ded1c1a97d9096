"""The editorial side's rate limit: counted per token (a token's requests from anywhere
share it; another token has its own), requests with a token that does not work per client
address, with the RateLimit-* headers and a 429 problem with Retry-After."""

from __future__ import annotations

import redis

from cms.api.problems import PROBLEM_JSON
from tests.api.editorial import bearer
from tests.test_rate_limits import instances, key_prefix, redis_url  # noqa: F401 - fixtures

POSTS = "/api/v1/editorial/posts"


def test_a_token_past_its_limit_gets_429_and_another_token_does_not(
    app, client, users, monkeypatch
):
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "3 per minute")
    first, second = bearer(users["author"], "one"), bearer(users["author"], "two")

    answers = [
        client.get(POSTS, headers=first, environ_base={"REMOTE_ADDR": f"203.0.113.{n}"})
        for n in range(4)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    refused = answers[3]
    assert refused.content_type == PROBLEM_JSON and refused.json["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert client.get(POSTS, headers=second).status_code == 200


def test_requests_with_tokens_that_do_not_work_are_counted_per_address(
    app, client, users, monkeypatch
):
    monkeypatch.setitem(app.config, "API_TOKEN_RATE_LIMIT", "2 per minute")
    guesses = [
        client.get(POSTS, headers={"Authorization": f"Bearer cms_guess{n}"}) for n in range(3)
    ]
    assert [g.status_code for g in guesses] == [401, 401, 429]
    elsewhere = client.get(POSTS, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert elsewhere.status_code == 401


def test_two_app_instances_share_the_editorial_counts_through_redis(
    instances,  # noqa: F811
    redis_url,  # noqa: F811
    key_prefix,  # noqa: F811
):
    settings = {
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": key_prefix,
        "API_TOKEN_RATE_LIMIT": "3 per minute",
    }
    clients = [instances(**settings).test_client(), instances(**settings).test_client()]
    guess = {"Authorization": "Bearer cms_not-a-token"}

    answers = [clients[n % 2].get(POSTS, headers=guess).status_code for n in range(4)]

    assert answers == [401, 401, 401, 429]
    keys = redis.Redis.from_url(redis_url)
    try:
        assert list(keys.scan_iter(match=f"*{key_prefix}*editorial*"))
    finally:
        keys.close()
