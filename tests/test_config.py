"""Settings: chosen by CMS_CONFIG, read from the environment, strict in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cms import create_app
from config import ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "CMS_CONFIG": "production",
    "SECRET_KEY": "s3cret",
    "SECURITY_PASSWORD_SALT": "salt",
    "DATABASE_URL": "postgres://cms@db.internal/cms",
    "SERVER_NAME": "cms.example.com",
}


def test_testing_settings(app):
    assert app.testing
    assert app.config["MAIL_BACKEND"] == "locmem"


def test_production_reads_everything_from_the_environment(tmp_path):
    settings = load_config(tmp_path, {**PRODUCTION, "MAIL_SERVER": "smtp.internal"})
    assert settings.SECRET_KEY == "s3cret"
    assert settings.SECURITY_PASSWORD_SALT == "salt"
    # Platforms hand out postgres:// URLs; SQLAlchemy needs the psycopg 3 driver named.
    assert settings.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://cms@db.internal/cms"
    assert settings.MAIL_SERVER == "smtp.internal"
    assert settings.SESSION_COOKIE_SECURE is True


@pytest.mark.parametrize(
    "missing", ["SECRET_KEY", "SECURITY_PASSWORD_SALT", "DATABASE_URL", "SERVER_NAME"]
)
@pytest.mark.parametrize("as_what", ["absent", "blank"])
def test_production_refuses_to_start_without_a_secret(tmp_path, missing, as_what):
    environ = {key: value for key, value in PRODUCTION.items() if key != missing}
    if as_what == "blank":
        environ[missing] = "  "
    with pytest.raises(ConfigError, match=missing):
        create_app(environ=environ)


def test_production_is_the_default(tmp_path):
    with pytest.raises(ConfigError, match="ProductionConfig refuses to start"):
        load_config(tmp_path, {})


def test_unknown_settings_name_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="CMS_CONFIG='staging'"):
        load_config(tmp_path, {"CMS_CONFIG": "staging"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAIL_PORT", "twenty-five"),
        ("MAIL_USE_TLS", "perhaps"),
        # Settings whose bad value would delete everything or break every page.
        ("REVISIONS_KEPT", "0"),
        ("TRASH_RETENTION_DAYS", "-1"),
        ("PREVIEW_LINK_HOURS", "0"),
        ("POSTS_PER_PAGE", "0"),
        ("INVITATION_DAYS", "0"),
        ("REGISTRATION_ENABLED", "maybe"),
    ],
)
def test_malformed_values_are_refused_by_name(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_config(tmp_path, {"CMS_CONFIG": "development", name: value})


def test_registration_is_off_unless_enabled_and_then_needs_confirmed_addresses(tmp_path):
    closed = load_config(tmp_path, PRODUCTION)
    opened = load_config(tmp_path, {**PRODUCTION, "REGISTRATION_ENABLED": "true"})

    assert (closed.SECURITY_REGISTERABLE, closed.SECURITY_CONFIRMABLE) == (False, False)
    assert (opened.SECURITY_REGISTERABLE, opened.SECURITY_CONFIRMABLE) == (True, True)
    assert closed.INVITATION_DAYS == 3


def test_development_keeps_its_generated_secrets_across_restarts(tmp_path):
    first = load_config(tmp_path, {"CMS_CONFIG": "development"})
    second = load_config(tmp_path, {"CMS_CONFIG": "development"})
    # A new password salt on every start would make every stored password unusable.
    assert first.SECURITY_PASSWORD_SALT == second.SECURITY_PASSWORD_SALT
    assert first.SECRET_KEY == second.SECRET_KEY
    assert first.SQLALCHEMY_DATABASE_URI == f"sqlite:///{tmp_path / 'cms.sqlite3'}"
    assert first.MAIL_BACKEND == "console"


def _run(command: list[str], environ: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environ},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


EXPECTED_LINE = (
    "cms: configuration error: ProductionConfig refuses to start: set SECRET_KEY, "
    "SECURITY_PASSWORD_SALT, DATABASE_URL, SERVER_NAME (or CMS_CONFIG=development for a "
    "local run)"
)


def test_a_deployment_without_secrets_stops_with_one_clear_line():
    result = _run([sys.executable, "-c", "import wsgi"], {"CMS_CONFIG": "production"})
    assert result.returncode == 4
    assert result.stderr.strip().splitlines() == [EXPECTED_LINE]


def test_gunicorn_without_secrets_stops_instead_of_restarting_workers(tmp_path):
    # Exit code 4 makes gunicorn's master give up; any other code boots workers forever.
    command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--bind", "127.0.0.1:0"]
    result = _run([*command, "--no-control-socket"], {"HOME": str(tmp_path)})
    assert result.returncode != 0
    assert result.stderr.count(EXPECTED_LINE) == 1


def test_a_complete_deployment_starts(database_url):
    result = _run(
        [sys.executable, "-c", "import wsgi"], {**PRODUCTION, "DATABASE_URL": database_url}
    )
    assert result.returncode == 0, result.stderr
