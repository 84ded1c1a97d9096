"""The requests the benchmark times, each with the plain query that fetches the same rows.

Every URL is found the way a user finds it (the link on the page before) where the app
offers one: the admin's last page from its pager, the sort from the column header, the
state filter from the filter menu, the public page N/20 from the "older posts" link
(its page number, or its cursor, moved to the right place). When the app changes how
it links these pages, the discovery here is what to adapt.

The reference of each row is a plain SQLAlchemy query that reads the same page of rows
on the same data with nothing around it (no count, no template, no session): the figure
a page could approach, measured in the same run on the same machine.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Select, func, inspect, or_, select, text, tuple_

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostState

from .seed import ADMIN_EMAIL, PASSWORD


@dataclass
class Page:
    """A row of the table: what a user asks for, the URL, and its reference query."""

    label: str
    url: str | None  # None: the page has no such link; ``note`` says why
    reference: Callable[[], Select] | None
    note: str = ""


_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_LINK = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL)
_HREF = re.compile(r'href="([^"]*)"')
_FILTERS = re.compile(r'id="filter-groups-data"[^>]*>(.*?)</div>', re.DOTALL)


def log_in(client) -> None:
    """Sign in as the admin through the login form, as a browser does."""
    form = client.get("/login").get_data(as_text=True)
    token = _CSRF.search(form)
    response = client.post(
        "/login",
        data={
            "email": ADMIN_EMAIL,
            "password": PASSWORD,
            "csrf_token": token.group(1) if token else "",
        },
    )
    if response.status_code != 302 or not response.headers["Location"].endswith("/admin/"):
        raise RuntimeError(
            f"logging in gave {response.status_code} to {response.headers.get('Location')}"
        )


def _links(page: str) -> list[tuple[str, str, str]]:
    """(href, attributes, visible text) of each link on the page."""
    found = []
    for attributes, inner in _LINK.findall(page):
        href = _HREF.search(attributes)
        if href:
            label = html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
            found.append((html.unescape(href.group(1)), attributes, label))
    return found


def _admin_page_size(app) -> int:
    admin = app.extensions["admin"][0]
    return next(view.page_size for view in admin._views if view.endpoint == "posts")


def _live():
    return ~Post.in_trash


def discover(client, app, search_word: str) -> list[Page]:
    """The pages of issue 9's table, as the signed-in admin reaches them."""
    page_size = _admin_page_size(app)
    first = client.get("/admin/posts/").get_data(as_text=True)
    links = _links(first)

    def recent(limit: int) -> Callable[[], Select]:
        return lambda: select(Post).where(_live()).order_by(Post.updated_at.desc()).limit(limit)

    pages = [Page("admin post list, page 1 (default sort)", "/admin/posts/", recent(page_size))]
    pages.append(_last_page(app, links, page_size))
    pages.append(_sorted_by_publish_time(links, page_size))
    pages.append(_filtered_published(first, page_size))
    pages.append(
        Page(
            "admin search for one word",
            f"/admin/posts/?search={search_word}",
            _search_reference(app, search_word, page_size),
            note=f"the word {search_word!r}",
        )
    )
    pages.append(Page("dashboard", "/admin/", recent(8), note="reference: its 8 recent posts"))
    per_page = app.config["POSTS_PER_PAGE"]
    pages.append(
        Page(
            "public home, page 1",
            "/",
            lambda: _published().limit(per_page),
        )
    )
    pages.append(_public_page_twentieth(client, app, per_page))
    pages.append(_one_post(app))
    return pages


def _last_page(app, links, page_size: int) -> Page:
    label = "admin last page"
    last = next(
        (
            href
            for href, attributes, text_ in links
            if href.startswith("/admin/posts/") and _names_last_page(text_, attributes)
        ),
        None,
    )
    if last is None:
        return Page(label, None, None, note="no link to the last page on page 1")
    with app.app_context():
        rows = db.session.scalar(select(func.count(Post.id)).where(_live()))
    on_last = rows % page_size or page_size
    return Page(
        label,
        last,
        lambda: select(Post).where(_live()).order_by(Post.updated_at.asc()).limit(on_last),
        note="reference: the oldest posts, by the reverse sort",
    )


