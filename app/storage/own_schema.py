"""The triggers and functions Assay itself puts into a workspace, exactly as it writes them.

``assay check`` names every other trigger (and every view) as added outside Assay, because a
trigger runs inside Assay's own writes and could change rows behind them. Assay's own are
known by name *and* definition: one with a known name but another body is reported as changed.
Migration 0010 creates them (a test keeps its text and this module in step).
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

#: The tables whose updates and deletions migration 0010 counts in ``change_count``.
COUNTED_TABLES = (
    "person",
    "ai_system",
    "identity",
    "resource",
    "access_grant",
    "delegation",
    "system_identity",
    "finding",
)
_COUNT_UP = "UPDATE change_count SET changes = changes + 1 WHERE id = 1;"


def file_triggers() -> dict[str, str]:
    """Return Assay's triggers in a workspace file: name → SQL as SQLite keeps it."""
    return {
        f"change_count_{table}_{event}": (
            f"CREATE TRIGGER change_count_{table}_{event} AFTER {event.upper()} ON {table} "
            f"BEGIN {_COUNT_UP} END"
        )
        for table in COUNTED_TABLES
        for event in ("update", "delete")
    }


def server_triggers() -> dict[str, str]:
    """Return Assay's triggers on a server: name → definition as PostgreSQL prints it.

    PostgreSQL qualifies the table with its schema; callers remove that prefix first.
    """
    return {
        f"change_count_{table}": (
            f"CREATE TRIGGER change_count_{table} AFTER DELETE OR UPDATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION change_count_bump()"
        )
        for table in COUNTED_TABLES
    }


def server_functions() -> dict[str, str]:
    """Return the bodies of Assay's trigger functions on a server: name → source."""
    return {"change_count_bump": f"BEGIN {_COUNT_UP} RETURN NULL; END"}


def normalise(definition: str) -> str:
    """Return a definition with its spacing made uniform (for comparison only)."""
    return " ".join(definition.split())


#: A role named in a guard function's body, as a SQL literal: compared without the name.
_ROLE_LITERAL = re.compile(r"'[^']*_(lead|reviewer|assessor)'")
_FUNCTION = re.compile(r"CREATE OR REPLACE FUNCTION (\w+)\(.*?\$\$(.*)\$\$", re.S)
_TRIGGER = re.compile(r"CREATE TRIGGER (\w+) ")


def server_guards() -> tuple[dict[str, str], dict[str, str]]:
    """Return the team-role guards of a server: (trigger name → definition, function → source).

    The guard functions name the database's team roles; they are compared with the role names
    left out (:func:`without_role_names`), so a copy of a database made from a template still
    matches.
    """
    from app.storage.server_guards import RoleNames, guard_statements

    triggers: dict[str, str] = {}
    functions: dict[str, str] = {}
    names = RoleNames('"x_assessor"', '"x_reviewer"', '"x_lead"')
    for statement in guard_statements(names):
        if (function := _FUNCTION.match(statement)) is not None:
            functions[function.group(1)] = without_role_names(function.group(2))
        elif (trigger := _TRIGGER.match(statement)) is not None:
            triggers[trigger.group(1)] = statement
    return triggers, functions


def without_role_names(source: str) -> str:
    """Return a function's source with the team roles it names replaced by their kind."""
    return _ROLE_LITERAL.sub(lambda match: f"'<{match.group(1)}>'", source)
