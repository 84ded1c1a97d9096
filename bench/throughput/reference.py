"""The two apps the CMS is measured against, for gunicorn's ``module:factory()`` syntax.

``minimal_app()`` serves the readers' pages the CMS serves (home page, an older page by
keyset, a post, a tag's page, the Atom feed) from the same database with SQLAlchemy Core
and small Jinja templates: the same rows and roughly the same HTML, without the CMS's
machinery (sessions, security, caching, policy, metadata). It follows the same "published"
rule in its SQL, so it reads the same indexes. ``hello_app()`` answers one short line:
what gunicorn and Flask cost alone.

The database comes from ``BENCH_REFERENCE_DATABASE_URL`` (an SQLAlchemy URL).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, Response, abort, request
from sqlalchemy import DateTime, bindparam, create_engine
from sqlalchemy import text as _sql

_MOMENTS = ("published_at", "updated_at")


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
_POST = text(
    f"SELECT p.id, p.title, p.slug, p.summary, p.body_html, p.published_at, u.full_name, "
    f"u.slug AS author_slug FROM posts p JOIN users u ON u.id = p.author_id WHERE p.slug = :slug "
    f"AND {_PUBLISHED}"
)
_TAGS_OF_POST = text(
    "SELECT t.name, t.slug FROM tags t JOIN post_tags pt ON pt.tag_id = t.id "
    "WHERE pt.post_id = :id ORDER BY t.name"
)
_TAG = text("SELECT id, name, description FROM tags WHERE slug = :slug")
_TAGGED = text(
    f"SELECT {_LISTED} FROM post_tags pt JOIN posts p ON p.id = pt.post_id "
    f"JOIN users u ON u.id = p.author_id WHERE pt.tag_id = :tag AND pt.published_at <= :now "
    f"AND {_PUBLISHED} ORDER BY pt.published_at DESC, pt.post_id DESC LIMIT :limit"
)
_FEED = text(
    f"SELECT p.title, p.slug, p.summary, p.body_html, p.published_at, p.updated_at, "
    f"u.full_name FROM posts p JOIN users u ON u.id = p.author_id WHERE {_PUBLISHED} "
    "ORDER BY p.published_at DESC, p.id DESC LIMIT 20"
)
PER_PAGE = 10

_LAYOUT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/site.css"></head><body>
<header><a href="/">Reference</a> <nav><a href="/">Home</a></nav></header><main>
{%- block content %}{% endblock -%}
</main><footer>Reference</footer></body></html>"""
_LIST = """{% for p in posts %}<article><h2><a href="/posts/{{ p.slug }}">{{ p.title }}</a></h2>
<p><time datetime="{{ p.published_at.isoformat() }}">
{{- p.published_at.strftime('%d %B %Y') }}</time>
 · by <a href="/authors/{{ p.author_slug }}">{{ p.full_name }}</a></p>
<p>{{ p.summary or p.excerpt }}</p></article>{% endfor %}
{% if older %}<nav><a rel="next" href="/?before={{ older }}">Older posts</a></nav>{% endif %}"""
_INDEX = _LAYOUT.replace("{%- block content %}{% endblock -%}", "<h1>{{ heading }}</h1>" + _LIST)
_POST_PAGE = _LAYOUT.replace(
    "{%- block content %}{% endblock -%}",
    """<article><h1>{{ p.title }}</h1><p><time>{{ p.published_at.strftime('%d %B %Y') }}</time>
 · by <a href="/authors/{{ p.author_slug }}">{{ p.full_name }}</a></p>
<div>{{ p.body_html|safe }}</div>
<ul>{% for t in tags %}<li><a rel="tag" href="/tags/{{ t.slug }}">{{ t.name }}</a></li>{% endfor %}
</ul></article>""",
)
_FEED_XML = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Reference</title><id>{{ base }}/</id>
<link href="{{ base }}/feed.xml" rel="self"/>
{%- for p in posts %}<entry><title>{{ p.title }}</title><id>{{ base }}/posts/{{ p.slug }}</id>
<link href="{{ base }}/posts/{{ p.slug }}"/><author><name>{{ p.full_name }}</name></author>
<published>{{ p.published_at.isoformat() }}Z</published>
<updated>{{ p.updated_at.isoformat() }}Z</updated>
<summary>{{ p.summary }}</summary><content type="html">{{ p.body_html }}</content></entry>
{%- endfor %}</feed>"""


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC


def _cursor(row) -> str:
    return f"{row.published_at.isoformat()}Z_{row.id}"


def _older(rows) -> str | None:
    return _cursor(rows[PER_PAGE - 1]) if len(rows) > PER_PAGE else None


def minimal_app() -> Flask:
    app = Flask(__name__)
    # Compiled once, as Flask's own template loader would keep them.
    index_page, post_page, atom = (
        app.jinja_env.from_string(source) for source in (_INDEX, _POST_PAGE, _FEED_XML)
    )
    engine = create_engine(os.environ["BENCH_REFERENCE_DATABASE_URL"])
    app.extensions["reference_engine"] = engine  # for whoever must close its connections

    def rows(statement, **params):
        with engine.connect() as connection:
            return connection.execute(statement, params).all()

    @app.get("/")
    def index():
        before = request.args.get("before")
        if before is None:
            found = rows(_NEWEST, now=_now(), limit=PER_PAGE + 1)
        else:
            at, _, post_id = before.rpartition("Z_")
            try:
                moment, number = datetime.fromisoformat(at), int(post_id)
            except ValueError:
                abort(404)
            found = rows(_OLDER, now=_now(), at=moment, id=number, limit=PER_PAGE + 1)
        if not found:
            abort(404)
        heading = "Latest posts" if before is None else "Older posts"
        return index_page.render(
            title=heading, heading=heading, posts=found[:PER_PAGE], older=_older(found)
        )

    @app.get("/posts/<slug>")
    def post(slug: str):
        found = rows(_POST, slug=slug, now=_now())
        if not found:
            abort(404)
        tags = rows(_TAGS_OF_POST, id=found[0].id)
        return post_page.render(title=found[0].title, p=found[0], tags=tags)

    @app.get("/tags/<slug>")
    def tag(slug: str):
        found = rows(_TAG, slug=slug)
        if not found:
            abort(404)
        posts = rows(_TAGGED, tag=found[0].id, now=_now(), limit=PER_PAGE + 1)
        return index_page.render(
            title=found[0].name, heading=found[0].name, posts=posts[:PER_PAGE], older=None
        )

    @app.get("/feed.xml")
    def feed():
        body = atom.render(base=request.host_url.rstrip("/"), posts=rows(_FEED, now=_now()))
        return Response(body, content_type="application/atom+xml; charset=utf-8")

    return app


def hello_app() -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def hello():
        return "Hello, World!"

    return app
