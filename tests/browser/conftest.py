"""Browser tests: Debian's Chromium, driven by Playwright, against the CMS under gunicorn,
with mail going to a real SMTP server.

Each test fails on any JavaScript dialog it did not expect, any uncaught page error, anything
the Content-Security-Policy blocked, any request to another host, and any local asset that
does not load. Every test leaves a screenshot of each page's last screen in the artifacts
folder; a failing one also leaves the page's HTML.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Dialog, Page

from cms import create_app
from cms.extensions import db
from tests.browser.mailbox import SMTPServer, free_port
from tests.browser.server import LiveServer
from tests.conftest import dispose_engines
from tests.databases import configured_url, fresh_database
from tests.factories import UserFactory

# Debian's real binary (/usr/bin/chromium is a wrapper script that adds flags and noise).
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/lib/chromium/chromium"))
ROOT = Path(__file__).resolve().parents[2]
LEG = "postgresql" if configured_url() else "sqlite"
ARTIFACTS = Path(os.environ.get("CMS_TEST_ARTIFACTS", ROOT / "test-artifacts")) / LEG
LOOPBACK = "127.0.0.1"
# The name of the loopback for security keys: WebAuthn's relying party is the page's host
# name, and Chromium makes no credential for an IP address.
LOCALHOST = "localhost"

pytestmark = pytest.mark.browser


MISSING_CHROMIUM = f"Chromium is not installed at {CHROMIUM}: apt-get install chromium"
REQUIRED = os.environ.get("CI") == "true"

if not CHROMIUM.exists() and not REQUIRED:
    # Not collected at all, and said once at the end of the run (see below).
    collect_ignore_glob = ["test_*.py"]


def pytest_terminal_summary(terminalreporter):
    if not CHROMIUM.exists() and not REQUIRED:
        terminalreporter.write_line(f"browser tests skipped: {MISSING_CHROMIUM}", yellow=True)


@pytest.fixture(scope="session", autouse=True)
def _chromium_installed():
    if not CHROMIUM.exists():
        pytest.fail(f"{MISSING_CHROMIUM} (the browser tests are required in CI)")


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)


@pytest.fixture(autouse=True)
def _transaction():
    """The browser tests commit for real: the server is another process and must see the data.
    (This replaces the suite-wide rollback fixture; each run has a database of its own.)"""


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SMTPServer]:
    with SMTPServer() as server:
        yield server


@pytest.fixture
def mailbox(smtp_server):
    return smtp_server.mailbox


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp_server) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("live")
    with fresh_database(tmp) as database_url:
        server = LiveServer(database_url, free_port(), smtp_server.port, tmp / "gunicorn.log")
        server.start()
        try:
            yield server
        finally:
            server.stop()
            shutil.copy(server.log_path, ARTIFACTS / "gunicorn.log")


@pytest.fixture(scope="session")
def localhost_server(tmp_path_factory, live_server, smtp_server) -> Iterator[LiveServer]:
    """The same deployment (same database) answering as http://localhost:PORT, for the
    security-key journeys."""
    tmp = tmp_path_factory.mktemp("localhost")
    server = LiveServer(
        live_server.env["DATABASE_URL"],
        free_port(),
        smtp_server.port,
        tmp / "gunicorn.log",
        host=LOCALHOST,
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.copy(server.log_path, ARTIFACTS / "gunicorn-localhost.log")


@pytest.fixture(scope="session")
def live_app(live_server):
    """The app in this process, on the live server's database, for arranging data."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": live_server.env["DATABASE_URL"]}, environ=live_server.env
    )
    yield app
    dispose_engines(app)


@pytest.fixture
def arrange(live_app):
    """Run arranging code in the live database; what it commits the server sees."""
    with live_app.app_context():
        yield db.session
        db.session.remove()


