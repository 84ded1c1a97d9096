"""The Procfile as a platform runs it: the release step migrates a fresh database, the web
process serves it with gunicorn in production settings and logs to stdout."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.databases import fresh_database

ROOT = Path(__file__).resolve().parents[1]


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def deployment_env(tmp_path):
    with fresh_database(tmp_path) as url:
        yield {
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
            "HOME": str(tmp_path),  # gunicorn 27 keeps its control socket under HOME
            "CMS_CONFIG": "production",
            "DATABASE_URL": url,
            "SECRET_KEY": "procfile-test",
            "SECURITY_PASSWORD_SALT": "procfile-test",
            "SERVER_NAME": "cms.example.com",
            "PORT": str(free_port()),
            "WEB_CONCURRENCY": "1",
        }


def test_release_then_web(deployment_env):
    processes = procfile()
    assert set(processes) == {"web", "release"}

    release = subprocess.run(
        ["bash", "-c", processes["release"]],
        cwd=ROOT,
        env=deployment_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert release.returncode == 0, release.stderr

    web = subprocess.Popen(
        ["bash", "-c", f"exec {processes['web']}"],
        cwd=ROOT,
        env=deployment_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{deployment_env['PORT']}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert web.poll() is None, "gunicorn exited"
                assert time.monotonic() < deadline, "gunicorn did not answer in 30 s"
                time.sleep(0.2)
        with urllib.request.urlopen(f"{url}/", timeout=5) as response:
            assert response.status == 200
    finally:
        web.terminate()
        output, _ = web.communicate(timeout=30)
    # Access log and gunicorn's own log on stdout, where a platform's log collector reads them.
    assert '"GET /healthz HTTP/1.1" 200' in output
    assert "Listening at: http://0.0.0.0:" in output
