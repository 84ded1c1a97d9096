"""Refuse TRUNCATE of the audit log on PostgreSQL.

The row triggers refuse UPDATE and DELETE, but TRUNCATE fires no row trigger, so it
emptied the log. A statement-level BEFORE TRUNCATE trigger refuses it. SQLite has no
TRUNCATE: its "DELETE FROM audit_log" is refused by the DELETE trigger already.

Revision ID: e5a1c7d93f20
Revises: db3cac9abf93
Create Date: 2026-12-03 04:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5a1c7d93f20'
down_revision = 'db3cac9abf93'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The function the row triggers use raises for any trigger, statement-level too.
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
