"""The two apps the CMS is measured against, for gunicorn's ``module:factory()`` syntax.

``minimal_app()`` serves the readers' pages the CMS serves (home page, an older page by
keyset, a post, a tag's page, the Atom feed) from the same database, as a small Flask app
would: SQLAlchemy Core, one Jinja template per page (``reference_templates/``), the
meta tags and JSON-LD written in the view. The page is the CMS's own, word for word (the
test pins it: tests/bench/test_throughput.py), with the same response headers; what it
leaves out is the CMS's machinery (sessions, accounts, policy, caching, the ORM). It
follows the same "published" rule in its SQL, so it reads the same indexes.
``hello_app()`` answers one short line: what gunicorn and Flask cost alone.

The database comes from ``BENCH_REFERENCE_DATABASE_URL`` (an SQLAlchemy URL), and the
absolute addresses start with ``BENCH_REFERENCE_BASE_URL`` (else the request's).
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from flask import Flask, Response, abort, render_template, request
from markupsafe import Markup
from sqlalchemy import DateTime, bindparam, create_engine
from sqlalchemy import text as _sql

SITE = "Flask CMS"
PER_PAGE = 10
_MOMENTS = ("published_at", "updated_at")
#: The CMS's response headers for a reader's page (cms.headers, cms.public.caching).
HEADERS = {
    "Cache-Control": "public, max-age=0, s-maxage=60",
    "Content-Security-Policy": (
        "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'; img-src 'self' https: data:; style-src 'self'; script-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=31536000",
    "Vary": "Cookie",
}


def text(sql: str):
    """SQL text whose moments are datetimes both ways (SQLite stores them as text)."""
    statement = _sql(sql)
    moments = [bindparam(name, type_=DateTime) for name in ("now", "at") if f":{name}" in sql]
    if moments:
        statement = statement.bindparams(*moments)
    return statement.columns(**{name: DateTime for name in _MOMENTS if f"p.{name}" in sql})


_PUBLISHED = (
    "p.status = 'published' AND p.published_at IS NOT NULL AND p.published_at <= :now "
    "AND p.deleted_at IS NULL"
)
_LISTED = (
    "p.id, p.title, p.slug, p.summary, p.excerpt, p.published_at, u.full_name, "
    "u.slug AS author_slug"
)
_NEWEST = text(
    f"SELECT {_LISTED} FROM posts p JOIN users u ON u.id = p.author_id WHERE {_PUBLISHED} "
    "ORDER BY p.published_at DESC, p.id DESC LIMIT :limit"
)
_OLDER = text(
    f"SELECT {_LISTED} FROM posts p JOIN users u ON u.id = p.author_id WHERE {_PUBLISHED} "
    "AND (p.published_at, p.id) < (:at, :id) "
    "ORDER BY p.published_at DESC, p.id DESC LIMIT :limit"
)
_ABOVE = text(
    f"SELECT p.published_at, p.id FROM posts p WHERE {_PUBLISHED} "
    "AND (p.published_at, p.id) >= (:at, :id) ORDER BY p.published_at, p.id LIMIT :limit"
)
_POST = text(
    "SELECT p.id, p.title, p.slug, p.summary, p.seo_title, p.seo_description, "
    "p.cover_image_url, p.excerpt, p.body_html, p.published_at, p.updated_at, u.full_name, "
    f"u.slug AS author_slug FROM posts p JOIN users u ON u.id = p.author_id "
    f"WHERE p.slug = :slug AND {_PUBLISHED}"
)
_TAGS_OF_POST = text(
    "SELECT t.name, t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id "
    "WHERE pt.post_id = :id ORDER BY t.name, t.id"
)
_TAG = text(
    "SELECT t.id, t.name, t.slug, t.description FROM tags t WHERE t.slug = :slug AND EXISTS "
    "(SELECT 1 FROM post_tags pt JOIN posts p ON p.id = pt.post_id WHERE pt.tag_id = t.id "
    f"AND pt.published_at <= :now AND {_PUBLISHED})"
)
_TAGGED = text(
    f"SELECT {_LISTED} FROM post_tags pt JOIN posts p ON p.id = pt.post_id "
    f"JOIN users u ON u.id = p.author_id WHERE pt.tag_id = :tag AND pt.published_at <= :now "
    f"AND {_PUBLISHED} ORDER BY pt.published_at DESC, pt.post_id DESC LIMIT :limit"
)
_FEED = text(
    "SELECT p.id, p.title, p.slug, p.summary, p.body_html, p.published_at, p.updated_at, "
    f"u.full_name FROM posts p JOIN users u ON u.id = p.author_id WHERE {_PUBLISHED} "
    "ORDER BY p.published_at DESC, p.id DESC LIMIT 20"
)
_CURSOR = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{6})?)Z_(\d{1,10})")
_RELATIVE_LINK = re.compile(r'((?:href|src)=")(/[^"]*")')
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC


def _cursor(published_at: datetime, post_id: int) -> str:
    return f"{published_at.isoformat()}Z_{post_id}"


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "+00:00"


def _shortened(words: str, limit: int = 160) -> str:
    words = " ".join(words.split())
    if len(words) <= limit:
        return words
    return words[: limit - 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"


def _meta(title, description, canonical, kind, data, image=None, feed=None) -> dict:
    data = json.dumps({"@context": "https://schema.org", **data}, sort_keys=True)
    return {
        "title": title,
        "description": description,
        "canonical": canonical,
        "kind": kind,
        "image": image,
        "feed": feed,
        "json_ld": data.translate(_SCRIPT_SAFE),
    }


def _paged(path: str, rows: list, above: list) -> tuple[list, str | None, str | None]:
    """A page of ``rows`` (one more than a page when an older page exists) and the addresses
    of the newer and older pages, from the posts just above it (nearest first)."""
    posts, newer, older = rows[:PER_PAGE], None, None
    if len(rows) > PER_PAGE:
        older = f"{path}?before={_cursor(posts[-1].published_at, posts[-1].id)}"
    if above:
        newer = path if len(above) <= PER_PAGE else f"{path}?before={_cursor(*above[PER_PAGE])}"
    return posts, newer, older


def minimal_app() -> Flask:
    app = Flask(__name__, template_folder="reference_templates")
    engine = create_engine(os.environ["BENCH_REFERENCE_DATABASE_URL"])
    app.extensions["reference_engine"] = engine  # for whoever must close its connections

    def base() -> str:
        return os.environ.get("BENCH_REFERENCE_BASE_URL") or request.host_url.rstrip("/")

    def page(template: str, **context) -> str:
        return render_template(template, site=SITE, base=base(), **context)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(HEADERS)
        return response

    @app.get("/")
    def index():
        before, now = request.args.get("before"), _now()
        with engine.connect() as db:
            if before is None:
                rows, above = db.execute(_NEWEST, {"now": now, "limit": PER_PAGE + 1}).all(), []
            else:
                match = _CURSOR.fullmatch(before)
                if match is None:
                    abort(404)
                place = {"now": now, "at": datetime.fromisoformat(match[1]), "id": int(match[2])}
                rows = db.execute(_OLDER, {**place, "limit": PER_PAGE + 1}).all()
                above = db.execute(_ABOVE, {**place, "limit": PER_PAGE + 1}).all() if rows else []
        if not rows:
            abort(404)
        posts, newer, older = _paged("/", rows, above)
        if before is None:
            heading, title, description = "Latest posts", SITE, f"The latest posts of {SITE}."
            canonical = base() + "/"
        else:
            oldest, newest = _day(posts[-1].published_at), _day(posts[0].published_at)
            heading = "Posts from " + (oldest if oldest == newest else f"{oldest} to {newest}")
            title, description = f"{heading} · {SITE}", f"{heading}, on {SITE}."
            canonical = f"{base()}/?before={before}"
        data = {"@type": "Blog", "name": SITE, "url": base() + "/", "description": description}
        meta = _meta(title, description, canonical, "website", data)
        return page(
            "list.html",
            title=title,
            heading=heading,
            meta=meta,
            posts=posts,
            newer=newer,
            older=older,
            tag=None,
        )

    @app.get("/posts/<slug>")
    def post(slug: str):
        with engine.connect() as db:
            p = db.execute(_POST, {"slug": slug, "now": _now()}).first()
            if p is None:
                abort(404)
            tags = db.execute(_TAGS_OF_POST, {"id": p.id}).all()
        url, title = f"{base()}/posts/{p.slug}", p.seo_title or p.title
        description = _shortened(p.seo_description or p.summary or p.excerpt)
        data = {
            "@type": "BlogPosting",
            "headline": _shortened(title, 110),
            "description": description,
            "url": url,
            "mainEntityOfPage": url,
            "author": {"@type": "Person", "name": p.full_name or SITE},
            "datePublished": _iso(p.published_at),
            "dateModified": _iso(max(p.updated_at, p.published_at)),
        }
        if p.cover_image_url:
            data["image"] = p.cover_image_url
        meta = _meta(title, description, url, "article", data, p.cover_image_url)
        return page(
            "post.html",
            title=f"{title} · {SITE}",
            meta=meta,
            p=p,
            tags=tags,
            newer=None,
            older=None,
        )

    @app.get("/tags/<slug>")
    def tag(slug: str):
        now = _now()
        with engine.connect() as db:
            found = db.execute(_TAG, {"slug": slug, "now": now}).first()
            if found is None:
                abort(404)
            rows = db.execute(_TAGGED, {"tag": found.id, "now": now, "limit": PER_PAGE + 1}).all()
        posts, newer, older = _paged(f"/tags/{slug}", rows, [])
        heading = f"Posts tagged “{found.name}”"
        description = _shortened(found.description or f"{heading} on {SITE}.")
        url = f"{base()}/tags/{slug}"
        data = {
            "@type": "CollectionPage",
            "name": heading,
            "description": description,
            "url": url,
            "isPartOf": {"@type": "WebSite", "name": SITE, "url": base() + "/"},
        }
        feed = (f"{found.name} · {SITE}", f"{url}/feed.xml")
        meta = _meta(heading, description, url, "website", data, feed=feed)
        return page(
            "list.html",
            title=f"{heading} · {SITE}",
            heading=heading,
            meta=meta,
            posts=posts,
            newer=newer,
            older=older,
            tag=found,
        )

    @app.get("/feed.xml")
    def feed():
        with engine.connect() as db:
            rows = db.execute(_FEED, {"now": _now()}).all()
        posts = [
            {
                "id": p.id,
                "slug": p.slug,
                "title": p.title,
                "summary": p.summary,
                "full_name": p.full_name,
                "published_at": p.published_at,
                "published": p.published_at.isoformat() + "+00:00",
                "changed": max(p.updated_at, p.published_at).isoformat() + "+00:00",
                # Escaped as XML text (quotes left as they are), as the CMS's feed writes it.
                "content": Markup(escape(_RELATIVE_LINK.sub(rf"\g<1>{base()}\g<2>", p.body_html))),  # noqa: S704
            }
            for p in rows
        ]
        updated = max((p["changed"] for p in posts), default="1970-01-01T00:00:00+00:00")
        body = page("feed.xml", posts=posts, updated=updated, host=request.host)
        return Response(body, content_type="application/atom+xml; charset=utf-8")

    return app


def hello_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, World!"

    return app
