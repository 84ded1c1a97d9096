"""Where an uncached public page spends its CPU: ``python -m bench.profile_pages [PATH]``.

Seeds (once) a SQLite file with ``make bench-http``'s site (``BENCH_PROFILE_POSTS`` posts,
2000; the file is ``BENCH_SQLITE_PATH``, ``instance/profile.sqlite`` by default, reused when
seeded before), builds the CMS on production settings with its page cache off, warms it,
then requests each of ``make bench-http``'s pages (or only ``PATH``)
``BENCH_PROFILE_REQUESTS`` times (500) through the test client under cProfile and prints
the CPU milliseconds per request, then profiles as many more and prints the costliest
functions (``BENCH_PROFILE_LINES`` of them, 40; 0 for the timings alone), by
``BENCH_PROFILE_SORT`` (pstats' key: cumulative, tottime, ...). The test client skips
gunicorn and the socket, so the figures are the app's own share of a request.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time

from cms import create_app

from .databases import contents, make_app, migrate, named_database
from .reuse import seeded_before
from .seed import seed
from .tags import add_tags
from .throughput import site


def _site(posts: int) -> tuple[str, dict[str, str]]:
    url = named_database("sqlite", os.environ.get("BENCH_SQLITE_PATH", "instance/profile.sqlite"))
    app = make_app(url)
    if contents(url) == "nothing":
        migrate(app)
        seed(app, posts)
    else:
        seeded_before(app)
    add_tags(app)
    return url, site.pages(app)


def _production_app(url: str, folder: str):
    return create_app(
        environ={
            "CMS_CONFIG": "production",
            "SECRET_KEY": "profile-secret-key",
            "SECURITY_PASSWORD_SALT": "profile-password-salt",
            "DATABASE_URL": url,
            "SERVER_NAME": "127.0.0.1:8000",
            "LOG_LEVEL": "WARNING",
            "PAGE_CACHE": "false",
            "PAGE_CACHE_VERSION_FILE": os.path.join(folder, "public-pages.version"),
            "RATELIMIT_ENABLED": "false",
        }
    )


def main() -> None:
    posts = int(os.environ.get("BENCH_PROFILE_POSTS", "2000"))
    requests = int(os.environ.get("BENCH_PROFILE_REQUESTS", "500"))
    url, pages = _site(posts)
    if len(sys.argv) > 1:
        pages = {path: path for path in sys.argv[1:]}
    with tempfile.TemporaryDirectory() as folder:
        client = _production_app(url, folder).test_client()
        for label, path in pages.items():
            for _ in range(20):  # warm: compiled templates, statement caches, connections
                assert client.get(path).status_code == 200, path
            started = time.process_time()
            for _ in range(requests):
                client.get(path)
            cpu_ms = (time.process_time() - started) * 1000 / requests
            print(f"\n=== {label} ({path}): {cpu_ms:.2f} ms CPU per request", flush=True)
            if os.environ.get("BENCH_PROFILE_LINES") == "0":
                continue
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(requests):
                client.get(path)
            profile.disable()
            order = os.environ.get("BENCH_PROFILE_SORT", "cumulative")
            lines = int(os.environ.get("BENCH_PROFILE_LINES", "40"))
            pstats.Stats(profile).sort_stats(order).print_stats(lines)


if __name__ == "__main__":
    main()
