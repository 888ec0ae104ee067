"""One sentence for an action the team server refused because of the user's role.

Two kinds of refusal reach Assay: a guard's own (it already reads "your role on this server
(assessor) cannot finalise an assessment") and the server's "permission denied for table …"
when a grant is missing. The second names neither the action nor the role: the action comes
from the statement's first word and the table, the role from what was learnt when the
connection was opened (``server_roles.watch_roles``). No value of any row is ever used.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from app.storage.server_guards import REFUSAL_PREFIX

logger = logging.getLogger(__name__)

INSUFFICIENT_PRIVILEGE = "42501"

_DENIED = re.compile(r"permission denied for (?:table|relation|sequence) (\S+)")

#: What a table holds, as the object of "cannot delete …".
_NOUNS = {
    "ai_system": "AI systems",
    "identity": "identities",
    "resource": "resources",
    "access_grant": "access grants",
    "delegation": "delegations",
    "person": "people",
    "engagement": "the engagement",
    "assessment": "assessments",
    "response": "answers",
    "evidence": "evidence",
    "evidence_blob": "evidence",
    "evidence_request": "evidence requests",
    "finding": "findings",
    "review_comment": "review comments",
    "assessment_opinion": "opinions",
    "framework_version": "framework versions",
    "import_run": "import records",
    "journal_entry": "journal entries",
    "alembic_version": "the schema version",
    "assay_workspace": "the workspace mark",
}
_VERBS = {
    "DELETE": "delete",
    "UPDATE": "change",
    "INSERT": "add",
    "TRUNCATE": "delete",
    "SELECT": "read",
}

#: The attribute a watched engine sets on its errors: the team role of the failed connection.
ROLE_ATTRIBUTE = "assay_team_role"


def is_privilege_error(exc: BaseException) -> bool:
    """Return True when the server refused anything for lack of privilege (SQLSTATE 42501)."""
    return _sqlstate(_original(exc)) == INSUFFICIENT_PRIVILEGE


def is_refusal(exc: BaseException) -> bool:
    """Return True when the server refused an action to the user's known team role.

    A refusal to a login with no team role (or on a connection whose role is unknown) is
    not one: the server's plain "permission denied" sentence tells it better.
    """
    if not is_privilege_error(exc):
        return False
    return _from_guard(_primary(_original(exc))) or bool(_role(exc))


def _from_guard(message: str) -> bool:
    return message.startswith(REFUSAL_PREFIX) or message.startswith("the journal is")


def _role(exc: BaseException) -> str:
    role = str(getattr(exc, ROLE_ATTRIBUTE, None) or "")
    return "" if role == "none" else role


def refusal_sentence(exc: BaseException) -> str:
    """Return the one sentence telling the user which action their role may not take."""
    original = _original(exc)
    message = _primary(original)
    if _from_guard(message):
        return message
    found = _DENIED.search(message)
    table = found.group(1).strip('"') if found else ""
    return f"{REFUSAL_PREFIX} ({_role(exc)}) cannot {_action(exc, table)}"


def _action(exc: BaseException, table: str) -> str:
    statement = str(getattr(exc, "statement", "") or "").lstrip()
    verb = _VERBS.get(statement.split(" ", 1)[0].upper(), "change")
    if table == "review_comment" and verb == "add":
        return "write a review comment"
    if table == "journal_entry" and verb != "add":
        return f"{verb} the journal's entries: the journal is append-only"
    return f"{verb} {_NOUNS.get(table, table.replace('_', ' ') or 'this')}"


def _original(exc: BaseException) -> Any:
    return getattr(exc, "orig", None) or exc


def _sqlstate(original: Any) -> str:
    return str(getattr(original, "sqlstate", "") or "")


def _primary(original: Any) -> str:
    diag = getattr(original, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return str(primary) if primary else ""
