"""Revisions keep who saved them.

post_revisions.created_by_id is SET NULL when the account is deleted, and the revision
list then showed no one. The email now goes with the revision. Existing rows get their
account's email; rows whose account is already gone get the actor of the audit entry the
same save wrote (the closest post.create, post.edit or post.revision_restore of that post
within a few seconds), since the audit log keeps actor_email.

Revision ID: db3cac9abf93
Revises: c3f9a1d27e58
Create Date: 2026-12-03 04:30:00.000000

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'db3cac9abf93'
down_revision = 'c3f9a1d27e58'
branch_labels = None
depends_on = None

# A save writes its revision and its audit entry in one flush: far apart means another save.
SAME_SAVE = timedelta(seconds=5)


def upgrade():
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_email", sa.String(length=255), nullable=True))
    op.execute(
        "UPDATE post_revisions SET created_by_email = "
        "(SELECT email FROM users WHERE users.id = post_revisions.created_by_id) "
        "WHERE created_by_id IS NOT NULL"
    )
    _from_the_audit_log(op.get_bind())


# Typed, so SQLite's text timestamps come back as datetimes.
revisions = sa.table(
    "post_revisions",
    sa.column("id", sa.Integer()),
    sa.column("post_id", sa.Integer()),
    sa.column("created_at", sa.DateTime()),
    sa.column("created_by_email", sa.String()),
)
audit_log = sa.table(
    "audit_log",
    sa.column("at", sa.DateTime()),
    sa.column("actor_email", sa.String()),
    sa.column("action", sa.String()),
    sa.column("target_type", sa.String()),
    sa.column("target_id", sa.Integer()),
)


def _from_the_audit_log(connection):
    orphans = connection.execute(
        sa.select(revisions.c.id, revisions.c.post_id, revisions.c.created_at).where(
            revisions.c.created_by_email.is_(None)
        )
    ).all()
    for revision_id, post_id, created_at in orphans:
        entries = connection.execute(
            sa.select(audit_log.c.actor_email, audit_log.c.at).where(
                audit_log.c.target_type == "post",
                audit_log.c.target_id == post_id,
                audit_log.c.actor_email.is_not(None),
                audit_log.c.action.in_(("post.create", "post.edit", "post.revision_restore")),
                audit_log.c.at.between(created_at - SAME_SAVE, created_at + SAME_SAVE),
            )
        ).all()
        if entries:
            email = min(entries, key=lambda entry: abs(entry.at - created_at)).actor_email
            connection.execute(
                revisions.update()
                .where(revisions.c.id == revision_id)
                .values(created_by_email=email)
            )


def downgrade():
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_column("created_by_email")
