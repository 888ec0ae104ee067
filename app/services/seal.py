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

import sqlalchemy as sa
from sqlmodel import Session

from app.services.assessment_records import RESPONSE_FIELDS
from app.storage.journal import jsonable
from app.storage.models import Assessment, Evidence, JournalEntry, Response, ResponseEvidence

logger = logging.getLogger(__name__)

FINAL_ACTION = "assessment.final"
_SEALED_ASSESSMENT_FIELDS = ("id", "system_id", "frameworks", "scope", "target_level")


def assessment_seal(session: Session, assessment_id: int) -> str:
    """Return the SHA-256 over what a final assessment states (answers, evidence, scope)."""
    row = session.get(Assessment, assessment_id)
    if row is None:
        return ""
    content = {
        "assessment": {name: getattr(row, name) for name in _SEALED_ASSESSMENT_FIELDS},
        "responses": _responses(session, assessment_id),
    }
    text = json.dumps(jsonable(content), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _responses(session: Session, assessment_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        sa.select(Response).where(Response.assessment_id == assessment_id).order_by(Response.id)
    ).scalars()
    links: dict[int, list[str]] = {}
    for response_id, digest in session.execute(
        sa.select(ResponseEvidence.response_id, Evidence.sha256)
        .join(Evidence, Evidence.id == ResponseEvidence.evidence_id)
        .join(Response, Response.id == ResponseEvidence.response_id)
        .where(Response.assessment_id == assessment_id)
    ):
        links.setdefault(response_id, []).append(digest)
    return [
        {"question_id": r.question_id, "evidence": sorted(links.get(r.id or 0, []))}
        | {name: getattr(r, name) for name in RESPONSE_FIELDS}
        for r in rows
    ]


def seal_problems(session: Session) -> tuple[list[str], list[str]]:
    """Verify the seal of every final assessment.

    Returns:
        Problems (a final assessment whose content no longer matches its seal, or that was
        never finalised through the app) and notes (final assessments finalised before seals
        existed, which cannot be verified).
    """
    problems, notes = [], []
    finals = session.execute(
        sa.select(Assessment.id).where(Assessment.status == "final").order_by(Assessment.id)
    ).scalars()
    for assessment_id in finals:
        entry = _last_finalisation(session, assessment_id)
        if entry is None:
            problems.append(
                f"assessment {assessment_id} is final but the journal never finalised it"
            )
        elif not isinstance(entry.after, dict) or "seal" not in entry.after:
            notes.append(f"assessment {assessment_id} was finalised before seals existed")
        elif entry.after["seal"] != assessment_seal(session, assessment_id):
            problems.append(
                f"assessment {assessment_id} is final but its answers, evidence or scope "
                f"changed after it was sealed (journal entry {entry.seq})"
            )
    return problems, notes


def _last_finalisation(session: Session, assessment_id: int) -> JournalEntry | None:
    return session.execute(
        sa.select(JournalEntry)
        .where(
            JournalEntry.entity == "assessment",
            JournalEntry.entity_id == str(assessment_id),
            JournalEntry.action == FINAL_ACTION,
        )
        .order_by(JournalEntry.seq.desc())
        .limit(1)
    ).scalar_one_or_none()
