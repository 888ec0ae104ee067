"""Compare the rows with what the journal says it last wrote to them.

Every change made through a service journals the values it wrote. Folding the ``after`` values
of the entries of one record, in order, gives the value each journalled field should hold now;
a row edited behind the app's back (or a record deleted without a journal entry) differs.

Only fields that no bulk operation writes without a per-row entry are compared, so a clean
workspace never shows a difference:

- answers: every answer field, and their existence while their assessment exists (a framework
  upgrade rewrites an assessment's answers in bulk, so replay starts afresh after one);
- assessments: status, title and target level;
- evidence: file name, hash, size and media type (and the record's existence);
- evidence records and assessments that no journal entry names at all (inserted in SQL);
- findings: owner and due date (the refreshes rewrite the others in bulk).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.services.assessment_records import RESPONSE_FIELDS
from app.storage.journal import jsonable
from app.storage.models import Assessment, Evidence, Finding, JournalEntry, Response

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Kind:
    label: str
    fields: tuple[str, ...]
    load: Callable[[Session, str], Any]
    must_exist: bool = True  # False where a parent's deletion removes rows by cascade


def _by_id(model: type) -> Callable[[Session, str], Any]:
    def load(session: Session, entity_id: str) -> Any:
        return session.get(model, int(entity_id)) if entity_id.isdigit() else None

    return load


def _response(session: Session, entity_id: str) -> Response | None:
    assessment, _, question = entity_id.partition(":")
    if not assessment.isdigit():
        return None
    return session.execute(
        sa.select(Response).where(
            Response.assessment_id == int(assessment), Response.question_id == question
        )
    ).scalar_one_or_none()


_KINDS = {
    "response": _Kind("answer", RESPONSE_FIELDS, _response, must_exist=False),
    "assessment": _Kind("assessment", ("status", "title", "target_level"), _by_id(Assessment)),
    "evidence": _Kind("evidence", ("file_name", "sha256", "size", "media_type"), _by_id(Evidence)),
    "finding": _Kind("finding", ("owner", "due_date"), _by_id(Finding), must_exist=False),
}


def replay_problems(session: Session) -> tuple[int, list[str]]:
    """Return how many records were compared and one sentence per record that differs."""
    expected: dict[tuple[str, str], dict[str, Any] | None] = {}
    entries = session.execute(
        sa.select(JournalEntry.entity, JournalEntry.entity_id, JournalEntry.before,
                  JournalEntry.after, JournalEntry.action)
        .where(JournalEntry.entity.in_(list(_KINDS)))
        .order_by(JournalEntry.seq)
    )  # fmt: skip
    for entity, entity_id, before, after, action in entries:
        key = (entity, entity_id)
        if action == _UPGRADE:  # the upgrade moved, merged or dropped its answers in bulk
            _forget_answers(expected, entity_id)
        if after is None and isinstance(before, dict):
            expected[key] = None  # deleted
        elif isinstance(after, dict):
            fields = {k: v for k, v in after.items() if k in _KINDS[entity].fields}
            expected[key] = (expected.get(key) or {}) | fields
    problems = [p for key, values in expected.items() if (p := _compare(session, key, values))]
    return len(expected), problems + _unjournalled(session, expected)


#: Records every Assay creates with a journal entry of their own (never in bulk).
_CREATED_ONE_BY_ONE = {"evidence": Evidence, "assessment": Assessment}


def _unjournalled(session: Session, expected: dict[tuple[str, str], Any]) -> list[str]:
    """Return one sentence per evidence record or assessment no journal entry ever named."""
    problems = []
    for entity, model in _CREATED_ONE_BY_ONE.items():
        for row_id in session.execute(sa.select(model.id).order_by(model.id)).scalars():
            if (entity, str(row_id)) not in expected:
                problems.append(
                    f"{_KINDS[entity].label} {row_id} has no journal entry (added outside Assay)"
                )
    return problems


_UPGRADE = "assessment.upgrade"


def _forget_answers(expected: dict[tuple[str, str], Any], assessment_id: str) -> None:
    prefix = f"{assessment_id}:"
    for key in [k for k in expected if k[0] == "response" and k[1].startswith(prefix)]:
        del expected[key]


def _parent_gone(session: Session, entity: str, entity_id: str) -> bool:
    """Return True when a missing row went with its parent (an answer with its assessment)."""
    if entity != "response":
        return True
    assessment = entity_id.partition(":")[0]
    return not assessment.isdigit() or session.get(Assessment, int(assessment)) is None


def _compare(session: Session, key: tuple[str, str], values: dict[str, Any] | None) -> str:
    entity, entity_id = key
    kind = _KINDS[entity]
    row = kind.load(session, entity_id)
    if values is None:
        return f"{kind.label} {entity_id} was deleted but is present" if row is not None else ""
    if row is None:
        if not kind.must_exist and _parent_gone(session, entity, entity_id):
            return ""
        return f"{kind.label} {entity_id} is missing although the journal never deleted it"
    changed = [name for name, value in values.items() if jsonable(getattr(row, name)) != value]
    if not changed:
        return ""
    verb = "differs" if len(changed) == 1 else "differ"
    return (
        f"{kind.label} {entity_id}: {', '.join(sorted(changed))} {verb} from what the journal "
        "last wrote (changed outside Assay)"
    )
