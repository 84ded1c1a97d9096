"""Small display helpers shared by the admin views."""

from __future__ import annotations

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Neutralise CSV formula injection: a title like ``=HYPERLINK(...)`` stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


class PerRequestOptions:
    """Filter choices computed each time the list renders, for the user looking at it.

    Flask-Admin collects filter options once at start-up but iterates them on every
    render, so an iterable that queries lazily gives per-user choices.
    """

    def __init__(self, load) -> None:
        self._load = load

    def __bool__(self) -> bool:
        return True

    def __iter__(self):
        return iter(self._load())
