"""Seeding a fresh database with issue 9's recipe, fast enough for a million posts.

The recipe: 50 authors (real accounts, made by the app's services), 90% of the posts
published over five years (a few scheduled in the future), the rest drafts and posts in
review, about 1% in the trash; 2 KB Markdown bodies with English word frequencies
(``bench.text``); titles, unique slugs, summaries. Ids follow the creation time, as on a
site that grew over the years (the planners' statistics see that correlation).

The rows go in by bulk (PostgreSQL COPY, SQLite executemany in one transaction with
journaling off), not through the ORM: the ORM would take hours for a million posts. So
whatever the app derives when it saves a post (rendered HTML, an excerpt...) is taken
from a pool of distinct bodies saved through the ORM first, in a transaction rolled back:
columns the schema has and this module does not know are filled with what the app gave
the pool. What the database fills itself it fills, during the load or, for indexes it
can build faster in one pass afterwards, right after it (``bench.load``); then ANALYZE.
"""

from __future__ import annotations

import random
import re
import time
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate

from sqlalchemy import MetaData, Table, select

from cms import clock
from cms.accounts import service as accounts
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from cms.posts.slugs import normalise_slug

from .load import batched, load_postgresql, load_sqlite
from .text import Vocabulary, Writer

AUTHORS = 50
ADMIN_EMAIL = "bench-admin@example.com"
PASSWORD = "bench correct horse battery staple"  # noqa: S105 - a throwaway database's
#: Distinct (summary, body) pairs; posts share them (see the module's docstring).
POOL_SIZE = 10_000

PUBLISHED_SHARE = 0.90
DRAFT_SHARE = 0.07  # the rest is in review
SCHEDULED_SHARE = 0.002  # of the published: publish time still to come
TRASHED_SHARE = 0.01
EDITED_LATER_SHARE = 0.3  # of the published: updated after going live
WITHOUT_SUMMARY_SHARE = 0.25  # the public list shows an excerpt of the body instead
#: How often the word that the search measures should appear: in about 1% of the posts.
SEARCH_WORD_SHARE = 0.01

YEARS = timedelta(days=5 * 365.25)

#: The posts columns this module fills itself; any other is the app's or the database's.
_OWN_COLUMNS = (
    "title",
    "slug",
    "summary",
    "body",
    "status",
    "author_id",
    "created_at",
    "updated_at",
    "published_at",
    "deleted_at",
    "version",
)
_WORD = re.compile(r"[a-z]+")


@dataclass
class Seeded:
    """What a seeding made and how long its steps took (seconds, by step)."""

    posts: int
    admin_email: str
    search_word: str
    search_word_posts: int
    derived_columns: list[str]
    steps: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.steps.values())


@dataclass(frozen=True)
class _Pooled:
    summary: str
    body: str
    words: frozenset[str]
    derived: tuple


def seed(app, total: int, *, rng_seed: int = 9) -> Seeded:
    """Fill the freshly migrated database of ``app`` with ``total`` posts."""
    rng = random.Random(rng_seed)
    vocabulary = Vocabulary.english()
    writer = Writer(vocabulary, rng)
    steps: dict[str, float] = {}

    started = time.perf_counter()
    with app.app_context():
        author_ids = _make_accounts(rng)
        table = Table("posts", MetaData(), autoload_with=db.engine)
        derived_columns, pool = _make_pool(writer, table, author_ids[0], min(total, POOL_SIZE))
        url = db.engine.url
        db.engine.dispose()
    search_word = _search_word([item.words for item in pool])
    steps["accounts and pool of bodies"] = time.perf_counter() - started

    started = time.perf_counter()
    timeline = _timeline(rng, total, author_ids, clock.utcnow())
    columns = [*_OWN_COLUMNS, *derived_columns]
    _check_fillable(table, columns)
    dialect = url.get_dialect()()
    binders = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    counted = Counter()
    rows = _bound(_rows(writer, timeline, pool, search_word, counted), binders)
    steps["timeline"] = time.perf_counter() - started

    loader = load_postgresql if url.get_backend_name() == "postgresql" else load_sqlite
    loader(url, columns, rows, steps)
    return Seeded(
        posts=total,
        admin_email=ADMIN_EMAIL,
        search_word=search_word,
        search_word_posts=counted["search word"],
        derived_columns=derived_columns,
        steps=steps,
    )


