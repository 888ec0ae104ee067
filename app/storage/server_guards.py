"""The SQL of the guards a team server runs: rules a table grant alone cannot express.

A grant says who may change a table; it cannot say "only a lead may set this status to
final". These trigger functions check the changed values and the login's team role, and
refuse with a sentence the user can read (SQLSTATE 42501, the code of every privilege
refusal). The journal's guard refuses any update, delete or truncate, even by the owner.

Every function is created with ``CREATE OR REPLACE`` and every trigger is dropped before it
is created, so installing twice changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

#: The first words of every refusal a guard raises (the error sentences key on them).
REFUSAL_PREFIX = "your role on this server"


@dataclass(frozen=True)
class RoleNames:
    """The three group roles of one Assay database, as SQL identifiers (already quoted)."""

    assessor: str
    reviewer: str
    lead: str

    def least_first(self) -> tuple[str, str, str]:
        """Return the three roles from the least to the most trusted."""
        return (self.assessor, self.reviewer, self.lead)


def _literal(identifier: str) -> str:
    """Return a quoted identifier as a SQL string literal of the bare role name."""
    bare = identifier[1:-1].replace('""', '"') if identifier.startswith('"') else identifier
    return "'" + bare.replace("'", "''") + "'"


def _helpers(names: RoleNames) -> list[str]:
    lead, reviewer, assessor = (_literal(n) for n in (names.lead, names.reviewer, names.assessor))
    admin = (
        "pg_has_role(current_user, (SELECT datdba FROM pg_database "
        "WHERE datname = current_database()), 'MEMBER')"
    )
    return [
        f"""CREATE OR REPLACE FUNCTION assay_team_role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN pg_has_role(current_user, {lead}, 'MEMBER') THEN 'lead'
    WHEN pg_has_role(current_user, {reviewer}, 'MEMBER') THEN 'reviewer'
    WHEN pg_has_role(current_user, {assessor}, 'MEMBER') THEN 'assessor'
    ELSE 'none' END
$$""",
        f"""CREATE OR REPLACE FUNCTION assay_may(wanted text) RETURNS boolean LANGUAGE sql
STABLE AS $$
  SELECT {admin} OR CASE wanted
    WHEN 'lead' THEN pg_has_role(current_user, {lead}, 'MEMBER')
    WHEN 'reviewer' THEN pg_has_role(current_user, {reviewer}, 'MEMBER')
    ELSE false END
$$""",
        f"""CREATE OR REPLACE FUNCTION assay_refuse(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{REFUSAL_PREFIX} (%) cannot %', assay_team_role(), what
    USING ERRCODE = '42501', HINT = 'ask the engagement lead to do it or to change your role';
END
$$""",
    ]


_GUARDS: tuple[tuple[str, str, str, str], ...] = (
    (
        "assay_guard_assessment",
        "assessment",
        "BEFORE INSERT OR UPDATE",
        """
  IF NEW.status = 'final' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'final')
     AND NOT assay_may('lead') THEN
    PERFORM assay_refuse('finalise an assessment');
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.status = 'final' AND NOT assay_may('lead') THEN
    PERFORM assay_refuse('change a final assessment');
  END IF;
  RETURN NEW;""",
    ),
    (
        "assay_guard_approval",
        "assessment_opinion",
        "BEFORE INSERT OR UPDATE",
        """
  IF (CASE WHEN TG_OP = 'INSERT' THEN coalesce(NEW.approved_by, '') <> ''
             OR NEW.approved_at IS NOT NULL
           ELSE NEW.approved_by IS DISTINCT FROM OLD.approved_by
             OR NEW.approved_at IS DISTINCT FROM OLD.approved_at END)
     AND NOT assay_may('reviewer') THEN
    PERFORM assay_refuse('approve an assessment');
  END IF;
  RETURN NEW;""",
    ),
    (
        "assay_guard_signature",
        "journal_entry",
        "BEFORE INSERT",
        """
  IF NEW.action LIKE 'report.%' AND coalesce(NEW.after::jsonb ->> 'signed_by', '') <> ''
     AND NOT assay_may('lead') THEN
    PERFORM assay_refuse('sign a report');
  END IF;
  RETURN NEW;""",
    ),
    (
        "assay_guard_finding_delete",
        "finding",
        "BEFORE DELETE",
        """
  IF OLD.source = 'manual' AND NOT assay_may('lead') THEN
    PERFORM assay_refuse('delete a finding entered by hand');
  END IF;
  RETURN OLD;""",
    ),
)

_JOURNAL_GUARD = """CREATE OR REPLACE FUNCTION assay_journal_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the journal is append-only: its entries cannot be changed or deleted'
    USING ERRCODE = '42501';
END
$$"""


#: Every trigger the guards install, as ``(trigger, table)``: Assay's own on a team server.
GUARD_TRIGGERS: frozenset[tuple[str, str]] = frozenset(
    {(function, table) for function, table, _timing, _body in _GUARDS}
    | {
        ("assay_journal_append_only", "journal_entry"),
        ("assay_journal_no_truncate", "journal_entry"),
    }
)


def guard_statements(names: RoleNames) -> list[str]:
    """Return the statements that create (or replace) every guard function and trigger."""
    statements = _helpers(names)
    for function, table, timing, body in _GUARDS:
        statements.append(
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"BEGIN{body}\nEND\n$$"
        )
        statements += _trigger(function, table, f"{timing} ON {table} FOR EACH ROW")
    statements.append(_JOURNAL_GUARD)
    statements += _trigger(
        "assay_journal_append_only", "journal_entry", "BEFORE DELETE OR UPDATE ON journal_entry "
        "FOR EACH ROW"
    )  # fmt: skip
    statements += _trigger(
        "assay_journal_no_truncate", "journal_entry", "BEFORE TRUNCATE ON journal_entry "
        "FOR EACH STATEMENT", function="assay_journal_append_only"
    )  # fmt: skip
    return statements


def _trigger(name: str, table: str, when: str, *, function: str | None = None) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION {function or name}()",
    ]
