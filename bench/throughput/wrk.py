"""wrk, Debian's HTTP load generator: requests per second at one address."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_COUNT = re.compile(r"^\s*(\d+) requests in", re.MULTILINE)
_ERRORS = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)|Socket errors:.*")
HINT = "wrk is needed: apt-get install -y wrk (Debian's package)"


@dataclass(frozen=True)
class Load:
    threads: int
    connections: int
    seconds: int

    def arguments(self) -> list[str]:
        return [f"-t{self.threads}", f"-c{self.connections}", f"-d{self.seconds}s"]


@dataclass(frozen=True)
class Result:
    per_second: float
    requests: int
    errors: str  # "" when every answer was a 2xx or 3xx and no socket failed
    cpu_ms: float = 0.0  # the server's CPU time per request, when measured


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit(HINT)


def run(url: str, load: Load) -> Result:
    command = [shutil.which("wrk") or "wrk", *load.arguments(), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate, count = _RATE.search(output), _COUNT.search(output)
    if rate is None or count is None:
        raise SystemExit(f"wrk printed no rate for {url}:\n{output}")
    errors = "; ".join(m.group(0).strip() for m in _ERRORS.finditer(output))
    return Result(float(rate.group(1)), int(count.group(1)), errors)