def unique(word: str) -> str:
    """Names no other journey uses: the live database is shared by the whole run."""
    return f"{word}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def person(arrange):
    """Create a user in the live database: person("editor") gives an editor's e-mail."""

    def make(*roles: str) -> str:
        email = f"{unique('-'.join(roles) or 'reader')}@example.com"
        UserFactory(roles=list(roles), email=email)
        return email

    return make


# --- Playwright: Debian's Chromium, no calls out, base URL of the live server. ---


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        # Chromium resolves Google's hosts in the background even with Playwright's flags.
        "args": [
            f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {LOOPBACK} , EXCLUDE {LOCALHOST}"
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


# Each page reports what its Content-Security-Policy blocked on the console, where the guard
# hears it: a blocked script or handler fails silently otherwise (a button that does nothing).
_CSP_REPORT = "content security policy blocked"
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`REPORT ${event.effectiveDirective}: ${event.blockedURI || "inline"}`
    + ` ${JSON.stringify(event.sample)} on ${event.documentURI}`
    + ` (${event.sourceFile || "the page"} line ${event.lineNumber})`);
});
""".replace("REPORT", _CSP_REPORT)


class BrowserGuard:
    """Collects what must fail a test: unexpected dialogs, page errors, anything the
    Content-Security-Policy blocked, requests to other hosts and local assets that do not
    load."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages: list[Page] = []
        self.contexts: list[BrowserContext] = []
        self._expected_dialogs: list[tuple[str, bool]] = []

    def expect_dialog(self, text: str, *, accept: bool = True) -> None:
        """The next dialog is expected if its message contains ``text``; it is accepted (or
        dismissed, as a person who answers "Cancel")."""
        self._expected_dialogs.append((text, accept))

    def watch(self, context: BrowserContext) -> BrowserContext:
        self.contexts.append(context)
        context.add_init_script(_REPORT_CSP_VIOLATIONS)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)
        context.on("request", self._on_request)
        context.on("response", self._on_response)
        return context

    def _watch_page(self, page: Page) -> None:
        self.pages.append(page)
        page.on("dialog", self._on_dialog)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("console", self._on_console)

    def _on_dialog(self, dialog: Dialog) -> None:
        if self._expected_dialogs and self._expected_dialogs[0][0] in dialog.message:
            _, accept = self._expected_dialogs.pop(0)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()
            return
        self.problems.append(f"unexpected {dialog.type} dialog: {dialog.message!r}")
        dialog.dismiss()

    def _on_console(self, message) -> None:
        if message.type == "error" and message.text.startswith(_CSP_REPORT):
            self.problems.append(message.text)

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in (
            LOOPBACK,
            LOCALHOST,
        ):
            self.problems.append(f"request to another host: {request.url}")

    def _on_response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.problems.append(f"asset failed with {response.status}: {response.url}")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


_REPORTS = pytest.StashKey[dict]()


@pytest.fixture(autouse=True)
def guard(request, context) -> Iterator[BrowserGuard]:
    guard = BrowserGuard()
    guard.watch(context)
    yield guard
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    failed = any(report.failed for report in request.node.stash.get(_REPORTS, {}).values())
    for number, page in enumerate(guard.pages, start=1):
        if page.is_closed():
            continue
        # A page still loading is left to finish first, and the caret is left as it is:
        # Playwright hides it with an inline style, which the page's own scripts (select2
        # copies the input's style) would then write again and the policy refuse.
        page.wait_for_load_state()
        page.screenshot(
            path=folder / f"page{number}-last-screen.png", full_page=True, caret="initial"
        )
        if failed:
            (folder / f"page{number}.html").write_text(page.content())
    for extra in guard.contexts[1:]:  # the visitors' browsers; pytest-playwright closes its own
        extra.close()
    if guard.problems:
        pytest.fail("the browser saw:\n" + "\n".join(guard.problems))


@pytest.fixture
def visitor(browser, base_url, guard):
    """Another browser (its own cookies): a reader, or a second user, watched by the same guard."""

    def open_browser() -> Page:
        return guard.watch(browser.new_context(base_url=base_url)).new_page()

    return open_browser
