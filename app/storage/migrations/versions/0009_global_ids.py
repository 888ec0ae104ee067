"""A global id (``gid``) on every record that can travel between workspaces.

Hand-out packages carry records from the lead's workspace to an assessor's and back; the same
record must be recognised on both sides although its numeric id differs. Each table gains a
text column holding a random UUID: existing rows get one each here, new rows get one from the
column's default. The tables are rebuilt because SQLite cannot add a column whose default is an
expression.

Revision ID: 0009_global_ids
Revises: 0008_voice_review
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_global_ids"
down_revision = "0008_voice_review"
branch_labels = None
depends_on = None

#: The same expression as ``app.storage.models.GID_SQL`` (a migration keeps its own copy).
GID_SQL = (
    "lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || "
    "substr(lower(hex(randomblob(2))), 2) || '-' || "
    "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) || "
    "'-' || lower(hex(randomblob(6)))"
)

TABLES = (
    "engagement",
    "person",
    "ai_system",
    "identity",
    "resource",
    "access_grant",
    "delegation",
    "assessment",
    "response",
    "evidence",
    "finding",
    "assessment_opinion",
    "evidence_request",
    "review_comment",
)


#: PostgreSQL's own random UUID as text: the same form as ``GID_SQL`` gives on a file.
GID_SERVER_SQL = "gen_random_uuid()::text"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        _upgrade_server()
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate="always") as batch:
            batch.add_column(
                sa.Column(
                    "gid", sa.String(), nullable=False, server_default=sa.text(f"({GID_SQL})")
                )
            )
        op.create_index(f"ix_{table}_gid", table, ["gid"], unique=True)


def _upgrade_server() -> None:
    """Add the column in place: a server fills each row's default from a volatile expression."""
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("gid", sa.String(), nullable=False, server_default=sa.text(GID_SERVER_SQL)),
        )
        op.create_index(f"ix_{table}_gid", table, ["gid"], unique=True)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_index(f"ix_{table}_gid", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("gid")
