"""The settings classes. Flask reads their upper-case attributes with ``config.from_object``."""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app can run with."""


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = environ.get(name)
    if value is None or value.strip() == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use true or false)")


def _integer(
    environ: Mapping[str, str], name: str, default: int, *, minimum: int | None = None
) -> int:
    value = environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name}={value!r} must be at least {minimum}")
    return number


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs (as hosting platforms hand them out) at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class BaseConfig:
    """Settings shared by every environment."""

    #: Variables a class refuses to start without.
    REQUIRED: tuple[str, ...] = ()
    default_url_scheme = "http"

    def __init__(self, environ: Mapping[str, str], instance_path: Path) -> None:
        self.CMS_CONFIG = type(self).__name__
        self._instance_path = instance_path
        self.SECRET_KEY = environ.get("SECRET_KEY") or self.fallback_secret("SECRET_KEY")
        self.SITE_NAME = environ.get("SITE_NAME", "Flask CMS")
        self.POSTS_PER_PAGE = _integer(environ, "POSTS_PER_PAGE", 10, minimum=1)
        self.TRASH_RETENTION_DAYS = _integer(environ, "TRASH_RETENTION_DAYS", 30, minimum=0)
        self.PREVIEW_LINK_HOURS = _integer(environ, "PREVIEW_LINK_HOURS", 72, minimum=1)
        self.REVISIONS_KEPT = _integer(environ, "REVISIONS_KEPT", 50, minimum=1)
        self.LOG_LEVEL = environ.get("LOG_LEVEL", "INFO").upper()
        self.TRUSTED_PROXIES = _integer(environ, "TRUSTED_PROXIES", 0)
        # The site's public host name: links in mails are built from it, never from the
        # request's Host header (which a client chooses, e.g. to poison a reset link).
        self.SERVER_NAME = environ.get("SERVER_NAME", "").strip() or None
        self.PREFERRED_URL_SCHEME = environ.get("PREFERRED_URL_SCHEME", self.default_url_scheme)
        # Optionally answer 400 to any other Host (health checks by IP need theirs listed too).
        self.TRUSTED_HOSTS = [
            h.strip() for h in environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()
        ] or None

        database_url = environ.get("DATABASE_URL") or self.default_database_url(instance_path)
        self.SQLALCHEMY_DATABASE_URI = normalise_database_url(database_url)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

        self.WTF_CSRF_ENABLED = True
        # A form left open in a tab for a working day still saves.
        self.WTF_CSRF_TIME_LIMIT = 8 * 3600

        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = _flag(environ, "SESSION_COOKIE_SECURE", False)
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE

        self.MAIL_BACKEND = environ.get("MAIL_BACKEND", self.default_mail_backend(environ))
        self.MAIL_SERVER = environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _integer(environ, "MAIL_PORT", 25)
        self.MAIL_USERNAME = environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = environ.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _flag(environ, "MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _flag(environ, "MAIL_USE_SSL", False)
        self.MAIL_TIMEOUT = _integer(environ, "MAIL_TIMEOUT", 10)
        self.MAIL_DEFAULT_SENDER = environ.get("MAIL_DEFAULT_SENDER", "cms@localhost")

        self.SECURITY_PASSWORD_SALT = environ.get("SECURITY_PASSWORD_SALT") or self.fallback_secret(
            "SECURITY_PASSWORD_SALT"
        )
        self.SECURITY_PASSWORD_HASH = "bcrypt"  # noqa: S105 - an algorithm name
        self.SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS = {
            "bcrypt__rounds": _integer(environ, "BCRYPT_ROUNDS", 12)
        }
        self.SECURITY_EMAIL_SENDER = self.MAIL_DEFAULT_SENDER
        # Servers here resolve no DNS; deliverability is the mail server's business.
        self.SECURITY_EMAIL_VALIDATOR_ARGS = {"check_deliverability": False}
        self.SECURITY_RECOVERABLE = True
        self.SECURITY_CHANGEABLE = True
        self.SECURITY_TRACKABLE = True
        # How long an invitation's link works (re-sending it starts a new period).
        self.INVITATION_DAYS = _integer(environ, "INVITATION_DAYS", 3, minimum=1)
        # Self-registration: anyone may sign up, confirms their address by mail, and gets no
        # staff role (so no dashboard) until an admin grants one.
        self.REGISTRATION_ENABLED = _flag(environ, "REGISTRATION_ENABLED", False)
        self.SECURITY_REGISTERABLE = self.REGISTRATION_ENABLED
        self.SECURITY_CONFIRMABLE = self.REGISTRATION_ENABLED
        self.SECURITY_EMAIL_SUBJECT_REGISTER = "Confirm your address"
        # Flask-Security's own `flask users` / `flask roles` commands change accounts without
        # the audit log; `flask cms create-admin` and the dashboard do it with.
        self.SECURITY_CLI_USERS_NAME = False
        self.SECURITY_CLI_ROLES_NAME = False
        # Same answer whether or not an account exists, for login and password reset.
        self.SECURITY_RETURN_GENERIC_RESPONSES = True
        self.SECURITY_RESET_PASSWORD_WITHIN = timedelta(
            minutes=_integer(environ, "PASSWORD_RESET_MINUTES", 120)
        )
        self.SECURITY_POST_LOGIN_VIEW = "/admin/"
        self.SECURITY_POST_LOGOUT_VIEW = "/"
        self.SECURITY_POST_CHANGE_VIEW = "/admin/"
        self.SECURITY_POST_RESET_VIEW = "/admin/"
        self.SECURITY_EMAIL_SUBJECT_PASSWORD_RESET = "Reset your password"  # noqa: S105
        self.SECURITY_MSG_LOGIN = ("Please log in to open this page.", "info")

        self.FLASK_ADMIN_FLUID_LAYOUT = False

        missing = [name for name in self.REQUIRED if not environ.get(name, "").strip()]
        if missing:
            raise ConfigError(
                f"{self.CMS_CONFIG} refuses to start: set {', '.join(missing)} "
                "(or CMS_CONFIG=development for a local run)"
            )

    def fallback_secret(self, name: str) -> str:
        """A random value for a missing secret: sessions and reset links die with the process."""
        return secrets.token_urlsafe(32)

    def default_database_url(self, instance_path: Path) -> str:
        return f"sqlite:///{instance_path / 'cms.sqlite3'}"

    def default_mail_backend(self, environ: Mapping[str, str]) -> str:
        return "smtp"


class DevelopmentConfig(BaseConfig):
    """A developer's machine: SQLite in instance/, mail printed to the terminal."""

    def fallback_secret(self, name: str) -> str:
        # Kept in instance/ so that logins survive a restart: a new password salt on every
        # start would make every stored password unusable.
        path = self._instance_path / "dev-secrets.json"
        stored = json.loads(path.read_text()) if path.exists() else {}
        if name not in stored:
            stored[name] = secrets.token_urlsafe(32)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(stored, indent=2))
            path.chmod(0o600)
        return stored[name]

    def default_mail_backend(self, environ: Mapping[str, str]) -> str:
        # Without a configured SMTP server, reset mails appear in the `make run` terminal.
        return "smtp" if environ.get("MAIL_SERVER") else "console"


class TestingConfig(BaseConfig):
    """The test suite: mail kept in memory, a fast hash, a throwaway secret."""

    TESTING = True

    def __init__(self, environ: Mapping[str, str], instance_path: Path) -> None:
        super().__init__(environ, instance_path)
        self.SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS = {"bcrypt__rounds": 4}
        self.SERVER_NAME = None

    def default_mail_backend(self, environ: Mapping[str, str]) -> str:
        return "locmem"

    def default_database_url(self, instance_path: Path) -> str:
        return "sqlite://"


class ProductionConfig(BaseConfig):
    """A deployment: every secret comes from the environment, cookies only over HTTPS."""

    REQUIRED = ("SECRET_KEY", "SECURITY_PASSWORD_SALT", "DATABASE_URL", "SERVER_NAME")
    default_url_scheme = "https"

    def __init__(self, environ: Mapping[str, str], instance_path: Path) -> None:
        super().__init__(environ, instance_path)
        self.SESSION_COOKIE_SECURE = _flag(environ, "SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE

    def fallback_secret(self, name: str) -> str:
        # Never reached with a value in use: REQUIRED makes __init__ refuse first.
        return ""
