"""A place in an admin list, as the page links carry it: the sort key ``(column, id)`` of a
row, in a URL-safe token. A token comes back from the browser, so anything can be in it:
``Cursor.from_token`` answers 400 to whatever is not a value the sorted column could hold
(and could bind without a database error)."""

from __future__ import annotations

import base64
import binascii
import enum
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import abort
from sqlalchemy import TypeDecorator

from cms.database import MAX_ID

_LONGEST_VALUE = 1000  # longer than any sortable column holds


@dataclass(frozen=True)
class SortKey:
    """What a list is ordered by: one column, then the row's id, in one direction."""

    name: str  # the sort's name, carried in cursors: a column's, or "default"
    column: object  # the model attribute (or a related model's, with ``path`` to join)
    path: tuple
    descending: bool

    @property
    def table_columns(self) -> list:
        """The table columns behind ``column``: Flask-Admin gives a model attribute for a
        column it was told is sortable, the table's ``Column`` when it found the sortable
        columns itself."""
        mapped = getattr(self.column, "property", None)
        return list(mapped.columns) if mapped is not None else [self.column]

    @property
    def nullable(self) -> bool:
        return any(column.nullable for column in self.table_columns)

    @property
    def python_type(self) -> type:
        column_type = self.table_columns[0].type
        if isinstance(column_type, TypeDecorator):  # UTCDateTime: what it stores, a datetime
            column_type = column_type.impl_instance
        return column_type.python_type


@dataclass(frozen=True)
class Cursor:
    name: str
    value: object
    id: int

    def token(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        if isinstance(value, enum.Enum):
            value = value.value
        raw = json.dumps([self.name, value, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def from_token(cls, token: str, key: SortKey) -> Cursor:
        """The cursor ``token`` names in the order of ``key``; 400 when it cannot be one
        (mangled, made for another sort, or a value the column cannot hold)."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            name, value, row_id = json.loads(raw)
        # RecursionError: brackets nested deeper than the parser goes ("[[[[…").
        except (binascii.Error, UnicodeDecodeError, ValueError, TypeError, RecursionError):
            abort(400, description="This page's address is damaged: start from the first page.")
        if name != key.name or type(row_id) is not int or not 1 <= row_id <= MAX_ID:
            abort(400, description="This page's address does not fit this list's order.")
        return cls(name, _column_value(value, key), row_id)


def _column_value(value, key: SortKey):
    if value is None and key.nullable:
        return None
    wanted = key.python_type
    try:
        if issubclass(wanted, datetime) and isinstance(value, str):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                # In UTC, as the column keeps it: year 1 or 9999 given in another zone
                # can fall outside the years a datetime holds (OverflowError).
                return moment.astimezone(UTC)
        elif issubclass(wanted, enum.Enum | str) and isinstance(value, str):
            if len(value) <= _LONGEST_VALUE and _storable(value):
                return wanted(value)
        elif issubclass(wanted, int) and type(value) is int and abs(value) <= MAX_ID:
            return value
    except (ValueError, OverflowError):
        pass
    abort(400, description="This page's address does not fit this list's order.")


def _storable(text: str) -> bool:
    """Whether a column can hold ``text``: UTF-8 has no lone surrogates, and no stored text
    has a NUL (``cms.request_checks`` refuses it; PostgreSQL raises on one)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
