"""A test client that behaves like a browser with forms: it carries CSRF tokens."""

from __future__ import annotations

import contextvars
import html
import re

from flask.globals import _cv_app
from flask.testing import FlaskClient

from tests.factories import PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def flashed(response) -> list[str]:
    """The flashed messages the dashboard layout shows at the top of the page."""
    found = re.findall(
        r'<div class="alert alert-\w+ alert-dismissable">\s*'
        r"<button[^>]*>.*?</button>\s*(.*?)\s*</div>",
        response.get_data(as_text=True),
        re.DOTALL,
    )
    return [html.unescape(message) for message in found]


_HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
_ATTR = re.compile(r'(name|value)="([^"]*)"')


def hidden_fields_in(page: str) -> dict[str, str]:
    """The page's hidden inputs, first of each name (as the form being submitted has them)."""
    fields: dict[str, str] = {}
    for tag in _HIDDEN.findall(page):
        attrs = dict(_ATTR.findall(tag))
        if "name" in attrs:
            fields.setdefault(attrs["name"], html.unescape(attrs.get("value", "")))
    return fields


_NONCE = re.compile(r'nonce="[^"]*"')


def without_nonce(html: str) -> str:
    """The page with its script nonce, new on every request, blanked out."""
    return _NONCE.sub('nonce=""', html)


def csrf_token_in(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class CMSClient(FlaskClient):
    def open(self, *args, **kwargs):
        # Tests hold an app context for their own database work, and Flask would reuse it
        # for the request, carrying ``g`` (the logged-in user, Flask-Security's request
        # state) from one request to the next. Each request gets its own app context here,
        # as it does in production.
        return contextvars.copy_context().run(self._open_in_own_app_context, *args, **kwargs)

    def _open_in_own_app_context(self, *args, **kwargs):
        _cv_app.set(None)
        # Streamed bodies (CSV export) must be read while the request's context exists.
        kwargs["buffered"] = True
        return super().open(*args, **kwargs)

    def token(self) -> str:
        """A CSRF token for this client's session, read from a page as a browser would: the
        login page, or for a signed-in user (whom it redirects) the change-password page."""
        page = self.get("/login")
        if page.status_code == 302:
            page = self.get("/change")
        return csrf_token_in(page.get_data(as_text=True))

    def submit(self, url: str, data: dict | None = None, *, form_url: str | None = None, **kwargs):
        """POST a form the way a browser does: open the page with the form and send its
        hidden fields (the CSRF token, the version of the post opened) with ``data``."""
        page = self.get(form_url or url)
        assert page.status_code == 200, f"GET {form_url or url} gave {page.status_code}"
        html_text = page.get_data(as_text=True)
        payload = {**hidden_fields_in(html_text), "csrf_token": csrf_token_in(html_text)}
        return self.post(url, data={**payload, **(data or {})}, **kwargs)

    def post_with_token(self, url: str, data: dict | None = None, **kwargs):
        """POST to an endpoint that has no page of its own (delete, bulk actions, logout)."""
        return self.post(url, data={"csrf_token": self.token(), **(data or {})}, **kwargs)

    def login(self, email: str, password: str = PASSWORD):
        return self.submit("/login", {"email": email, "password": password})

    def logout(self):
        return self.post_with_token("/logout")