def _make_accounts(rng: random.Random) -> list[int]:
    """The admin who measures, and the authors, through the app's own account service."""
    accounts.create_user(ADMIN_EMAIL, PASSWORD, ["admin"], full_name="Bench Admin")
    authors = [
        accounts.create_user(f"author{number:02}@example.com", PASSWORD, ["author"], full_name=name)
        for number, name in enumerate(_author_names(rng), start=1)
    ]
    db.session.commit()
    return [author.id for author in authors]


def _author_names(rng: random.Random) -> list[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    first = FREQUENCY_LISTS["female_names"][:200] + FREQUENCY_LISTS["male_names"][:200]
    last = FREQUENCY_LISTS["surnames"][:500]
    return [f"{rng.choice(first).title()} {rng.choice(last).title()}" for _ in range(AUTHORS)]


def _make_pool(writer: Writer, table: Table, author_id: int, size: int):
    """Distinct (summary, body) pairs, each saved once through the ORM (in a transaction
    rolled back) so the app fills what it derives from them; returns the columns it filled
    that this module does not, and the pool with their values."""
    pooled = []
    for number, (summary, body) in enumerate(_pool_texts(writer, size)):
        post = Post(
            title=f"Pool {number}",
            slug=f"bench-pool-{number}",
            summary=summary,
            body=body,
            status=PostStatus.DRAFT,
            author_id=author_id,
        )
        db.session.add(post)
        pooled.append(post)
        if number % 1000 == 999:
            db.session.flush()
    db.session.flush()
    ids = [post.id for post in pooled]
    candidates = [
        column
        for column in table.columns
        if column.name not in (*_OWN_COLUMNS, "id", "editor_note") and column.computed is None
    ]
    found: dict[int, tuple] = {}
    if candidates:
        for chunk in batched(ids, 500):
            query = select(table.c.id, *candidates).where(table.c.id.in_(chunk))
            found.update({row[0]: tuple(row[1:]) for row in db.session.execute(query)})
    db.session.rollback()
    filled = [
        i
        for i, _ in enumerate(candidates)
        if any(values[i] is not None for values in found.values())
    ]
    derived_columns = [candidates[i].name for i in filled]
    pool = [
        _Pooled(
            summary=post.summary,
            body=post.body,
            words=_words_of(post.summary, post.body),
            derived=tuple(found[post_id][i] for i in filled) if candidates else (),
        )
        for post, post_id in zip(pooled, ids, strict=True)
    ]
    return derived_columns, pool


def _pool_texts(writer: Writer, size: int) -> Iterator[tuple[str, str]]:
    """The pool's (summary, body) pairs: the same for the same generator state."""
    for _ in range(size):
        summary = "" if writer.rng.random() < WITHOUT_SUMMARY_SHARE else writer.summary()
        yield summary, writer.body()


def _words_of(summary: str, body: str) -> frozenset[str]:
    return frozenset(_WORD.findall(f"{summary} {body}".lower()))


def search_word_of(posts: int, *, rng_seed: int = 9) -> str:
    """The search word that ``seed(app, posts, rng_seed=rng_seed)`` chose, found again
    without a database: the generator is replayed up to the end of the pool."""
    rng = random.Random(rng_seed)
    writer = Writer(Vocabulary.english(), rng)
    _author_names(rng)
    texts = _pool_texts(writer, min(posts, POOL_SIZE))
    return _search_word([_words_of(summary, body) for summary, body in texts])


def _search_word(pool_words: list[frozenset[str]]) -> str:
    """A word of moderate frequency: in about ``SEARCH_WORD_SHARE`` of the bodies, and long
    enough not to hide inside other words (which a substring search would also match)."""
    in_bodies = Counter(word for words in pool_words for word in words if len(word) >= 6)
    target = SEARCH_WORD_SHARE * len(pool_words)
    return min(in_bodies, key=lambda word: (abs(in_bodies[word] - target), word))


def _timeline(rng: random.Random, total: int, author_ids: list[int], now: datetime) -> list:
    """Per post: (created, updated, published, deleted, status, author id), oldest first."""
    start = now - YEARS
    span = YEARS.total_seconds()
    # A few prolific authors and many occasional ones.
    weights = list(accumulate(1 / (rank**0.8) for rank in range(1, len(author_ids) + 1)))

    def moment(low: datetime, high: datetime) -> datetime:
        return low + (high - low) * rng.random()

    posts = []
    for _ in range(total):
        author_id = author_ids[bisect_left(weights, rng.random() * weights[-1])]
        roll = rng.random()
        published = None
        if roll < PUBLISHED_SHARE:
            status = PostStatus.PUBLISHED.value
            if rng.random() < SCHEDULED_SHARE:
                created = now - timedelta(days=14 * rng.random())
                published = now + timedelta(hours=1 + 24 * 60 * rng.random())
                updated = moment(created, now)
            else:
                published = start + timedelta(seconds=span * rng.random())
                created = max(start, published - timedelta(days=7 * rng.random()))
                edited = rng.random() < EDITED_LATER_SHARE
                updated = moment(published, now) if edited else published
        else:
            status = (
                PostStatus.DRAFT.value
                if roll < PUBLISHED_SHARE + DRAFT_SHARE
                else PostStatus.REVIEW.value
            )
            created = start + timedelta(seconds=span * rng.random())
            updated = moment(created, min(now, created + timedelta(days=30)))
        deleted = None
        if rng.random() < TRASHED_SHARE:
            deleted = updated = moment(updated, now)  # trashing is an UPDATE too
        posts.append((created, updated, published, deleted, status, author_id))
    posts.sort(key=lambda post: post[0])
    return posts


def _rows(writer: Writer, timeline, pool, search_word: str, counted: Counter) -> Iterator[tuple]:
    """The posts' rows, in the order of ``_OWN_COLUMNS`` then the pool's derived columns."""
    slugs: set[str] = set()
    for number, (created, updated, published, deleted, status, author_id) in enumerate(timeline):
        title = writer.title()
        slug = base = "-".join(_WORD.findall(title.lower()))
        # The app's own slug of the title, spelled faster for plain words: check a few.
        if number < 100 and base != normalise_slug(title):
            raise RuntimeError(f"slug {base!r} is not the app's {normalise_slug(title)!r}")
        suffix = 2
        while slug in slugs:
            slug, suffix = f"{base}-{suffix}", suffix + 1
        slugs.add(slug)
        pooled = pool[writer.rng.randrange(len(pool))]
        if search_word in pooled.words or search_word in _WORD.findall(slug):
            counted["search word"] += 1
        yield (
            title,
            slug,
            pooled.summary,
            pooled.body,
            status,
            author_id,
            created,
            updated,
            published,
            deleted,
            1,
            *pooled.derived,
        )


def _bound(rows: Iterator[tuple], binders: list) -> Iterator[tuple]:
    """Each value as the column's type sends it to the database (what SQLAlchemy does)."""
    active = [(i, binder) for i, binder in enumerate(binders) if binder is not None]
    for row in rows:
        values = list(row)
        for i, binder in active:
            if values[i] is not None:
                values[i] = binder(_naive_utc(values[i]))
        yield tuple(values)


def _naive_utc(value):
    # The app stores naive UTC (cms.database.UTCDateTime); the reflected type expects that.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _check_fillable(table: Table, columns: list[str]) -> None:
    for column in table.columns:
        if column.name in columns or column.name == "id":
            continue
        if not column.nullable and column.server_default is None and column.computed is None:
            raise RuntimeError(
                f"posts.{column.name} is required and neither this seeder, the app (on the "
                "pool of bodies) nor the database fills it: teach bench/seed.py about it"
            )
