"""Checks every request passes before any view sees it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import abort, request

from cms.audit.signals import record_failed_login

# The parameters Flask-Admin (``url``) and Flask-Security (``next``) send people back to.
REDIRECT_PARAMETERS = ("url", "next")


def _strings_in(value: Any) -> Iterator[str]:
    """Every string in a JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings_in(item)


def refuse_nul_bytes() -> None:
    """Answer 400 to a NUL byte anywhere in the path, query, form or JSON body.

    No text the CMS stores or looks up can contain one, PostgreSQL rejects it outright
    (a 500 deep inside a query otherwise), and no browser sends one unprompted. A login
    refused here is still a failed login, so it goes into the audit log.
    """
    body = request.get_json(silent=True) if request.is_json else None
    values = [request.path, *_strings_in(body)]
    # The query's names and values hold a NUL only if its raw text spells one (%00): a
    # reader's query is not decoded here for nothing.
    raw_query = request.query_string
    if b"%00" in raw_query or b"\x00" in raw_query:
        values += [*request.args.values(), *request.args.keys()]
    # Only a form body is parsed for its fields (a reader's GET has none to parse).
    if request.want_form_data_parsed:
        values += [*request.form.values(), *request.form.keys()]
    if not any("\x00" in value for value in values):
        return
    if request.endpoint == "security.login" and request.method == "POST":
        attempted = (body if isinstance(body, dict) else request.form).get("email")
        record_failed_login(attempted if isinstance(attempted, str) else "")
    abort(400, description="The request contains a NUL character, which cannot be stored.")


def is_local_path(target: str) -> bool:
    """Whether ``target`` is a path on this site and nothing a browser could read otherwise.

    Browsers follow ``https:evil.example`` and ``/\\evil.example`` off the site and drop
    tabs and newlines before reading a URL, so only a plain ``/path?query`` passes.
    """
    if not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(char.isspace() or not char.isprintable() for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def is_this_site(target: str) -> bool:
    """Whether ``target`` is a local path, or an absolute http(s) link to this very host
    (Flask-Security writes one into ``next`` when the request's scheme differs from
    ``PREFERRED_URL_SCHEME``, as behind a proxy that ends TLS)."""
    if is_local_path(target):
        return True
    if "\\" in target or any(char.isspace() or not char.isprintable() for char in target):
        return False
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        return False
    return is_local_path(urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)))


def refuse_offsite_redirects() -> None:
    """Answer 400 to a return address that leads off the site, before any view reads it.

    Flask-Admin's own check accepts ``https:evil.example`` as relative (every model view
    reads ``url`` through it), so the one rule for all views is kept here.
    """
    # Only a form body is parsed for its fields (a reader's GET has none to parse).
    form = request.form if request.want_form_data_parsed else None
    for name in REDIRECT_PARAMETERS:
        targets = request.args.getlist(name) + (form.getlist(name) if form else [])
        for target in targets:
            if target and not is_this_site(target):
                abort(
                    400,
                    description="This link's return address leads off the site; "
                    "open the page from the dashboard instead.",
                )
