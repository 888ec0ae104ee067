"""A running count of updates and deletions in the tables the identity rules read.

The identity findings refresh reads the whole inventory and runs every hygiene rule; on a
large workspace that takes seconds even when nothing changed. A refresh now remembers the
state it left (each table's row count and largest row id, which every insert moves, and this
count, which triggers move on every update and deletion, whoever writes) and skips the work
when the state, the day and the thresholds are the same. Inserts carry no trigger, so a bulk
import of a million rows pays nothing for it.

Revision ID: 0010_change_count
Revises: 0009_global_ids
Create Date: 2026-12-07
"""

from alembic import op

revision = "0010_change_count"
down_revision = "0009_global_ids"
branch_labels = None
depends_on = None

#: The tables whose changes can change an identity finding (and the findings themselves).
WATCHED = (
    "person",
    "ai_system",
    "identity",
    "resource",
    "access_grant",
    "delegation",
    "system_identity",
    "finding",
)
EVENTS = ("update", "delete")


def upgrade() -> None:
    op.execute(
        "CREATE TABLE change_count (id INTEGER NOT NULL PRIMARY KEY, changes INTEGER NOT NULL)"
    )
    op.execute("INSERT INTO change_count (id, changes) VALUES (1, 0)")
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_server()
        return
    for table in WATCHED:
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER change_count_{table}_{event} AFTER {event.upper()} ON {table} "
                "BEGIN UPDATE change_count SET changes = changes + 1 WHERE id = 1; END"
            )


def _upgrade_server() -> None:
    """The same count on PostgreSQL: one trigger function, one statement trigger per table."""
    op.execute(
        "CREATE FUNCTION change_count_bump() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN UPDATE change_count SET changes = changes + 1 WHERE id = 1; RETURN NULL; END $$"
    )
    for table in WATCHED:
        op.execute(
            f"CREATE TRIGGER change_count_{table} AFTER UPDATE OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION change_count_bump()"
        )


def downgrade() -> None:
    server = op.get_bind().dialect.name == "postgresql"
    for table in WATCHED:
        if server:
            op.execute(f"DROP TRIGGER IF EXISTS change_count_{table} ON {table}")
            continue
        for event in EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS change_count_{table}_{event}")
    if server:
        op.execute("DROP FUNCTION IF EXISTS change_count_bump()")
    op.execute("DROP TABLE change_count")
