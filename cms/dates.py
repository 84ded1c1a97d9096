"""How the CMS shows a moment: one function, used as the Jinja filter ``utc`` and, through
``utc_column``, by every admin list. Moments are stored and shown in UTC."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

_FORMATS = {
    "minute": "%Y-%m-%d %H:%M UTC",  # lists, flashes, the workflow panel
    "second": "%Y-%m-%d %H:%M:%S UTC",  # revisions, which can be seconds apart
}


def format_utc(value: datetime | None, style: str = "minute") -> str:
    """``value`` for people to read; ``style`` is "minute", "second" or "reader" (a date
    in words, for the public site). Nothing for no moment."""
    if value is None:
        return ""
    if style == "reader":
        return f"{value.day} {value:%B %Y}"  # no zero-padded day, on every platform
    return value.strftime(_FORMATS[style])


def utc_column(view, context, model, name: str) -> str:
    """A Flask-Admin column formatter for any moment column."""
    return format_utc(getattr(model, name))


def register(app: Flask) -> None:
    app.add_template_filter(format_utc, "utc")
