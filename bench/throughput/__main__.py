"""``make bench-http``: seed a site, load its readers' pages with wrk, print the table.

Settings, from the environment:

- ``BENCH_HTTP_POSTS``: posts to seed (10000);
- ``BENCH_HTTP_SECONDS``: seconds of load per page and server in each of
  ``BENCH_HTTP_ROUNDS`` rounds (3 and 3; the best round counts), after
  ``BENCH_HTTP_WARMUP_SECONDS`` (1) unmeasured;
- ``BENCH_HTTP_THREADS`` / ``BENCH_HTTP_CONNECTIONS``: wrk's threads and open connections
  (2 / 8);
- ``BENCH_DATABASES``: ``sqlite`` (the default) or ``postgresql``, on
  ``BENCH_DATABASE_URL``'s server; ``BENCH_SQLITE_PATH`` / ``BENCH_POSTGRESQL_DATABASE``
  and ``BENCH_KEEP`` as for ``make bench`` (a named database seeded before is reused);
- ``REDIS_URL``: the CMS's page cache (and rate-limit counts) in that Redis, as in
  production; without it, in each worker's memory.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import uuid
from contextlib import ExitStack

from ..databases import bench_database, contents, make_app, migrate, server_version
from ..reuse import seeded_before
from ..seed import seed
from ..tags import TAG_NAMES, add_tags
from . import report, servers, site, wrk


def _number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value.replace("_", "")) if value else default


def _prepare(url: str, posts: int) -> dict[str, str]:
    app = make_app(url)
    found = contents(url)
    if found == "accounts":
        raise SystemExit(f"{url}: holds accounts but no posts; remove it, or name another")
    migrate(app)
    total = seeded_before(app).posts if found == "posts" else seed(app, posts).posts
    per_tag = add_tags(app)
    print(f"{server_version(url)}: {total:,} posts, {len(TAG_NAMES)} tags of {per_tag:,}")
    paths = site.pages(app)
    with app.app_context():
        from cms.extensions import db

        db.engine.dispose()
    return paths


def _cms(url: str, port: int, folder: str, *, cached: bool) -> dict[str, str]:
    """Production settings, as a deployment sets them."""
    return {
        "CMS_CONFIG": "production",
        "SECRET_KEY": "bench-http-secret-key",
        "SECURITY_PASSWORD_SALT": "bench-http-password-salt",
        "DATABASE_URL": url,
        "SERVER_NAME": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "PAGE_CACHE": "true" if cached else "false",
        "PAGE_CACHE_VERSION_FILE": os.path.join(folder, "public-pages.version"),
        # This run's own pages, should REDIS_URL name a Redis that others use too.
        "CACHE_KEY_PREFIX": f"bench-http-{uuid.uuid4().hex[:8]}:",
        "RATELIMIT_KEY_PREFIX": "bench-http",
    }


def _load(started: dict[str, servers.Server], paths: dict[str, str], load, warmup, rounds: int):
    """wrk's best rate of ``rounds`` by server and label. The servers take turns page by
    page, and the rounds come one after the other, so that what else runs on the machine
    weighs on the figures compared alike; the best round is the one it disturbed least.
    Each page is checked to answer 200 first."""
    rates: dict[str, dict] = {name: {} for name in started}
    for path in paths.values():
        for name, server in started.items():
            url = server.base + ("/" if name == "hello" else path)
            status = servers.status_of(url)
            if status != 200:
                raise SystemExit(f"{url} answered {status}, not 200")
            wrk.run(url, warmup)
    for round_number in range(1, rounds + 1):
        for label, path in paths.items():
            for name, server in started.items():
                url = server.base + ("/" if name == "hello" else path)
                cpu_before = server.cpu_seconds()
                result = wrk.run(url, load)
                cpu = (server.cpu_seconds() - cpu_before) * 1000 / max(1, result.requests)
                previous = rates[name].get(label)
                if previous is None:
                    rates[name][label] = dataclasses.replace(result, cpu_ms=cpu)
                    continue
                # The best rate and, apart, the least CPU per request of the rounds.
                best = result if result.per_second > previous.per_second else previous
                least = min(cpu, previous.cpu_ms)
                rates[name][label] = dataclasses.replace(best, cpu_ms=least)
        print(f"  round {round_number} of {rounds} done", flush=True)
    return rates


def main() -> None:
    wrk.require_wrk()
    os.chdir(servers.ROOT)
    kind = os.environ.get("BENCH_DATABASES", "").strip() or "sqlite"
    if kind not in ("sqlite", "postgresql"):
        raise SystemExit("BENCH_DATABASES: one of sqlite, postgresql for make bench-http")
    posts = _number("BENCH_HTTP_POSTS", 10_000)
    threads, connections = _number("BENCH_HTTP_THREADS", 2), _number("BENCH_HTTP_CONNECTIONS", 8)
    load = wrk.Load(threads, connections, _number("BENCH_HTTP_SECONDS", 3))
    warmup = wrk.Load(threads, connections, _number("BENCH_HTTP_WARMUP_SECONDS", 1))
    rounds = max(1, _number("BENCH_HTTP_ROUNDS", 3))
    keep = os.environ.get("BENCH_KEEP", "") not in ("", "0")
    with bench_database(kind, keep=keep) as (url, _named), tempfile.TemporaryDirectory() as folder:
        paths = _prepare(url, posts)
        apps = {
            "uncached": ("wsgi:app", lambda port: _cms(url, port, folder, cached=False)),
            "cached": ("wsgi:app", lambda port: _cms(url, port, folder, cached=True)),
            "minimal": ("bench.throughput.reference:minimal_app()", _reference(url)),
            "hello": ("bench.throughput.reference:hello_app()", lambda port: {}),
        }
        with ExitStack() as stack:
            started = {}
            for name, (app, environ) in apps.items():
                port = servers.free_port()
                # The CMS as the Procfile runs it: with its gunicorn settings (preloaded).
                config = servers.CMS_SETTINGS if app == "wsgi:app" else None
                server = servers.gunicorn(app, environ(port), port, config=config)
                started[name] = stack.enter_context(server)
            rates = _load(started, paths, load, warmup, rounds)
            memory = {
                name: [servers.memory_of(pid) for pid in server.workers()]
                for name, server in started.items()
            }
        print()
        report.print_report(paths, rates, memory, load, rounds, _uptime())


def _reference(url: str):
    from config.settings import normalise_database_url

    # The CMS's absolute addresses: SERVER_NAME, over https (production's preferred scheme).
    return lambda port: {
        "BENCH_REFERENCE_DATABASE_URL": normalise_database_url(url),
        "BENCH_REFERENCE_BASE_URL": f"https://127.0.0.1:{port}",
    }


def _uptime() -> str:
    command = [shutil.which("uptime") or "uptime"]
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout.strip()  # noqa: S603


if __name__ == "__main__":
    main()
