"""The public pages' cache and HTTP validators: one decorator, ``@cached_page``, per view.

A public view decorated with it (every page readers see: lists, posts, and the tag and
author pages, feeds and sitemap to come) is rendered once per version of the site
(``cms.public.freshness``) and then served from the cache until the version moves on:
in Redis with ``REDIS_URL``, shared by every instance, else in the process's memory. A
hit reads nothing from the database.

Readers (nobody signed in) get the shared cache, a weak ETag and a Last-Modified made from
the version, a 304 to a conditional request that matches (decided before anything else is
read), and ``Cache-Control: public, max-age=0, s-maxage=PUBLIC_CACHE_SECONDS``: a CDN may
keep the page that long without asking; a browser asks every time (and mostly gets a 304),
so a reader never sees a page older than the app's, not even a scheduled post late.

Signed-in people never get a page from the shared cache nor put one in it: their pages
differ (the Dashboard link, and whatever a later page shows its reader). Theirs are
``private, no-cache``, with an ETag of their own, so their browser may still ask for a 304.

Never cached: anything but a 200 (so an ``abort(404)`` is not kept, and publishing turns
it into the post at once); an answer that sets a cookie or changes the session; a page
that made a CSRF token or a script nonce for this request (another reader's form would
fail, or its scripts be blocked). Previews are not decorated: they are never cached.

A page added later needs nothing else: every commit that changes what readers see is
noticed whatever table it touches (``cms.public.changes``). Code that changes the pages
around the session (SQL text) calls ``public_content_changed()`` before its commit.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, request, session
from flask.typing import ResponseReturnValue
from werkzeug.http import http_date, is_resource_modified, quote_etag
from werkzeug.wrappers import Response

from cms import clock
from cms.extensions import cache, db
from cms.public import reading
from cms.public.changes import public_content_changed
from cms.public.freshness import EXTENSION, UNAVAILABLE, SiteVersion, Version, site_version
from cms.public.signed_in import someone_signed_in

__all__ = ["cached_page", "init_page_cache", "is_cached_page", "public_content_changed"]

_CACHED_PAGE = "cms_cached_page"
#: What Flask-Login keeps in the session for the signed-in account: its ETags are theirs.
_SESSION_USER_KEY = "_user_id"
#: Made for one request alone: a page holding one must not be served to anyone else.
_REQUEST_SECRETS = ("csrf_token", "csp_nonce")
#: Settings that say nothing about the pages, or hold secrets (kept out of the release).
_NOT_SHOWN = re.compile(r"SECRET|PASSWORD|SALT|KEY|TOKEN|URI|URL|MAIL_")


def init_page_cache(app: Flask) -> None:
    """Bind the cache (Redis or memory, from the settings) and, when ``PAGE_CACHE`` is on,
    the site's version for the decorated views."""
    cache.init_app(app)
    if app.config["PAGE_CACHE"]:
        app.extensions[EXTENSION] = SiteVersion(app, cache, _release(app))


