"""The API's contract: a valid OpenAPI 3.1 document naming every status it answers, the
docs page served by the app alone, the page cache and validators, the read limit, CORS."""

from __future__ import annotations

import pytest
from openapi_spec_validator import validate

from cms.api.problems import PROBLEM_JSON

OPERATIONS = ["/api/v1/posts", "/api/v1/posts/{slug}", "/api/v1/tags", "/api/v1/authors/{slug}"]


def test_the_spec_is_valid_openapi_3_1_with_every_status_the_api_answers(client):
    spec = client.get("/api/v1/openapi.json").json

    validate(spec)
    assert spec["openapi"] == "3.1.0"
    public = [path for path in spec["paths"] if not path.startswith("/api/v1/editorial/")]
    assert sorted(public) == sorted(OPERATIONS)
    for path in OPERATIONS:
        responses = spec["paths"][path]["get"]["responses"]
        assert {"200", "304", "400", "422", "429", "default"} <= set(responses), path
        assert "404" in responses or "{" not in path
    problem = spec["components"]["responses"]["NOT_FOUND"]["content"]
    assert list(problem) == [PROBLEM_JSON]


def test_every_public_read_is_rate_limited_and_cached(app, client):
    from cms.public.caching import is_cached_page
    from cms.rate_limits import API_READ

    spec = client.get("/api/v1/openapi.json").json
    limited = app.extensions["cms_rate_limited_endpoints"]
    public_reads = []
    for rule in app.url_map.iter_rules():
        path = rule.rule.replace("<", "{").replace(">", "}")
        operation = spec["paths"].get(path, {}).get("get")
        if not rule.endpoint.startswith("api_v1.") or operation is None:
            continue
        if "security" in operation:  # a token's reads are its own, not the shared cache's
            continue
        view = app.view_functions[rule.endpoint]
        assert rule.endpoint in limited and view.cms_rate_limit == API_READ, path
        assert is_cached_page(view), path
        public_reads.append(path)
    assert sorted(public_reads) == sorted(OPERATIONS)


def test_the_docs_page_loads_only_the_apps_own_files(client):
    page = client.get("/api/docs")

    assert page.status_code == 200
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "http" not in page.text.replace('xmlns="http', "")  # no outside address
    for asset in ("/api/docs/assets/swagger-ui-bundle.js", "/api/docs/assets/swagger-ui.css",
                  "/static/js/api_docs.js"):  # fmt: skip
        assert asset in page.text
        with client.get(asset) as response:
            assert response.status_code == 200, asset


def test_reads_are_cached_with_an_etag_and_answer_304(site, publish):
    publish("Hello")
    reader = site.test_client()

    first = reader.get("/api/v1/posts")
    again = reader.get("/api/v1/posts", headers={"If-None-Match": first.headers["ETag"]})

    assert first.headers["ETag"].startswith('W/"')
    assert first.headers["Cache-Control"].startswith("public")
    assert again.status_code == 304
    assert reader.get("/api/v1/tags").headers["ETag"] == first.headers["ETag"]


def test_publishing_changes_the_etag(site, publish):
    publish("Hello")
    reader = site.test_client()
    before = reader.get("/api/v1/posts")
    publish("News", hours_ago=0.5)
    after = reader.get("/api/v1/posts", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert [p["title"] for p in after.json["posts"]] == ["News", "Hello"]


def test_reads_past_the_limit_are_a_problem_429_with_retry_after(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "API_READ_RATE_LIMIT", "3 per minute")

    answers = [client.get("/api/v1/tags") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["RateLimit-Remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "3"
    assert 0 < int(answers[0].headers["RateLimit-Reset"]) <= 60
    refused = answers[3]
    assert refused.content_type == PROBLEM_JSON
    assert refused.json["status"] == 429 and refused.json["title"] == "Too Many Requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    # Another address still reads.
    other = client.get("/api/v1/tags", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 200


def test_the_readers_pages_carry_no_rate_limit(client):
    assert "RateLimit-Limit" not in client.get("/").headers


def test_cors_is_off_by_default(client):
    response = client.get("/api/v1/tags", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.fixture
def cors_app(make_app, database_url):
    from tests.conftest import TEST_SETTINGS

    return make_app(
        {"SQLALCHEMY_DATABASE_URI": database_url},
        environ={**TEST_SETTINGS, "API_CORS_ORIGINS": "https://app.example"},
    )


def test_cors_lets_the_listed_origins_read(cors_app):
    client = cors_app.test_client()

    allowed = client.get("/api/v1/tags", headers={"Origin": "https://app.example"})
    other = client.get("/api/v1/tags", headers={"Origin": "https://evil.example"})
    preflight = client.options(
        "/api/v1/posts",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert allowed.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert "ETag" in allowed.headers["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed.headers
    assert "Origin" in allowed.headers["Vary"]
    assert "Access-Control-Allow-Origin" not in other.headers
    assert preflight.status_code == 200
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]
    # The site's pages are not opened to other origins.
    page = client.get("/", headers={"Origin": "https://app.example"})
    assert "Access-Control-Allow-Origin" not in page.headers
