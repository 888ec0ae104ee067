"""Team roles on a PostgreSQL server: group roles, their grants, and who holds which.

Each Assay database on a cluster gets three group roles that cannot log in, named after the
database (``acme_assessor``, ``acme_reviewer``, ``acme_lead`` for the database ``acme``), so
several engagements on one cluster never share a role. A lead is a member of the reviewer
role, a reviewer of the assessor role; a person's login is made a member of exactly one.

What each role may do is enforced by the server, not only by Assay:

- every role reads every table; the schema version is read-only;
- an assessor adds and changes answers, evidence, notes, findings, inventory and review
  replies, and deletes only links and derived rows (a refresh of the gap findings replaces
  them); it cannot finalise an assessment, approve one, sign a report or delete a record;
- a reviewer may also write review comments and approve an assessment;
- a lead may also finalise, sign and delete;
- the journal takes new entries from every role and gives up none: no role may update,
  delete or truncate it, and a trigger refuses it even to the table's owner.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.storage.server_grants import (
    create_group_roles,
    current_database,
    grant_statements,
    quote,
    stale_revokes,
    table_names,
)
from app.storage.server_guards import RoleNames, guard_statements
from app.storage.server_refusals import ROLE_ATTRIBUTE

logger = logging.getLogger(__name__)

#: The team roles, from the least to the most trusted.
TEAM_ROLES: tuple[str, ...] = ("assessor", "reviewer", "lead")

_MAX_PREFIX = 40


class RoleError(ValueError):
    """A role or login name Assay cannot use; the message is one plain sentence."""


@dataclass(frozen=True)
class Member:
    """A login and the team role it holds on this database."""

    login: str
    role: str
    can_login: bool


def role_prefix(database: str) -> str:
    """Return the prefix of the team roles of a database: its name, made a plain identifier.

    A name with other characters than lower-case letters, digits and underscores, or a long
    one, gets a short digest of the real name so that two databases never share roles.
    """
    plain = re.sub(r"[^a-z0-9_]", "_", database.lower())[:_MAX_PREFIX]
    if plain != database or len(database) > _MAX_PREFIX:
        plain += "_" + hashlib.sha256(database.encode()).hexdigest()[:6]
    return plain


def role_name(database: str, role: str) -> str:
    """Return the group role of ``role`` (assessor, reviewer, lead) for a database."""
    if role not in TEAM_ROLES:
        raise RoleError(f"unknown role {role!r}: use one of {', '.join(TEAM_ROLES)}")
    return f"{role_prefix(database)}_{role}"


def _names(connection: sa.Connection) -> RoleNames:
    database = current_database(connection)
    quoted = [quote(connection, role_name(database, r)) for r in TEAM_ROLES]
    return RoleNames(*quoted)


def install_roles(connection: sa.Connection) -> None:
    """Create the team roles, their grants and the guards of a database; safe to repeat.

    Run it as the database's owner (or a superuser) after every schema migration, so new
    tables get their grants. It runs in the connection's transaction; the caller commits.
    """
    names = _names(connection)
    create_group_roles(connection, names)
    tables = table_names(connection)
    statements = stale_revokes(connection, names) + grant_statements(connection, names, tables)
    for statement in statements + guard_statements(names):
        # The driver reads "%" as a placeholder even without parameters: double it.
        connection.exec_driver_sql(statement.replace("%", "%%"))
    logger.info(
        "installed the team roles on %s (%d tables)", current_database(connection), len(tables)
    )


def grant_role(connection: sa.Connection, login: str, role: str) -> None:
    """Give a login one team role on this database (any other team role it had is taken).

    Raises:
        RoleError: Unknown role, unknown login, or the team roles are not installed.
    """
    target = role_name(current_database(connection), role)
    _require_login(connection, login)
    _require_installed(connection)
    revoke_role(connection, login)
    quoted = quote(connection, login)
    connection.exec_driver_sql(f"GRANT {quote(connection, target)} TO {quoted}")
    logger.info("gave %s the %s role", login, role)


def revoke_role(connection: sa.Connection, login: str) -> list[str]:
    """Take every team role of this database from a login; return the roles it had.

    Raises:
        RoleError: The login does not exist.
    """
    _require_login(connection, login)
    held = [m.role for m in list_members(connection) if m.login == login]
    database = current_database(connection)
    for role in held:
        connection.exec_driver_sql(
            f"REVOKE {quote(connection, role_name(database, role))} FROM {quote(connection, login)}"
        )
    logger.info("took %s from %s", ", ".join(held) or "no role", login)
    return held


def list_members(connection: sa.Connection) -> list[Member]:
    """Return every login (or role) that directly holds a team role of this database."""
    database = current_database(connection)
    by_name = {role_name(database, role): role for role in TEAM_ROLES}
    rows = connection.exec_driver_sql(
        "SELECT m.rolname, g.rolname, m.rolcanlogin FROM pg_auth_members a "
        "JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member "
        "WHERE g.rolname = ANY(%(groups)s) AND NOT (m.rolname = ANY(%(groups)s)) "
        "ORDER BY m.rolname",
        {"groups": list(by_name)},
    ).all()
    return [Member(str(login), by_name[str(group)], bool(can)) for login, group, can in rows]


_HELD = (
    "SELECT rolname FROM pg_roles WHERE rolname = ANY(%(names)s) "
    "AND pg_has_role(current_user, oid, 'MEMBER')"
)


def _highest(database: str, held: set[str]) -> str | None:
    for role in reversed(TEAM_ROLES):
        if role_name(database, role) in held:
            return role
    return None


def team_role(connection: sa.Connection) -> str | None:
    """Return the team role of the connected login (the highest it holds), or None."""
    database = current_database(connection)
    names = [role_name(database, role) for role in TEAM_ROLES]
    held = connection.exec_driver_sql(_HELD, {"names": names}).scalars()
    return _highest(database, {str(name) for name in held})


_ADMINISTERS = (
    "SELECT pg_has_role(current_user, (SELECT datdba FROM pg_database "
    "WHERE datname = current_database()), 'MEMBER')"
)


def login_role(engine: sa.Engine) -> str | None:
    """Return the team role the engine's login works with, or None when no role limits it.

    The database's owner (and a superuser) passes every guard, so it gets None, as does a
    login holding no team role (the server refuses what it may not do).
    """
    with engine.connect() as connection:
        if connection.exec_driver_sql(_ADMINISTERS).scalar():
            return None
        return team_role(connection)


def watch_roles(engine: sa.Engine) -> None:
    """Learn the team role of every connection the engine opens, so refusals can name it.

    The role is kept with the pooled connection and set on each error raised on it (as the
    attribute :data:`~app.storage.server_refusals.ROLE_ATTRIBUTE`).
    """
    sa.event.listen(engine, "connect", _learn_role)
    sa.event.listen(engine, "handle_error", _name_role)


def _name_role(context: sa.engine.ExceptionContext) -> None:
    connection = context.connection
    role = connection.info.get(ROLE_ATTRIBUTE) if connection is not None else None
    if role and context.sqlalchemy_exception is not None:
        setattr(context.sqlalchemy_exception, ROLE_ATTRIBUTE, role)


def _learn_role(dbapi_connection: Any, record: Any) -> None:
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT current_user, current_database()")
        database = cursor.fetchone()[1]
        cursor.execute(_HELD, {"names": [role_name(database, role) for role in TEAM_ROLES]})
        held = {str(row[0]) for row in cursor.fetchall()}
        cursor.close()
        dbapi_connection.rollback()
    except Exception as exc:  # a server without the roles, or a driver that differs
        logger.warning("could not learn the team role of a connection (%s)", type(exc).__name__)
        return
    record.info[ROLE_ATTRIBUTE] = _highest(str(database), held) or "none"


def create_login(connection: sa.Connection, login: str, verifier: str) -> None:
    """Create a login role with a password given as a SCRAM verifier (never the password).

    Raises:
        RoleError: A role of that name exists already.
    """
    if _role_exists(connection, login):
        raise RoleError(f"a login named {login} exists already on this server")
    literal = "'" + verifier.replace("'", "''") + "'"
    connection.exec_driver_sql(f"CREATE ROLE {quote(connection, login)} LOGIN PASSWORD {literal}")
    logger.info("created the login %s", login)


def _role_exists(connection: sa.Connection, name: str) -> bool:
    found = connection.exec_driver_sql(
        "SELECT 1 FROM pg_roles WHERE rolname = %(n)s", {"n": name}
    ).first()
    return found is not None


def _require_login(connection: sa.Connection, login: str) -> None:
    if not _role_exists(connection, login):
        raise RoleError(f"there is no login named {login} on this server")
    if login in {role_name(current_database(connection), r) for r in TEAM_ROLES}:
        raise RoleError(f"{login} is a team role, not a person's login")


def _require_installed(connection: sa.Connection) -> None:
    if not _role_exists(connection, role_name(current_database(connection), "lead")):
        raise RoleError(
            "the team roles are not installed on this database: run 'assay server init URL' first"
        )
