"""The one source of "now" for the application.

Everything that compares against the current time (what is published, when a link expires)
asks ``utcnow()``, so tests can move time by replacing this single function.
"""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)
