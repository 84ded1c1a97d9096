"""Settings: chosen by CMS_CONFIG, read from the environment, strict in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from passlib.totp import TOTP

from cms import create_app
from cms.accounts.roles import BUILT_IN_ROLES
from config import ConfigError, load_config
from config.settings import KNOWN_ROLES

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


def test_security_settings_from_the_environment(tmp_path):
    settings = load_config(
        tmp_path,
        {
            **PRODUCTION,
            "REDIS_URL": "redis://cache.internal:6379/2",
            "LOGIN_LOCKOUT_ATTEMPTS": "5",
            "RATE_LIMIT_SIGN_IN_PER_ADDRESS": "10 per minute",
        },
    )
    assert settings.REDIS_URL == "redis://cache.internal:6379/2"
    assert settings.LOGIN_LOCKOUT_ATTEMPTS == 5
    assert settings.RATE_LIMIT_SIGN_IN_PER_ADDRESS == "10 per minute"
    assert settings.RATELIMIT_ENABLED is True
    assert settings.SECURITY_PASSWORD_COMPLEXITY_CHECKER == "zxcvbn"


def test_the_rate_limits_are_on_in_the_tests(app):
    assert app.config["RATELIMIT_ENABLED"] is True
    assert app.extensions["cms_rate_limits"].enabled


def test_request_and_body_limits_have_defaults_and_can_be_set(tmp_path):
    defaults = load_config(tmp_path, PRODUCTION)
    assert defaults.MAX_CONTENT_LENGTH == 8 * 1024 * 1024
    assert defaults.POST_BODY_MAX_CHARS == 200_000
    # An over-long body must reach the form's field error, not Werkzeug's 500 kB field cap.
    assert defaults.MAX_FORM_MEMORY_SIZE == defaults.MAX_CONTENT_LENGTH
    chosen = {**PRODUCTION, "MAX_CONTENT_LENGTH": "1048576", "POST_BODY_MAX_CHARS": "5000"}
    settings = load_config(tmp_path, chosen)
    assert (settings.MAX_CONTENT_LENGTH, settings.POST_BODY_MAX_CHARS) == (1048576, 5000)
    assert settings.MAX_FORM_MEMORY_SIZE == 1048576


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
        ("LOGIN_LOCKOUT_ATTEMPTS", "0"),
        ("LOGIN_LOCKOUT_MINUTES", "0"),
        ("RATE_LIMIT_SIGN_IN_PER_ACCOUNT", "five a minute"),
        ("RATE_LIMIT_RESET_PER_ADDRESS", "3 per fortnight"),
        ("POST_BODY_MAX_CHARS", "0"),
        ("MAX_CONTENT_LENGTH", "1000"),
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


# --- Two-factor sign-in ---


def test_production_requires_two_factor_for_admins_and_editors(tmp_path):
    settings = load_config(tmp_path, PRODUCTION)
    assert settings.TWO_FACTOR_REQUIRED is True
    assert settings.TWO_FACTOR_REQUIRED_ROLES == {"admin", "editor"}
    assert settings.SECURITY_TWO_FACTOR_ENABLED_METHODS == ["authenticator"]
    assert settings.SECURITY_MULTI_FACTOR_RECOVERY_CODES is True


@pytest.mark.parametrize("name", ["production", "development", "testing"])
def test_security_keys_are_a_second_factor_only(tmp_path, name):
    environ = PRODUCTION if name == "production" else {"CMS_CONFIG": name}
    settings = load_config(tmp_path, environ)
    assert settings.SECURITY_WEBAUTHN is True
    assert settings.SECURITY_WAN_ALLOW_AS_MULTI_FACTOR is True
    # Never instead of the password, neither at login nor when re-authenticating.
    assert settings.SECURITY_WAN_ALLOW_AS_FIRST_FACTOR is False
    assert settings.SECURITY_WAN_ALLOW_AS_VERIFY == []
    assert settings.SECURITY_WAN_RP_NAME == settings.SITE_NAME


@pytest.mark.parametrize("name", ["development", "testing"])
def test_development_and_testing_let_everyone_in_with_a_password(tmp_path, name):
    settings = load_config(tmp_path, {"CMS_CONFIG": name})
    assert settings.TWO_FACTOR_REQUIRED is False
    # Still available: anyone may turn it on for themselves.
    assert settings.SECURITY_TWO_FACTOR is True


def test_the_requirement_and_its_roles_are_settings(tmp_path):
    environ = {**PRODUCTION, "TWO_FACTOR_REQUIRED": "false"}
    assert load_config(tmp_path, environ).TWO_FACTOR_REQUIRED is False
    environ = {"CMS_CONFIG": "development", "TWO_FACTOR_REQUIRED": "true"}
    assert load_config(tmp_path, environ).TWO_FACTOR_REQUIRED is True
    environ = {**PRODUCTION, "TWO_FACTOR_REQUIRED_ROLES": " Admin, author "}
    assert load_config(tmp_path, environ).TWO_FACTOR_REQUIRED_ROLES == {"admin", "author"}


def test_an_unknown_role_in_the_requirement_is_refused(tmp_path):
    # A typo ("editors") would otherwise leave that role without two-factor, silently.
    with pytest.raises(ConfigError, match="TWO_FACTOR_REQUIRED_ROLES names no such role: editors"):
        load_config(tmp_path, {**PRODUCTION, "TWO_FACTOR_REQUIRED_ROLES": "admin,editors"})


def test_the_roles_the_requirement_may_name_are_the_built_in_ones():
    assert set(BUILT_IN_ROLES) == KNOWN_ROLES


def _two_factor_ciphers(tmp_path, environ):
    settings = load_config(tmp_path, environ)
    totp = TOTP.using(secrets=settings.SECURITY_TOTP_SECRETS)
    codes = MultiFernet([Fernet(key) for key in settings.SECURITY_MULTI_FACTOR_RECOVERY_CODES_KEYS])
    return totp, codes


def test_two_factor_keys_come_from_the_password_salt_not_the_secret_key(tmp_path):
    totp, codes = _two_factor_ciphers(tmp_path, PRODUCTION)
    authenticator = totp.new()
    stored_secret = authenticator.to_json(encrypt=True)
    stored_code = codes.encrypt(b"a8d7-2767-dd52")

    # SECRET_KEY may be rotated: stored secrets stay readable.
    rotated = {**PRODUCTION, "SECRET_KEY": "a new secret key"}
    totp_after, codes_after = _two_factor_ciphers(tmp_path, rotated)
    assert totp_after.from_source(stored_secret).base32_key == authenticator.base32_key
    assert codes_after.decrypt(stored_code) == b"a8d7-2767-dd52"

    # The salt is the keys' source (another deployment's salt reads nothing). passlib does
    # not detect a wrong key: it decrypts to another secret, whose codes then fail.
    other_salt = {**PRODUCTION, "SECURITY_PASSWORD_SALT": "another salt"}
    totp_other, codes_other = _two_factor_ciphers(tmp_path, other_salt)
    with pytest.raises(InvalidToken):
        codes_other.decrypt(stored_code)
    assert totp_other.from_source(stored_secret).base32_key != authenticator.base32_key


def test_a_two_factor_secret_encrypts_from_then_on_and_old_data_stays_readable(tmp_path):
    totp, codes = _two_factor_ciphers(tmp_path, PRODUCTION)
    authenticator = totp.new()
    stored_secret = authenticator.to_json(encrypt=True)
    stored_code = codes.encrypt(b"a8d7-2767-dd52")

    environ = {**PRODUCTION, "TWO_FACTOR_SECRET": "an explicit two-factor secret"}
    totp_new, codes_new = _two_factor_ciphers(tmp_path, environ)
    assert totp_new.from_source(stored_secret).base32_key == authenticator.base32_key
    assert codes_new.decrypt(stored_code) == b"a8d7-2767-dd52"

    # New data is encrypted with the new key: the old key alone cannot read it.
    with pytest.raises(InvalidToken):
        codes.decrypt(codes_new.encrypt(b"0000-1111-2222"))
    assert '"t":"2"' in totp_new.new().to_json(encrypt=True)


def test_the_roles_two_factor_may_name_are_the_built_in_roles():
    """Settings load before the app (config cannot import cms), so they keep their own copy
    of the role names; this keeps the two from drifting apart."""
    from cms.accounts.roles import STAFF_ROLES
    from config.settings import KNOWN_ROLES

    assert KNOWN_ROLES == STAFF_ROLES
