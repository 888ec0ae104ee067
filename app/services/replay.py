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

from app.services.assessment_records import RESPONSE_FIELDS
from app.services.unit import reads
from app.storage.journal import jsonable
from app.storage.repositories.integrity import IntegrityRepository
from app.storage.repositories.journal import JournalRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Kind:
    label: str
    fields: tuple[str, ...]
    load: Callable[[IntegrityRepository, str], Any]
    must_exist: bool = True  # False where a parent's deletion removes rows by cascade


def _by_id(entity: str) -> Callable[[IntegrityRepository, str], Any]:
    def load(rows: IntegrityRepository, entity_id: str) -> Any:
        return rows.row(entity, int(entity_id)) if entity_id.isdigit() else None

    return load


def _response(rows: IntegrityRepository, entity_id: str) -> Any:
    assessment, _, question = entity_id.partition(":")
    if not assessment.isdigit():
        return None
    return rows.response(int(assessment), question)


_KINDS = {
    "response": _Kind("answer", RESPONSE_FIELDS, _response, must_exist=False),
    "assessment": _Kind("assessment", ("status", "title", "target_level"), _by_id("assessment")),
    "evidence": _Kind(
        "evidence", ("file_name", "sha256", "size", "media_type"), _by_id("evidence")
    ),
    "finding": _Kind("finding", ("owner", "due_date"), _by_id("finding"), must_exist=False),
}


@reads
def replay_problems(uow: UnitOfWork) -> tuple[int, list[str]]:
    """Return how many records were compared and one sentence per record that differs."""
    expected: dict[tuple[str, str], dict[str, Any] | None] = {}
    for entity, entity_id, before, after, action in uow.repository(JournalRepository).entries_about(
        _KINDS
    ):
        key = (entity, entity_id)
        if action == _UPGRADE:  # the upgrade moved, merged or dropped its answers in bulk
            _forget_answers(expected, entity_id)
        if after is None and isinstance(before, dict):
            expected[key] = None  # deleted
        elif isinstance(after, dict):
            fields = {k: v for k, v in after.items() if k in _KINDS[entity].fields}
            expected[key] = (expected.get(key) or {}) | fields
    rows = uow.repository(IntegrityRepository)
    problems = [p for key, values in expected.items() if (p := _compare(rows, key, values))]
    return len(expected), problems + _unjournalled(rows, expected)


#: Records every Assay creates with a journal entry of their own (never in bulk).
_CREATED_ONE_BY_ONE = ("evidence", "assessment")


def _unjournalled(rows: IntegrityRepository, expected: dict[tuple[str, str], Any]) -> list[str]:
    """Return one sentence per evidence record or assessment no journal entry ever named."""
    return [
        f"{_KINDS[entity].label} {row_id} has no journal entry (added outside Assay)"
        for entity in _CREATED_ONE_BY_ONE
        for row_id in rows.ids(entity)
        if (entity, str(row_id)) not in expected
    ]


_UPGRADE = "assessment.upgrade"


def _forget_answers(expected: dict[tuple[str, str], Any], assessment_id: str) -> None:
    prefix = f"{assessment_id}:"
    for key in [k for k in expected if k[0] == "response" and k[1].startswith(prefix)]:
        del expected[key]


def _parent_gone(rows: IntegrityRepository, entity: str, entity_id: str) -> bool:
    """Return True when a missing row went with its parent (an answer with its assessment)."""
    if entity != "response":
        return True
    assessment = entity_id.partition(":")[0]
    return not assessment.isdigit() or rows.assessment(int(assessment)) is None


def _compare(rows: IntegrityRepository, key: tuple[str, str], values: dict[str, Any] | None) -> str:
    entity, entity_id = key
    kind = _KINDS[entity]
    row = kind.load(rows, entity_id)
    if values is None:
        return f"{kind.label} {entity_id} was deleted but is present" if row is not None else ""
    if row is None:
        if not kind.must_exist and _parent_gone(rows, entity, entity_id):
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
