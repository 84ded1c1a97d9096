"""``make bench`` (``python -m bench``): seed, measure, print one Markdown table per database.

Settings, from the environment:

- ``BENCH_POSTS``: how many posts to seed (100000; the issue's full run is 1000000);
- ``BENCH_DATABASES``: which, in order (``sqlite,postgresql``);
- ``BENCH_RUNS`` / ``BENCH_WARMUPS``: timed runs of each request after warm-up runs (20 / 5);
- ``BENCH_BUDGET_SECONDS``: a request still running after this many seconds of repeats
  stops being repeated (10), so a page of a minute is timed once;
- ``BENCH_SEED_ONLY=1``: seed and report the seeding, measure nothing;
- ``BENCH_KEEP=1``: keep the databases (their whereabouts are printed);
- ``BENCH_DATABASE_URL``: the PostgreSQL server on which the bench creates its database
  (``postgresql://postgres@127.0.0.1:5432/postgres``); ``BENCH_DIR``: where the SQLite
  file goes (the system's temporary folder);
- ``BENCH_SQLITE_PATH`` (a file) / ``BENCH_POSTGRESQL_DATABASE`` (a database's name on
  ``BENCH_DATABASE_URL``'s server): run on that database instead of a fresh one, and never
  remove it. One that holds posts (seeded by an earlier run) is migrated to the newest
  revision and measured as it is, whatever ``BENCH_POSTS`` says: seeding a million posts
  takes minutes, measuring again after a change should not. One that is missing, or
  holds no posts and no accounts, is created, migrated and seeded with ``BENCH_POSTS``
  posts, and kept for the next run. One with accounts but no posts (a seeding that
  stopped half-way) is refused. For example::

      BENCH_POSTS=1000000 BENCH_SQLITE_PATH=~/bench/1m.sqlite3 \
          BENCH_POSTGRESQL_DATABASE=cms_bench_1m make bench   # seeds both, then measures
      BENCH_SQLITE_PATH=~/bench/1m.sqlite3 \
          BENCH_POSTGRESQL_DATABASE=cms_bench_1m make bench   # measures them again
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from . import readers_pages
from .databases import (
    NAMED_BY,
    bench_database,
    contents,
    make_app,
    migrate,
    server_version,
    size_of,
)
from .measure import Measured, Runs, measure
from .pages import discover, log_in
from .reuse import seeded_before
from .seed import Seeded, seed
from .tags import TAG_NAMES, add_tags

_HEADER = (
    "| request | median | p95 | runs | SQL statements | status | reference (median) | ratio |\n"
    "|---|---:|---:|---:|---:|---|---:|---:|"
)
_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value.replace("_", "")) if value else default


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def _ms(value: float) -> str:
    if value < 10:
        return f"{value:.2f} ms"
    if value < 100:
        return f"{value:.1f} ms"
    return f"{value:,.0f} ms"


def _seconds(value: float) -> str:
    minutes, seconds = divmod(value, 60)
    return f"{int(minutes)} min {seconds:.0f} s" if minutes else f"{seconds:.1f} s"


def _size(octets: int) -> str:
    return f"{octets / 1024**3:.2f} GB" if octets >= 1024**3 else f"{octets / 1024**2:.0f} MB"


def _row(m: Measured) -> str:
    if m.request is None:
        return f"| {m.page.label} | — | — | — | — | not measured: {m.page.note} | — | — |"
    statuses = ", ".join(str(s) for s in m.statuses)
    if m.statuses != (200,):
        statuses = f"**{statuses}**"
    reference = _ms(m.reference.median) if m.reference else "—"
    ratio = f"{m.ratio:,.1f}×" if m.ratio is not None else "—"
    return (
        f"| {m.page.label} | {_ms(m.request.median)} | {_ms(m.request.p95)} | "
        f"{len(m.request.milliseconds)} | {m.statements} | {statuses} | {reference} | {ratio} |"
    )


def _report_seeding(seeded: Seeded, url: str) -> None:
    steps = ", ".join(f"{name} {_seconds(s)}" for name, s in seeded.steps.items())
    print(f"\n### {server_version(url)}: {seeded.posts:,} posts\n")
    print(f"Seeded in {_seconds(seeded.seconds)} ({steps}); database size {_size(size_of(url))}.")
    if seeded.derived_columns:
        print(
            f"Columns filled from the app's own save of the pool of bodies: "
            f"{', '.join(seeded.derived_columns)}."
        )
    _report_search_word(seeded)


def _report_reuse(seeded: Seeded, url: str, migrated: float) -> None:
    print(f"\n### {server_version(url)}: {seeded.posts:,} posts\n")
    print(
        f"Seeded by an earlier run: `{_where(url)}`, migrated to the newest revision in "
        f"{_seconds(migrated)}; database size {_size(size_of(url))}."
    )
    _report_search_word(seeded)


def _report_search_word(seeded: Seeded) -> None:
    print(
        f"Search word: {seeded.search_word!r}, a word of {seeded.search_word_posts:,} posts "
        f"({seeded.search_word_posts / seeded.posts:.1%}) in title, summary or body."
    )


def _where(url: str) -> str:
    parsed = make_url(url)
    return (
        parsed.database if parsed.get_backend_name() == "sqlite" else f"database {parsed.database}"
    )


def _run_one(kind: str, total: int, runs: Runs, *, seed_only: bool, keep: bool) -> None:
    with bench_database(kind, keep=keep) as (url, named):
        app = make_app(url)
        found = contents(url)
        if found == "accounts":
            raise SystemExit(
                f"{NAMED_BY[kind]}: {_where(url)} holds accounts but no posts (a seeding that "
                "stopped?); remove it, or name another"
            )
        started = time.perf_counter()
        migrate(app)
        if found == "posts":
            seeded = seeded_before(app)
            _report_reuse(seeded, url, time.perf_counter() - started)
        else:
            seeded = seed(app, total)
            _report_seeding(seeded, url)
            if named:
                print(f"Kept for the next run ({NAMED_BY[kind]}): {_where(url)}")
        started = time.perf_counter()
        per_tag = add_tags(app)  # (a database that has them keeps its own)
        print(
            f"Tags: {len(TAG_NAMES)}, two on each post, {per_tag:,} published posts each "
            f"(ready in {_seconds(time.perf_counter() - started)})."
        )
        if seed_only:
            return
        print(f"Load average before measuring: {_load()}")
        client = app.test_client()
        log_in(client)
        pages = discover(client, app, seeded.search_word)
        pages += readers_pages.discover(client, app)
        results = []
        for page in pages:
            results.append(measure(app, client, page, runs))
            print(f"  measured {page.label}", file=sys.stderr, flush=True)
        print(f"\nLoad average after measuring: {_load()}\n")
        print(_HEADER)
        for result in results:
            print(_row(result))
        print("\nRequests:\n")
        for page in pages:
            where = f"`{page.url}`" if page.url else "—"
            print(f"- {page.label}: {where}" + (f" ({page.note})" if page.note else ""))
        with app.app_context():
            from cms.extensions import db

            db.engine.dispose()


def main() -> None:
    os.chdir(Path(__file__).resolve().parents[1])  # where migrations/ is
    total = _number("BENCH_POSTS", 100_000)
    kinds = [k.strip() for k in os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")]
    unknown = [k for k in kinds if k not in _NAMES]
    if unknown:
        raise SystemExit(f"BENCH_DATABASES: unknown {', '.join(unknown)} (sqlite, postgresql)")
    runs = Runs(
        warmups=_number("BENCH_WARMUPS", 5),
        runs=max(1, _number("BENCH_RUNS", 20)),
        budget=float(_number("BENCH_BUDGET_SECONDS", 10)),
    )
    seed_only = os.environ.get("BENCH_SEED_ONLY", "") not in ("", "0")
    keep = os.environ.get("BENCH_KEEP", "") not in ("", "0")

    import sqlite3

    print(f"## Benchmark: {total:,} posts (BENCH_POSTS={total})\n")
    named = [
        f"{NAMED_BY[k]}={os.environ[NAMED_BY[k]]}" for k in kinds if os.environ.get(NAMED_BY[k])
    ]
    if named:
        print(f"On named databases ({', '.join(named)}): one seeded before keeps its posts.\n")
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} (library), "
        f"{os.cpu_count()} CPUs; {runs.warmups} warm-up and {runs.runs} timed runs per request "
        f"(fewer past {runs.budget:.0f} s). Load average at start: {_load()}."
    )
    started = time.perf_counter()
    for kind in kinds:
        _run_one(kind, total, runs, seed_only=seed_only, keep=keep)
    print(f"\nLoad average at end: {_load()}; whole run {_seconds(time.perf_counter() - started)}.")


if __name__ == "__main__":
    main()
