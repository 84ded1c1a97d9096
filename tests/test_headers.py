"""Security headers: HSTS only where the site is served over HTTPS, and a Content-Security-Policy
under which the dashboard runs only the scripts its pages name with the request's nonce."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from cms import clock
from cms.accounts.models import Role
from cms.audit.models import AuditEntry
from cms.extensions import db
from cms.posts import revisions
from config import ConfigError, load_config
from tests.factories import PostFactory
from tests.public.test_site import csp_directives
from tests.test_config import PRODUCTION

A_YEAR = 365 * 24 * 3600


@pytest.fixture
def production_app(make_app, database_url):
    """A client of the app in production settings (or others: ``CMS_CONFIG=...``), with
    ``environ`` overrides, on the test database."""

    def make(**environ: str):
        # TESTING only keeps the app's logging setup off pytest's handlers. The suite's
        # bcrypt cost: the Security instance every app shares takes the last app's.
        config = {"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True}
        environ = {**PRODUCTION, "BCRYPT_ROUNDS": "4", **environ}
        return make_app(config, environ).test_client()

    return make


def hsts_of(client) -> str | None:
    response = client.get("/healthz", base_url="https://cms.example.com")
    assert response.status_code == 200
    return response.headers.get("Strict-Transport-Security")


def test_production_over_https_keeps_browsers_on_https_for_a_year(production_app):
    assert hsts_of(production_app()) == f"max-age={A_YEAR}"


def test_hsts_lifetime_and_subdomains_are_settings(production_app):
    client = production_app(HSTS_SECONDS="600", HSTS_INCLUDE_SUBDOMAINS="true")
    assert hsts_of(client) == "max-age=600; includeSubDomains"
    assert hsts_of(production_app(HSTS_SECONDS="0")) is None


def test_no_hsts_where_the_site_is_not_served_over_https(production_app, client):
    # In development it would pin localhost to https for a year.
    assert hsts_of(production_app(CMS_CONFIG="development", HSTS_SECONDS="600")) is None
    assert hsts_of(client) is None  # testing
    assert hsts_of(production_app(PREFERRED_URL_SCHEME="http")) is None


def test_hsts_over_http_is_refused_with_a_clear_error(tmp_path):
    environ = {**PRODUCTION, "PREFERRED_URL_SCHEME": "http", "HSTS_SECONDS": "600"}
    with pytest.raises(ConfigError, match="HSTS_SECONDS needs PREFERRED_URL_SCHEME=https"):
        load_config(tmp_path, environ)


# --- The dashboard's Content-Security-Policy --------------------------------------------


class InlineCode(HTMLParser):
    """What a page would run or apply inline: its ``<script>`` and ``<style>`` tags (with
    their nonces), event handler attributes (onclick=...), javascript: URLs that do more than
    nothing, and ``style`` attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.script_nonces: list[str | None] = []
        self.style_nonces: list[str | None] = []
        self.refused: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.script_nonces.append(attrs.get("nonce"))
        if tag == "style":
            self.style_nonces.append(attrs.get("nonce"))
        for name, value in attrs.items():
            # Flask-Admin's placeholder links: static/js/dashboard.js never follows them.
            runs_code = (value or "").startswith("javascript:") and value != "javascript:void(0)"
            if name.startswith("on") or name == "style" or runs_code:
                self.refused.append(f"<{tag} {name}={value!r}>")


def script_nonce(response) -> str:
    (source,) = csp_directives(response.headers["Content-Security-Policy"])["script-src"]
    assert source.startswith("'nonce-") and source.endswith("'"), source
    return source.removeprefix("'nonce-").removesuffix("'")


@pytest.fixture
def admin_client(client, users):
    client.login(users["admin"].email)
    return client


@pytest.fixture
def rows(admin_client, users):
    """Ids for the pages' URLs; the admin's login is in the audit log."""
    post = PostFactory(users["author"], title="A post")
    older = revisions.record(post, users["author"])
    post.body = "Changed words."
    newer = revisions.record(post, users["editor"])
    PostFactory(users["author"], title="Binned", deleted_at=clock.utcnow())
    db.session.commit()
    return {
        "post": post.id,
        "older": older.id,
        "newer": newer.id,
        "user": users["editor"].id,
        "role": db.session.scalar(select(Role.id).limit(1)),
        "entry": db.session.scalar(select(func.max(AuditEntry.id))),
    }


DASHBOARD_PAGES = [
    "/admin/",
    "/admin/posts/",
    "/admin/posts/?flt0_0=draft&search=post&page_size=50",
    "/admin/posts/new/",
    "/admin/posts/edit/?id={post}",
    "/admin/posts/details/?id={post}",
    "/admin/posts/revisions/compare/?id={post}&a={older}&b={newer}",
    "/admin/trash/",
    "/admin/users/",
    "/admin/users/invite/",
    "/admin/users/edit/?id={user}",
    "/admin/users/details/?id={user}",
    "/admin/roles/",
    "/admin/roles/edit/?id={role}",
    "/admin/audit/",
    "/admin/audit/details/?id={entry}",
    "/admin/profile/",
    "/change",
]


@pytest.mark.parametrize("path", DASHBOARD_PAGES)
def test_dashboard_pages_run_only_scripts_with_the_requests_nonce(admin_client, rows, path):
    response = admin_client.get(path.format(**rows))
    assert response.status_code == 200
    policy = csp_directives(response.headers["Content-Security-Policy"])
    page = InlineCode(response.get_data(as_text=True))

    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
    assert page.script_nonces, "the dashboard's layout loads its scripts"
    assert set(page.script_nonces + page.style_nonces) == {script_nonce(response)}
    assert page.refused == []  # the policy refuses them: nothing may need them


@pytest.mark.parametrize("path", ["/login", "/reset"])
def test_account_screens_run_only_scripts_with_the_requests_nonce(client, path):
    response = client.get(path)
    page = InlineCode(response.get_data(as_text=True))

    assert page.script_nonces
    assert set(page.script_nonces + page.style_nonces) == {script_nonce(response)}
    assert page.refused == []


def test_each_request_has_a_nonce_of_its_own(client):
    nonces = {script_nonce(client.get("/login")) for _ in range(3)}
    assert len(nonces) == 3
    assert all(len(nonce) >= 22 for nonce in nonces)  # 128 bits and more


@pytest.mark.parametrize(
    "path",
    ["/", "/posts/missing", "/healthz", "/admin/", "/admin/posts/preview/?id={post}"],
)
def test_responses_that_are_not_dashboard_pages_allow_no_script(admin_client, client, rows, path):
    """The public site, error pages, redirects and the preview of a post (the public page)."""
    asking = admin_client if "preview" in path else client.application.test_client()
    response = asking.get(path.format(**rows))
    policy = csp_directives(response.headers["Content-Security-Policy"])

    assert policy["script-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "nonce" not in response.get_data(as_text=True)


def test_any_page_that_asks_for_the_nonce_gets_the_dashboard_policy(make_app, database_url):
    """As the account screens other features add (two-factor, invitations) will."""
    app = make_app({"SQLALCHEMY_DATABASE_URI": database_url})
    app.add_url_rule(
        "/new-account-screen",
        view_func=lambda: render_template_string('<script nonce="{{ csp_nonce() }}"></script>'),
    )
    response = app.test_client().get("/new-account-screen")

    assert InlineCode(response.get_data(as_text=True)).script_nonces == [script_nonce(response)]
    assert response.headers["Cache-Control"] == "no-store"
