"""The public pages read outside a transaction on PostgreSQL.

A public page only reads: one or two statements. In a transaction, PostgreSQL makes each
request two round trips longer (the BEGIN, and the ROLLBACK that ends every request), and
psycopg forgets its prepared statements at each ROLLBACK, so every request parsed and
planned its statements again: planning took longer than running them. In autocommit each
statement is its own transaction (at READ COMMITTED it has its own snapshot in any case),
and psycopg prepares a statement from its fifth run on a connection (its
``prepare_threshold``). The connection goes back to the pool transactional again
(SQLAlchemy resets the isolation level on return).

Nothing on these pages may write: a write here would be committed at once, alone.

SQLite is left as it is: its driver's autocommit switch is the one ``configure_sqlite``
turns off for good (SQLAlchemy would set it back when the connection returns to the pool),
and a transaction costs it no round trip. A session bound to a connection rather than an
engine (the test suite's, joined to its outer transaction) reads in that transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection

from cms.extensions import db


def read_outside_a_transaction() -> None:
    """Take this request's connection in autocommit, on PostgreSQL (a ``before_request``)."""
    bind = db.engine  # a Connection when the test suite has pointed the app at one
    if bind.dialect.name != "postgresql" or isinstance(bind, Connection):
        return
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
