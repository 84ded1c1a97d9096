"""The guard that fails every browser test on a dialog, a page error, a request to another
host or a broken asset must itself catch them: otherwise no journey could fail on XSS."""

from __future__ import annotations

import pytest

from tests.browser.conftest import BrowserGuard

pytestmark = pytest.mark.browser


@pytest.fixture
def watched(browser, base_url):
    guard = BrowserGuard()
    context = guard.watch(browser.new_context(base_url=base_url))
    page = context.new_page()
    yield guard, page
    context.close()


def test_an_alert_is_caught(watched):
    guard, page = watched
    page.goto("/")
    page.evaluate("alert('xss')")
    assert guard.problems == ["unexpected alert dialog: 'xss'"]


def test_an_expected_confirmation_is_accepted(watched):
    guard, page = watched
    page.goto("/")
    guard.expect_dialog("Sure?")
    assert page.evaluate("confirm('Sure?')") is True
    assert guard.problems == []


def test_a_page_error_is_caught(watched):
    guard, page = watched
    page.goto("/")
    page.evaluate("setTimeout(() => { throw new Error('boom') })")
    # The error reaches the guard as an event, later on a busy machine than 100 ms (a CI
    # run once saw none yet): wait for it, up to a bound, then look.
    for _ in range(100):
        if guard.problems:
            break
        page.wait_for_timeout(50)
    assert guard.problems == ["page error: boom"]


def test_requests_to_other_hosts_and_broken_assets_are_caught(watched):
    guard, page = watched
    page.goto("/")
    page.evaluate(
        """() => {
            for (const src of ['http://cdn.example.com/lib.js', '/static/missing.css']) {
                const img = document.createElement('img'); img.src = src;
                document.body.append(img);
            }
        }"""
    )
    page.wait_for_timeout(500)
    assert "request to another host: http://cdn.example.com/lib.js" in guard.problems
    assert any(problem.startswith("asset failed with 404") for problem in guard.problems)


INJECTED = {
    "script": """() => {
        const script = document.createElement('script');
        script.textContent = 'document.title = "injected"';
        document.body.append(script);
    }""",
    "style": """() => {
        document.body.insertAdjacentHTML('beforeend', '<p style="display: none">injected</p>');
    }""",
}


@pytest.mark.parametrize(
    ("path", "what", "directive"),
    [
        ("/", "script", "script-src-elem"),
        ("/login", "script", "script-src-elem"),
        ("/", "style", "style-src-attr"),
        ("/login", "style", "style-src-attr"),
    ],
)
def test_anything_the_content_security_policy_blocks_is_caught(watched, path, what, directive):
    """On the public site and under the dashboard's policy (the login page has it)."""
    guard, page = watched
    page.goto(path)
    with page.expect_console_message(lambda message: message.type == "error"):
        page.evaluate(INJECTED[what])
    assert page.title() != "injected"
    assert len(guard.problems) == 1, guard.problems
    assert guard.problems[0].startswith(f"content security policy blocked {directive}: inline")
