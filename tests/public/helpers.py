"""What the readers' pages' tests share besides fixtures (tests/public/conftest.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from cms.extensions import db
from tests.statements import recorded_statements

#: The frozen clock's "now" (the ``frozen_clock`` fixture), that ``publish`` counts back from.
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def statements_for(app, client, path: str, status: int = 200) -> list[str]:
    """The SQL statements a reader's request for ``path`` sends, from a cold session."""
    db.session.expire_all()
    with recorded_statements(app) as statements:
        response = client.get(path)
    assert response.status_code == status, path
    return statements