def _names_last_page(label: str, attributes: str) -> bool:
    """Flask-Admin's pager says "»"; a pager of our own may say "Last" or "Oldest"."""
    words = label.lower()
    return (
        words == "»"
        or words.startswith(("last", "oldest"))
        or 'rel="last"' in attributes
        or re.search(r'aria-label="(last|oldest)', attributes, re.IGNORECASE) is not None
    )


def _sorted_by_publish_time(links, page_size: int) -> Page:
    label = "admin sorted by publish time"
    header = next(
        (
            href
            for href, attributes, text_ in links
            if text_.startswith("Published") and "sort" in href
        ),
        None,
    )
    if header is None:
        return Page(label, None, None, note="no sortable 'Published' column header")
    descending = parse_qs(urlsplit(header).query).get("desc", ["0"])[0] not in ("0", "")
    order = Post.published_at.desc() if descending else Post.published_at.asc()
    return Page(
        label,
        header,
        lambda: select(Post).where(_live()).order_by(order).limit(page_size),
        note="descending" if descending else "ascending (the header's first click)",
    )


def _filtered_published(first_page: str, page_size: int) -> Page:
    label = "admin filtered by state (published)"
    found = _FILTERS.search(first_page)
    groups = json.loads(html.unescape(found.group(1))) if found else {}
    arg = next(
        (
            flt["arg"]
            for name, filters in groups.items()
            if name.lower() in ("status", "state")
            for flt in filters
            if "published" in [str(option[0]) for option in flt.get("options") or []]
        ),
        None,
    )
    if arg is None:
        return Page(label, None, None, note="no state filter offering 'published'")

    def reference() -> Select:
        published = Post.in_state_at(PostState.PUBLISHED, clock.utcnow())
        return (
            select(Post).where(_live(), published).order_by(Post.updated_at.desc()).limit(page_size)
        )

    return Page(label, f"/admin/posts/?flt0_{arg}=published", reference)


def _search_reference(app, word: str, page_size: int) -> Callable[[], Select]:
    """The posts that match, newest change first, by the best means the schema has: a
    PostgreSQL tsvector column, an SQLite FTS5 table over posts, or else LIKE on the
    columns the admin searches."""
    with app.app_context():
        engine = db.engine
        matching = None
        if engine.dialect.name == "postgresql":
            for column in inspect(engine).get_columns("posts"):
                if str(column["type"]).upper() == "TSVECTOR":
                    # 'simple': the word as written. A stemming configuration would
                    # look for a stem ('arrives' -> 'arriv') that a vector built
                    # without stemming never holds, and find nothing.
                    matching = text(
                        f"posts.\"{column['name']}\" @@ to_tsquery('simple', :bench_word)"
                    ).bindparams(bench_word=word)
        else:
            fts = db.session.scalar(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND sql LIKE '%fts5%' AND sql LIKE '%content%posts%'"
                )
            )
            if fts:
                matching = text(
                    f'posts.id IN (SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH :bench_word)'
                ).bindparams(bench_word=word)
    if matching is None:
        pattern = f"%{word}%"
        matching = or_(
            Post.title.ilike(pattern),
            Post.slug.ilike(pattern),
            Post.summary.ilike(pattern),
            Post.body.ilike(pattern),
        )
    return lambda: (
        select(Post).where(_live(), matching).order_by(Post.updated_at.desc()).limit(page_size)
    )


def _published() -> Select:
    return (
        select(Post)
        .where(Post.is_published_at(clock.utcnow()))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )


