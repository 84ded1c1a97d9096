"""The CMS as it is deployed: migrated by the release command, served by gunicorn in
production settings, sending mail over SMTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class LiveServer:
    def __init__(
        self, database_url: str, port: int, smtp_port: int, log_path: Path, host: str = "127.0.0.1"
    ) -> None:
        """``host`` is the name the site answers to (SERVER_NAME); it listens on 127.0.0.1."""
        self.url = f"http://{host}:{port}"
        self.log_path = log_path
        self.env = {
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
            "HOME": str(log_path.parent),
            "CMS_CONFIG": "production",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "browser-tests",
            "SECURITY_PASSWORD_SALT": "browser-tests",
            "SERVER_NAME": f"{host}:{port}",
            "PREFERRED_URL_SCHEME": "http",
            "SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback
            "BCRYPT_ROUNDS": "4",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_port),
            "MAIL_DEFAULT_SENDER": "cms@example.com",
            "SITE_NAME": "Browser Test CMS",
        }
        self._process: subprocess.Popen | None = None

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run a ``flask --app wsgi`` command against this deployment, as ops would."""
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stderr}"
        return result

    def start(self) -> None:
        self.flask("db", "upgrade")
        port = self.url.rsplit(":", 1)[1]
        self._log = self.log_path.open("w")
        self._process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "wsgi:app",
                "--bind", f"127.0.0.1:{port}",
                "--workers", "2",
                "--access-logfile", "-",
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2):
                    return
            except OSError:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"gunicorn did not start:\n{self.log_path.read_text()}"
                    ) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._log.close()
