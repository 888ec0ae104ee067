"""The seal of a final assessment: a SHA-256 over its answers, recorded in the journal.

Finalising computes the seal inside the finalising transaction and writes it into the
``assessment.final`` journal entry, which the hash chain then protects. ``assay check``
computes the seal again for every final assessment; an answer, an evidence link or a scope
edited behind the app's back no longer matches.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from app.services.assessment_records import RESPONSE_FIELDS
from app.services.unit import reads
from app.storage.journal import jsonable
from app.storage.models import JournalEntry, Response
from app.storage.repositories.integrity import IntegrityRepository
from app.storage.repositories.journal import JournalRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

FINAL_ACTION = "assessment.final"
_SEALED_ASSESSMENT_FIELDS = ("id", "system_id", "frameworks", "scope", "target_level")


@reads
def assessment_seal(uow: UnitOfWork, assessment_id: int) -> str:
    """Return the SHA-256 over what a final assessment states (answers, evidence, scope)."""
    rows = uow.repository(IntegrityRepository)
    row = rows.assessment(assessment_id)
    if row is None:
        return ""
    content = {
        "assessment": {name: getattr(row, name) for name in _SEALED_ASSESSMENT_FIELDS},
        "responses": _responses(rows, assessment_id),
    }
    text = json.dumps(jsonable(content), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _responses(rows: IntegrityRepository, assessment_id: int) -> list[dict[str, Any]]:
    links = rows.evidence_hashes(assessment_id)
    return [_sealed(r, links) for r in rows.responses(assessment_id)]


def _sealed(row: Response, links: dict[int, list[str]]) -> dict[str, Any]:
    return {"question_id": row.question_id, "evidence": sorted(links.get(row.id or 0, []))} | {
        name: getattr(row, name) for name in RESPONSE_FIELDS
    }


@reads
def seal_problems(uow: UnitOfWork) -> tuple[list[str], list[str]]:
    """Verify the seal of every final assessment.

    Returns:
        Problems (a final assessment whose content no longer matches its seal, or that was
        never finalised through the app) and notes (final assessments finalised before seals
        existed, which cannot be verified).
    """
    problems: list[str] = []
    notes: list[str] = []
    for assessment_id in uow.repository(IntegrityRepository).final_assessment_ids():
        entry = _last_finalisation(uow, assessment_id)
        if entry is None:
            problems.append(
                f"assessment {assessment_id} is final but the journal never finalised it"
            )
        elif not isinstance(entry.after, dict) or "seal" not in entry.after:
            notes.append(f"assessment {assessment_id} was finalised before seals existed")
        elif entry.after["seal"] != assessment_seal(uow, assessment_id):
            problems.append(
                f"assessment {assessment_id} is final but its answers, evidence or scope "
                f"changed after it was sealed (journal entry {entry.seq})"
            )
    return problems, notes


def _last_finalisation(uow: UnitOfWork, assessment_id: int) -> JournalEntry | None:
    return uow.repository(JournalRepository).last_entry(
        "assessment", str(assessment_id), FINAL_ACTION
    )