def _public_page_twentieth(client, app, per_page: int) -> Page:
    """The public list 1/20 of the way down: its "older posts" link from page 1, with the
    page number or the cursor it carries moved to that page."""
    label = "public page N/20"
    with app.app_context():
        published = db.session.scalar(
            select(func.count(Post.id)).where(Post.is_published_at(clock.utcnow()))
        )
        number = max(2, math.ceil(published / per_page / 20))
        page_one_last = db.session.scalars(_published().offset(per_page - 1).limit(1)).one()
        before = db.session.scalars(_published().offset((number - 1) * per_page - 1).limit(1)).one()
        expected = db.session.scalars(_published().offset((number - 1) * per_page).limit(1)).one()
        page_one_last, before, expected_slug = (
            _values(page_one_last),
            _values(before),
            expected.slug,
        )
    home = client.get("/").get_data(as_text=True)
    older = next((href for href, attributes, _ in _links(home) if 'rel="next"' in attributes), None)
    if older is None:
        return Page(label, None, None, note="no rel=next link on the home page")
    url = _moved_cursor(older, page_one_last, before)
    if url is None:
        url = re.sub(r"(?<=[=/])2(?=$|[&/#])", str(number), older, count=1)
        if url == older:
            return Page(label, None, None, note=f"cannot tell the page in {older}")
    published_at, post_id = before["published_at"], before["id"]

    def reference() -> Select:
        boundary = tuple_(Post.published_at, Post.id) < tuple_(published_at, post_id)
        return _published().where(boundary).limit(per_page)

    shown = client.get(url).get_data(as_text=True)
    note = f"page {number:,} of {math.ceil(published / per_page):,}"
    if f"/posts/{expected_slug}" not in shown:
        note += "; WARNING: the page does not start where expected"
    return Page(label, url, reference, note=note + "; reference: keyset")


def _values(post: Post) -> dict:
    return {"id": post.id, "published_at": post.published_at, "slug": post.slug}


def _renderings(values: dict) -> list[str]:
    """How a cursor may spell a row: its slug, its publish time in common forms, its id."""
    moment: datetime = values["published_at"]
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    return [
        values["slug"],
        moment.isoformat(),
        moment.isoformat().replace("+00:00", "Z"),
        naive.isoformat(),
        naive.isoformat(sep=" "),
        naive.strftime("%Y-%m-%dT%H:%M:%S"),
        naive.strftime("%Y%m%d%H%M%S%f"),
        str(moment.timestamp()),
        str(int(moment.timestamp())),
        str(values["id"]),
    ]


def _moved_cursor(href: str, seen: dict, target: dict) -> str | None:
    """``href`` with the row of page 1 that its cursor names (``seen``, in any rendering
    of ``_renderings``, plain or inside base64url) replaced by ``target``; None when no
    query value names it."""
    parts = urlsplit(html.unescape(href))
    moved_any = False
    query = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        moved = _moved_text(value, seen, target)
        if moved is None and (decoded := _from_base64(value)) is not None:
            inner = _moved_text(decoded, seen, target)
            if inner is not None:
                moved = base64.urlsafe_b64encode(inner.encode()).decode()
                moved = moved if value.endswith("=") else moved.rstrip("=")
        moved_any = moved_any or moved is not None
        query.append((key, value if moved is None else moved))
    return urlunsplit(parts._replace(query=urlencode(query))) if moved_any else None


def _moved_text(value: str, seen: dict, target: dict) -> str | None:
    moved = value
    for old, new in zip(_renderings(seen), _renderings(target), strict=True):
        pattern = rf"(?<!\d){re.escape(old)}(?!\d)" if old.isdigit() else re.escape(old)
        moved = re.sub(pattern, new, moved)
    return moved if moved != value else None


def _from_base64(value: str) -> str | None:
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded if decoded.isprintable() else None


def _one_post(app) -> Page:
    with app.app_context():
        published = db.session.scalar(
            select(func.count(Post.id)).where(Post.is_published_at(clock.utcnow()))
        )
        slug = db.session.scalars(_published().offset(published // 2).limit(1)).one().slug
    return Page(
        "one post by slug",
        f"/posts/{slug}",
        lambda: select(Post).where(Post.slug == slug, Post.is_published_at(clock.utcnow())),
    )
