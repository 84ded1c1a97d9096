"""How long "forgot password" takes for an address with an account and one without.

Not a test (timings vary with the machine); run it after touching the reset flow:

    .venv/bin/python scripts/reset_timing.py [--rounds 200] [--bcrypt-rounds 12]

It builds the app on a throwaway SQLite file with mail sent as in production, to a server
where nothing listens (failures are logged, and silenced here) or into memory, and prints
the median and middle half of each kind of answer. The two should differ by less than
their spread.
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import flask_migrate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cms import create_app
from cms.accounts import service as accounts
from cms.extensions import db


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100, help="requests of each kind")
    parser.add_argument("--bcrypt-rounds", type=int, default=12)
    parser.add_argument(
        "--mail",
        choices=["down", "instant"],
        default="down",
        help="an SMTP port where nothing listens, or Flask-Mailman's in-memory backend",
    )
    args = parser.parse_args()
    logging.disable(logging.ERROR)  # the mail failures, once per known-address request

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/timing.sqlite3",
                "SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS": {"bcrypt__rounds": args.bcrypt_rounds},
                "WTF_CSRF_ENABLED": False,
                "TESTING": False,
                "MAIL_SEND_IN_BACKGROUND": True,
            },
            environ={
                "CMS_CONFIG": "testing",
                "MAIL_BACKEND": "smtp" if args.mail == "down" else "locmem",
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": str(unused_port()),
            },
        )
        with app.app_context():
            flask_migrate.upgrade()
            accounts.create_user("known@example.com", "a long enough password", [])
            db.session.commit()

        client = app.test_client()
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        addresses = {"known": "known@example.com", "unknown": "nobody@example.com"}
        for round_number in range(args.rounds + 5):
            for kind, address in addresses.items():
                start = time.perf_counter()
                response = client.post("/reset", data={"email": address})
                elapsed = time.perf_counter() - start
                assert response.status_code == 200, response.status_code
                if round_number >= 5:  # the first few warm caches up
                    timings[kind].append(elapsed * 1000)
        with app.app_context():
            db.engine.dispose()

    for kind, values in timings.items():
        quartiles = statistics.quantiles(values, n=4)
        print(
            f"{kind:8} median {statistics.median(values):7.2f} ms   "
            f"middle half {quartiles[0]:7.2f} to {quartiles[2]:7.2f} ms"
        )


if __name__ == "__main__":
    main()
