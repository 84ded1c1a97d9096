"""gunicorn serving one app on a free port, and what its workers weigh."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

WORKERS = 2
ROOT = Path(__file__).resolve().parents[2]  # where wsgi.py is
_START_SECONDS = 60


@dataclass(frozen=True)
class Server:
    base: str  # http://127.0.0.1:PORT
    master: int

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.master}/task/{self.master}/children").read_text()
        return [int(pid) for pid in children.split()]

    def cpu_seconds(self) -> float:
        """CPU time its workers have used so far (user and system): unlike a rate, it
        does not depend on what else the machine runs."""
        return sum(cpu_seconds_of(pid) for pid in self.workers())


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds_of(pid: int) -> float:
    # /proc/<pid>/stat: fields 14 and 15 (utime, stime), after the parenthesised name.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass(frozen=True)
class Memory:
    """A process's resident memory (RSS) and its proportional share of shared pages (PSS),
    in MiB."""

    rss: float
    pss: float


def memory_of(pid: int) -> Memory:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    return Memory(rss=fields["Rss"] / 1024, pss=fields["Pss"] / 1024)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


#: The Procfile's gunicorn settings, which the CMS is measured with.
CMS_SETTINGS = "config/gunicorn_conf.py"


@contextmanager
def gunicorn(
    app: str, environ: Mapping[str, str], port: int, *, config: str | None = None
) -> Iterator[Server]:
    """``app`` (gunicorn's ``module:variable`` or ``module:factory()``) under gunicorn with
    ``WORKERS`` sync workers, and gunicorn's settings file ``config`` if given; stopped
    (TERM, then KILL) on leaving."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        # gunicorn 27 opens a control socket at a fixed path: two servers would share it.
        "--no-control-socket",
        "--log-level",
        "warning",
        *(("--config", config) if config else ()),
        app,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **environ})  # noqa: S603
    server = Server(f"http://127.0.0.1:{port}", process.pid)
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_up(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start (exit {process.returncode})")
        try:
            urllib.request.urlopen(server.base + "/", timeout=5).close()  # noqa: S310 - ours
        except urllib.error.HTTPError:
            pass
        except OSError:
            time.sleep(0.2)
            continue
        if len(server.workers()) == WORKERS:
            return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer at {server.base} within {_START_SECONDS} s")


def status_of(url: str) -> int:
    """The status of one GET (redirects not followed)."""

    class _NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
