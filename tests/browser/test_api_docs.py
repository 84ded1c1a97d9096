"""The API docs page in a browser: Swagger UI renders the OpenAPI 3.1 spec and calls the
API under the page's policy (scripts from the site only: the guard fails the test on
anything it blocks), with every file from the app and nothing from anywhere else."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_the_docs_page_renders_the_spec_and_tries_a_call(page: Page, base_url: str, guard):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs")

    for path in ("/api/v1/posts", "/api/v1/posts/{slug}", "/api/v1/tags", "/api/v1/authors/{slug}"):
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    page.locator(".opblock-summary", has_text="/api/v1/tags").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text(
        "200"
    )
    assert [url for url in requested if not url.startswith(base_url)] == []
