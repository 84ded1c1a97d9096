"""The settings classes. Flask reads their upper-case attributes with ``config.from_object``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from limits import parse_many


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


def _rate_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(
            f"{name}={value!r} is not a rate limit (e.g. '5 per minute; 20 per hour')"
        ) from None
    return value


def _names(environ: Mapping[str, str], name: str, default: str) -> frozenset[str]:
    value = environ.get(name)
    return frozenset(
        part.strip().lower() for part in (default if value is None else value).split(",")
    ) - {""}


def derived_key(secret: str, purpose: str) -> bytes:
    """32 bytes for one purpose, derived from a secret that is never rotated (HMAC-SHA256
    keeps the purposes apart: knowing one derived key tells nothing of the other)."""
    return hmac.new(secret.encode(), f"cms {purpose}".encode(), hashlib.sha256).digest()


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs (as hosting platforms hand them out) at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


#: The built-in roles (cms.accounts.roles; settings load before the app, so they keep a
#: copy, which a test compares), which TWO_FACTOR_REQUIRED_ROLES may name.
KNOWN_ROLES = frozenset({"admin", "editor", "author"})


class BaseConfig:
    """Settings shared by every environment."""

    #: Variables a class refuses to start without.
    REQUIRED: tuple[str, ...] = ()
    default_url_scheme = "http"
    two_factor_required_by_default = True

    def __init__(self, environ: Mapping[str, str], instance_path: Path) -> None:
        self.CMS_CONFIG = type(self).__name__
        self._instance_path = instance_path
        self.SECRET_KEY = environ.get("SECRET_KEY") or self.fallback_secret("SECRET_KEY")
        self.SITE_NAME = environ.get("SITE_NAME", "Flask CMS")
        self.POSTS_PER_PAGE = _integer(environ, "POSTS_PER_PAGE", 10, minimum=1)
        # Posts in each Atom feed (the site's, a tag's, an author's): the newest, in full.
        self.FEED_ENTRIES = _integer(environ, "FEED_ENTRIES", 20, minimum=1)
        # Addresses per sitemap file: 50,000 is the most the sitemaps protocol allows.
        self.SITEMAP_PAGE_SIZE = min(
            _integer(environ, "SITEMAP_PAGE_SIZE", 50_000, minimum=1), 50_000
        )
        self.TRASH_RETENTION_DAYS = _integer(environ, "TRASH_RETENTION_DAYS", 30, minimum=0)
        self.PREVIEW_LINK_HOURS = _integer(environ, "PREVIEW_LINK_HOURS", 72, minimum=1)
        self.REVISIONS_KEPT = _integer(environ, "REVISIONS_KEPT", 50, minimum=1)
        # Authors may make new tags while tagging their posts; off, they pick among the
        # tags editors made (cms.posts.policy.can_tag).
        self.TAGS_AUTHORS_MAY_CREATE = _flag(environ, "TAGS_AUTHORS_MAY_CREATE", True)
        # About 30,000 words, three times a long feature; its preview renders in under a
        # second and each of its kept revisions stays under a megabyte.
        self.POST_BODY_MAX_CHARS = _integer(environ, "POST_BODY_MAX_CHARS", 200_000, minimum=1)
        # The whole request (no uploads exist). Room for a body over POST_BODY_MAX_CHARS
        # even in the costliest encoding, so the author gets a field error, not a 413.
        self.MAX_CONTENT_LENGTH = _integer(
            environ, "MAX_CONTENT_LENGTH", 8 * 1024 * 1024, minimum=64 * 1024
        )
        # Werkzeug's 500 kB per form field would answer 413 first; the request limit rules.
        self.MAX_FORM_MEMORY_SIZE = self.MAX_CONTENT_LENGTH
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
        # No HSTS outside production: it would pin a developer's localhost to HTTPS.
        self.HSTS_SECONDS = 0
        self.HSTS_INCLUDE_SUBDOMAINS = False

        self.MAIL_BACKEND = environ.get("MAIL_BACKEND", self.default_mail_backend(environ))
        self.MAIL_SERVER = environ.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = _integer(environ, "MAIL_PORT", 25)
        self.MAIL_USERNAME = environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = environ.get("MAIL_PASSWORD") or None
        self.MAIL_USE_TLS = _flag(environ, "MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = _flag(environ, "MAIL_USE_SSL", False)
        self.MAIL_TIMEOUT = _integer(environ, "MAIL_TIMEOUT", 10)
        self.MAIL_DEFAULT_SENDER = environ.get("MAIL_DEFAULT_SENDER", "cms@localhost")
        # Where MAIL_BACKEND=file writes (Flask-Mailman's file backend has no folder of its own).
        self.MAIL_FILE_PATH = environ.get("MAIL_FILE_PATH") or str(instance_path / "mail")
        # Requests queue their mail for a background thread (cms/mail.py) instead of waiting
        # for the mail server.
        self.MAIL_SEND_IN_BACKGROUND = True

        self.SECURITY_PASSWORD_SALT = environ.get("SECURITY_PASSWORD_SALT") or self.fallback_secret(
            "SECURITY_PASSWORD_SALT"
        )
        self.SECURITY_PASSWORD_HASH = "bcrypt"  # noqa: S105 - an algorithm name
        self.SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS = {
            "bcrypt__rounds": _integer(environ, "BCRYPT_ROUNDS", 12)
        }
        self.SECURITY_EMAIL_SENDER = self.MAIL_DEFAULT_SENDER
        # What Flask-Security hashes into tokens: a password hash (salted and unguessable) and
        # an e-mail address (known to whoever holds the mailed link), inside a token signed with
        # SECRET_KEY. Its default, sha256_crypt at 535,000 rounds, stretches what needs no
        # stretching and made "forgot password" slower for existing accounts. sha256_crypt stays
        # listed so that links issued before still verify.
        self.SECURITY_HASHING_SCHEMES = ["hex_sha256", "sha256_crypt"]
        self.SECURITY_DEPRECATED_HASHING_SCHEMES = ["sha256_crypt"]
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
        # Session cookies only: no auth tokens (see cms/app_setup.py).
        self.SECURITY_API_ENABLED_METHODS = ["session"]
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
        # Its default ({"private": True, "no-store": True}) goes through Werkzeug as
        # "private=True, no-store=True", which is malformed; cms/headers.py sends no-store.
        self.SECURITY_CACHE_CONTROL = None
        # zxcvbn refuses passwords that are easy to guess, with its own reason when it has one.
        self.SECURITY_PASSWORD_COMPLEXITY_CHECKER = "zxcvbn"  # noqa: S105 - a checker name
        self.SECURITY_ZXCVBN_MINIMUM_SCORE = 3
        self.SECURITY_MSG_PASSWORD_TOO_SIMPLE = (
            "This password is too easy to guess. Try a longer one, such as a few unrelated words.",
            "error",
        )

        # Failed password logins in a row that lock an account, and for how long.
        self.LOGIN_LOCKOUT_ATTEMPTS = _integer(environ, "LOGIN_LOCKOUT_ATTEMPTS", 10, minimum=1)
        self.LOGIN_LOCKOUT_MINUTES = _integer(environ, "LOGIN_LOCKOUT_MINUTES", 15, minimum=1)

        # Rate limits (Flask-Limiter, see cms/rate_limits.py). Sign-in limits count failed
        # attempts; password-reset limits count every request (each may send a mail).
        self.RATE_LIMIT_SIGN_IN_PER_ACCOUNT = _rate_limit(
            environ, "RATE_LIMIT_SIGN_IN_PER_ACCOUNT", "5 per minute; 30 per hour"
        )
        self.RATE_LIMIT_SIGN_IN_PER_ADDRESS = _rate_limit(
            environ, "RATE_LIMIT_SIGN_IN_PER_ADDRESS", "20 per minute; 200 per hour"
        )
        self.RATE_LIMIT_RESET_PER_ACCOUNT = _rate_limit(
            environ, "RATE_LIMIT_RESET_PER_ACCOUNT", "3 per 10 minutes; 10 per day"
        )
        self.RATE_LIMIT_RESET_PER_ADDRESS = _rate_limit(
            environ, "RATE_LIMIT_RESET_PER_ADDRESS", "10 per 10 minutes; 50 per day"
        )
        # With REDIS_URL every app instance shares the counts; without, each process keeps
        # its own. If Redis stops answering, each process counts in memory until it is back.
        self.REDIS_URL = environ.get("REDIS_URL", "").strip() or None
        # The public JSON API (cms/api): reads per client address, and the web origins
        # whose scripts may read it (CORS); none by default.
        self.API_READ_RATE_LIMIT = _rate_limit(
            environ, "API_READ_RATE_LIMIT", "120 per minute; 3000 per hour"
        )
        # Requests with a personal token (the editorial side), counted per token; those
        # whose token does not work, per client address.
        self.API_TOKEN_RATE_LIMIT = _rate_limit(
            environ, "API_TOKEN_RATE_LIMIT", "300 per minute; 5000 per hour"
        )
        self.API_CORS_ORIGINS = _names(environ, "API_CORS_ORIGINS", "")
        self.RATELIMIT_ENABLED = True
        self.RATELIMIT_KEY_PREFIX = environ.get("RATELIMIT_KEY_PREFIX", "cms").strip()
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        # Every limit is checked, so a 429 can say when the longest one lets up.
        self.RATELIMIT_FAIL_ON_FIRST_BREACH = False
        self._configure_page_cache(environ, instance_path)

        self.FLASK_ADMIN_FLUID_LAYOUT = False
        self._configure_two_factor(environ)

        missing = [name for name in self.REQUIRED if not environ.get(name, "").strip()]
        if missing:
            raise ConfigError(
                f"{self.CMS_CONFIG} refuses to start: set {', '.join(missing)} "
                "(or CMS_CONFIG=development for a local run)"
            )

    def _configure_page_cache(self, environ: Mapping[str, str], instance_path: Path) -> None:
        """The public pages (cms/public/caching.py): rendered once per version of the site
        and kept in Redis with REDIS_URL (every instance shares them), else in each
        process's memory. A change or a scheduled post's time makes a new version at once,
        so no page is ever stale; PAGE_CACHE_SECONDS only bounds how long an unread page
        takes room. CDNs may keep a reader's page PUBLIC_CACHE_SECONDS without asking;
        browsers (and with 0, CDNs too) ask every time, and mostly get a 304."""
        self.PAGE_CACHE = _flag(environ, "PAGE_CACHE", True)
        self.PAGE_CACHE_SECONDS = _integer(environ, "PAGE_CACHE_SECONDS", 600, minimum=1)
        self.PUBLIC_CACHE_SECONDS = _integer(environ, "PUBLIC_CACHE_SECONDS", 60, minimum=0)
        # Flask-Caching's settings: class names, not "redis" or "simple".
        self.CACHE_TYPE = "RedisCache" if self.REDIS_URL else "SimpleCache"
        self.CACHE_REDIS_URL = self.REDIS_URL
        # Never empty: Flask-Caching's clear() would empty the whole Redis database.
        self.CACHE_KEY_PREFIX = environ.get("CACHE_KEY_PREFIX", "").strip() or "cms:"
        self.CACHE_DEFAULT_TIMEOUT = self.PAGE_CACHE_SECONDS
        # A Redis that hangs must not hold a page up for long: it is rendered instead.
        self.CACHE_OPTIONS = (
            {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if self.REDIS_URL else None
        )
        # Without Redis, the processes of one machine (gunicorn's workers) learn of each
        # other's changes through this file. Several machines need REDIS_URL.
        self.PAGE_CACHE_VERSION_FILE = environ.get("PAGE_CACHE_VERSION_FILE", "").strip() or str(
            instance_path / "public-pages.version"
        )

    def _configure_two_factor(self, environ: Mapping[str, str]) -> None:
        """Two-factor sign-in with an authenticator app, plus one-time recovery codes.

        Always available (anyone may turn it on for themselves); required for the roles in
        TWO_FACTOR_REQUIRED_ROLES when TWO_FACTOR_REQUIRED is on (see ``cms.accounts.two_factor``).
        """
        self.TWO_FACTOR_REQUIRED = _flag(
            environ, "TWO_FACTOR_REQUIRED", self.two_factor_required_by_default
        )
        self.TWO_FACTOR_REQUIRED_ROLES = _names(
            environ, "TWO_FACTOR_REQUIRED_ROLES", "admin,editor"
        )
        unknown = self.TWO_FACTOR_REQUIRED_ROLES - KNOWN_ROLES
        if unknown:
            raise ConfigError(
                f"TWO_FACTOR_REQUIRED_ROLES names no such role: {', '.join(sorted(unknown))} "
                f"(roles: {', '.join(sorted(KNOWN_ROLES))})"
            )
        self.SECURITY_TWO_FACTOR = True
        self.SECURITY_TWO_FACTOR_ENABLED_METHODS = ["authenticator"]
        # Mailing a code would make the mailbox a second factor, which it is not.
        self.SECURITY_TWO_FACTOR_RESCUE_EMAIL = False
        self.SECURITY_TOTP_ISSUER = self.SITE_NAME
        # Seconds either side of now in which a code is accepted: one 30-second step for a
        # phone's clock drift (Flask-Security's 120 would accept a code four minutes old).
        self.SECURITY_TWO_FACTOR_AUTHENTICATOR_VALIDITY = 30
        self.SECURITY_MULTI_FACTOR_RECOVERY_CODES = True
        # Security keys and passkeys (WebAuthn), only ever instead of the app's code: the
        # password always comes first, and re-authentication (/verify) asks for the password.
        self.SECURITY_WEBAUTHN = True
        self.SECURITY_WAN_ALLOW_AS_FIRST_FACTOR = False
        self.SECURITY_WAN_ALLOW_AS_MULTI_FACTOR = True
        self.SECURITY_WAN_ALLOW_AS_VERIFY = []
        self.SECURITY_WAN_RP_NAME = self.SITE_NAME
        # The keys that encrypt stored authenticator secrets and recovery codes. Derived from
        # SECURITY_PASSWORD_SALT, which a deployment already has and must never change (unlike
        # SECRET_KEY, which may be rotated): no new variable to set, nothing to lose on
        # rotation. TWO_FACTOR_SECRET, if set, encrypts from then on; what was stored before
        # stays readable through the derived key.
        from_salt = derived_key(self.SECURITY_PASSWORD_SALT, "two-factor")
        keys = [from_salt]
        explicit = environ.get("TWO_FACTOR_SECRET", "").strip()
        if explicit:
            keys.append(derived_key(explicit, "two-factor"))
        # passlib encrypts with the highest tag; Fernet with the first key of the list.
        self.SECURITY_TOTP_SECRETS = {
            str(tag): base64.b32encode(key).decode() for tag, key in enumerate(keys, start=1)
        }
        self.SECURITY_MULTI_FACTOR_RECOVERY_CODES_KEYS = [
            base64.urlsafe_b64encode(key) for key in reversed(keys)
        ]

    def fallback_secret(self, name: str) -> str:
        """A random value for a missing secret: sessions and reset links die with the process."""
        return secrets.token_urlsafe(32)

    def default_database_url(self, instance_path: Path) -> str:
        return f"sqlite:///{instance_path / 'cms.sqlite3'}"

    def default_mail_backend(self, environ: Mapping[str, str]) -> str:
        return "smtp"


class DevelopmentConfig(BaseConfig):
    """A developer's machine: SQLite in instance/, mail printed to the terminal, and the
    demo admin logs in with a password alone (TWO_FACTOR_REQUIRED=true to try two-factor)."""

    two_factor_required_by_default = False

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
    # The suite logs in as admins and editors all the time; two-factor tests switch it on.
    two_factor_required_by_default = False

    def __init__(self, environ: Mapping[str, str], instance_path: Path) -> None:
        super().__init__(environ, instance_path)
        self.SECURITY_PASSWORD_HASH_PASSLIB_OPTIONS = {"bcrypt__rounds": 4}
        # Sent within the request, so a test reads it at once; failures are still only logged.
        self.MAIL_SEND_IN_BACKGROUND = False
        # The suite's app lives through every test, whose rows are rolled back behind the
        # cache's back, and tests/performance pins what rendering a page costs: the cache's
        # own tests (tests/public/test_caching*.py) turn it on in apps of their own.
        self.PAGE_CACHE = False
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
        self._read_hsts(environ)

    def _read_hsts(self, environ: Mapping[str, str]) -> None:
        """Browsers keep to HTTPS for HSTS_SECONDS (a year unless set); only for a site
        served over HTTPS, and for its subdomains only when asked: they might not be."""
        if self.PREFERRED_URL_SCHEME != "https":
            if _integer(environ, "HSTS_SECONDS", 0):
                raise ConfigError("HSTS_SECONDS needs PREFERRED_URL_SCHEME=https")
            return
        self.HSTS_SECONDS = _integer(environ, "HSTS_SECONDS", 365 * 24 * 3600, minimum=0)
        self.HSTS_INCLUDE_SUBDOMAINS = _flag(environ, "HSTS_INCLUDE_SUBDOMAINS", False)

    def fallback_secret(self, name: str) -> str:
        # Never reached with a value in use: REQUIRED makes __init__ refuse first.
        return ""