def cached_page(
    view: Callable | None = None, *, query_args: Iterable[str] | None = None
) -> Callable:
    """Serve a public view from the page cache, with ETag, Last-Modified and 304s.

    ``query_args`` names the query arguments the view reads, when others should share its
    page (``/?utm_source=x`` is ``/``); by default every argument makes its own page.
    """
    names = None if query_args is None else frozenset(query_args)

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def serve(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            return _serve(functools.partial(view, *args, **kwargs), names)

        setattr(serve, _CACHED_PAGE, True)
        return serve

    return decorate(view) if view is not None else decorate


def is_cached_page(view: Callable | None) -> bool:
    """Whether ``view`` goes through ``cached_page`` (it sets up its reads itself)."""
    return getattr(view, _CACHED_PAGE, False)


def _serve(render: Callable[[], ResponseReturnValue], names: frozenset[str] | None) -> Response:
    versions = site_version()
    signed_in = someone_signed_in()
    if versions is None or request.method not in ("GET", "HEAD"):
        return _headed(_rendered(render), signed_in)
    version = versions.current()
    if version is None:  # the store does not answer: a fresh page, nothing kept
        return _headed(_rendered(render), signed_in)
    etag, last_modified = _validators(version, signed_in)
    if _conditional(request.environ) and not is_resource_modified(
        request.environ, etag, last_modified=last_modified
    ):
        # Answered from the version alone: no page, no database.
        return _headed(current_app.response_class(status=304), signed_in, etag, last_modified)
    if signed_in:
        return _headed(_rendered(render), signed_in, etag, last_modified)
    key = _key(versions, version, names)
    response = _stored(versions, key)
    if response is None:
        response = _rendered(render)
        if _may_keep(response):
            _keep(versions, key, response, version)
    return _headed(response, signed_in, etag, last_modified)


def _rendered(render: Callable[[], ResponseReturnValue]) -> Response:
    # The page reads as public pages do (cms.public.reading), unless the version's
    # schedule was read first in this request.
    if not db.session().in_transaction():
        reading.read_outside_a_transaction()
    return current_app.make_response(render())


def _conditional(environ: dict) -> bool:
    # Most requests are not: they skip werkzeug's parsing of the validators.
    return "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ


def _validators(version: Version, signed_in: bool) -> tuple[str, str | None]:
    """The ETag (weak: the same page, not the same bytes) and the Last-Modified."""
    tag = version.tag
    if signed_in:
        account = str(session.get(_SESSION_USER_KEY, ""))
        tag += "." + hashlib.sha256(account.encode()).hexdigest()[:12]
    last_modified = _last_modified(version)
    return quote_etag(tag, weak=True), last_modified and http_date(last_modified)


def _headed(
    response: Response,
    signed_in: bool,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Response:
    """Cache-Control and the validators, on a 200 or a 304. Written as headers: werkzeug's
    ``cache_control`` object parses and rewrites the header at every attribute set, a tenth
    of a cached page's time."""
    if response.status_code not in (200, 304):
        return response
    headers = response.headers
    if signed_in:
        headers["Cache-Control"] = "private, no-cache"
    elif seconds := current_app.config["PUBLIC_CACHE_SECONDS"]:
        headers["Cache-Control"] = f"public, max-age=0, s-maxage={seconds}"
    else:
        headers["Cache-Control"] = "public, no-cache"
    if etag is not None:
        headers["ETag"] = etag
    if last_modified is not None:
        headers["Last-Modified"] = last_modified
    return response


def _last_modified(version: Version) -> datetime | None:
    """``version.since``, once a second has passed since it: HTTP dates have whole seconds,
    so a page of a version made in this very second would carry the date of a change later
    in the same second, and a client asking If-Modified-Since would miss it. (The ETag
    tells them apart; a client that sends one is not asked about dates.)"""
    since = version.since.replace(microsecond=0)
    if clock.utcnow() < since + timedelta(seconds=1):
        return None
    return since


def _key(versions: SiteVersion, version: Version, names: frozenset[str] | None) -> str:
    arguments = sorted(
        (name, value)
        for name, value in request.args.items(multi=True)
        if names is None or name in names
    )
    # The host too: without SERVER_NAME, absolute links (a post's canonical address) come
    # from the request's Host header, which a client chooses.
    address = repr((request.scheme, request.host, request.path, arguments))
    return f"{versions.namespace}page:{version.tag}:{hashlib.sha256(address.encode()).hexdigest()}"


def _stored(versions: SiteVersion, key: str) -> Response | None:
    try:
        entry = cache.get(key)
    except UNAVAILABLE as error:
        versions.unavailable(error)
        return None
    try:
        status, headers, body = entry
    except (TypeError, ValueError):  # none, or kept by a release that stored pages otherwise
        return None
    return current_app.response_class(body, status=status, headers=headers)


def _may_keep(response: Response) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and "Set-Cookie" not in response.headers
        and not session.modified
        and not any(name in g for name in _REQUEST_SECRETS)
        and not response.cache_control.no_store
        and not response.cache_control.private
    )


def _keep(versions: SiteVersion, key: str, response: Response, version: Version) -> None:
    seconds = current_app.config["PAGE_CACHE_SECONDS"]
    if version.until is not None:
        # The key names the version, which ends then: no need to take room after that.
        left = (version.until - clock.utcnow()).total_seconds()
        seconds = max(1, min(seconds, int(left) + 1))
    headers = [(name, value) for name, value in response.headers if name != "Content-Length"]
    try:
        cache.set(key, (response.status_code, headers, response.get_data()), timeout=seconds)
    except UNAVAILABLE as error:
        versions.unavailable(error)


# --- The release: what else makes a page, besides the content ---------------------------


def _release(app: Flask) -> str:
    """The code, templates and settings that render the pages: a deployment that changes
    any of them starts with pages (and ETags) of its own, even on a shared Redis."""
    settings = sorted(
        (name, repr(value))
        for name, value in app.config.items()
        if isinstance(value, str | int | float | bool | None) and not _NOT_SHOWN.search(name)
    )
    digest = hashlib.sha256(_source_digest().encode())
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:16]


@functools.cache
def _source_digest() -> str:
    package = Path(__file__).resolve().parents[1]
    files = sorted((*package.rglob("*.py"), *(package / "templates").rglob("*.*")))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
