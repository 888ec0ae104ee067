"""The grants of the team roles on every table of an Assay database (see ``server_roles``).

Every statement can run again: privileges are revoked, then granted as they should be, so a
second run (after a schema migration added tables) ends in the same state.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from app.storage.server_guards import RoleNames

logger = logging.getLogger(__name__)

JOURNAL_TABLE = "journal_entry"
#: Tables the team roles only read: the schema version and the mark of an Assay database.
READ_ONLY_TABLES = frozenset({"alembic_version", "assay_workspace"})
#: Rows an assessor may delete: links, derived rows and the marks of work in progress.
ASSESSOR_DELETES = frozenset(
    {
        "response_evidence",
        "system_identity",
        "finding_evidence",
        "system_evidence",
        "finding_item",
        "workspace_setting",
        "finding",  # derived gap findings only: a trigger keeps hand-entered ones for the lead
    }
)
#: Tables only a reviewer (or lead) may add rows to.
REVIEWER_INSERTS = frozenset({"review_comment"})


def current_database(connection: sa.Connection) -> str:
    """Return the name of the connected database."""
    return str(connection.exec_driver_sql("SELECT current_database()").scalar_one())


def quote(connection: sa.Connection, name: str) -> str:
    """Return a name quoted as a SQL identifier when it needs quoting."""
    return str(connection.dialect.identifier_preparer.quote_identifier(name))


def create_group_roles(connection: sa.Connection, names: RoleNames) -> None:
    """Create the missing group roles and nest them (a lead is a reviewer, who is an assessor)."""
    existing = set(
        connection.exec_driver_sql(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(%(names)s)",
            {"names": [bare(n) for n in names.least_first()]},
        ).scalars()
    )
    for name in names.least_first():
        if bare(name) not in existing:
            connection.exec_driver_sql(f"CREATE ROLE {name} NOLOGIN")
    connection.exec_driver_sql(f"GRANT {names.assessor} TO {names.reviewer}")
    connection.exec_driver_sql(f"GRANT {names.reviewer} TO {names.lead}")


def stale_revokes(connection: sa.Connection, names: RoleNames) -> list[str]:
    """Return the revokes that take this database from another database's team roles.

    A database created as a copy of another (``CREATE DATABASE … TEMPLATE``) carries the
    grants of the original's team roles; they must not reach the copy.
    """
    ours = [bare(n) for n in names.least_first()]
    stale = connection.exec_driver_sql(
        "SELECT DISTINCT r.rolname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee "
        "WHERE n.nspname = current_schema() AND NOT r.rolcanlogin "
        "AND r.rolname ~ '_(assessor|reviewer|lead)$' AND NOT (r.rolname = ANY(%(ours)s))",
        {"ours": ours},
    ).scalars()
    schema = _schema(connection)
    statements = []
    for role in sorted(str(name) for name in stale):
        quoted = quote(connection, role)
        statements += [
            f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {quoted}",
            f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {quoted}",
            f"REVOKE ALL ON SCHEMA {schema} FROM {quoted}",
        ]
    return statements


def bare(quoted: str) -> str:
    """Return the role name a quoted identifier stands for."""
    return quoted[1:-1].replace('""', '"') if quoted.startswith('"') else quoted


def table_names(connection: sa.Connection) -> list[str]:
    """Return the tables of the current schema, by name."""
    rows = connection.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
    ).scalars()
    return [str(name) for name in rows]


def grant_statements(connection: sa.Connection, names: RoleNames, tables: list[str]) -> list[str]:
    """Return the statements that set the privileges of the team roles on every table."""
    database = quote(connection, current_database(connection))
    everyone = ", ".join(names.least_first())
    statements = [
        f"GRANT CONNECT ON DATABASE {database} TO {everyone}",
        f"GRANT USAGE ON SCHEMA {_schema(connection)} TO {everyone}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {_schema(connection)} TO {everyone}",
        # A lead copies a workspace onto the server; the copy moves the id sequences past the
        # copied ids (setval), which needs UPDATE on them.
        f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA {_schema(connection)} TO {names.lead}",
    ]
    for table in tables:
        quoted = quote(connection, table)
        statements.append(f"REVOKE ALL ON {quoted} FROM {everyone}")
        statements.append(f"GRANT SELECT ON {quoted} TO {names.assessor}")
        statements += _table_grants(quoted, table, names)
    return statements


def _table_grants(quoted: str, table: str, names: RoleNames) -> list[str]:
    if table in READ_ONLY_TABLES:
        return []
    if table == JOURNAL_TABLE:
        return [f"GRANT INSERT ON {quoted} TO {names.assessor}"]
    writer = names.reviewer if table in REVIEWER_INSERTS else names.assessor
    deleter = names.assessor if table in ASSESSOR_DELETES else names.lead
    return [
        f"GRANT INSERT ON {quoted} TO {writer}",
        f"GRANT UPDATE ON {quoted} TO {names.assessor}",
        f"GRANT DELETE ON {quoted} TO {deleter}",
    ]


def _schema(connection: sa.Connection) -> str:
    schema = str(connection.exec_driver_sql("SELECT current_schema()").scalar_one())
    return quote(connection, schema)
