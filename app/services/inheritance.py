"""Organisation answers inherited by system assessments (the engagement's scope).

An engagement has one current organisation assessment: the newest assessment of kind
``organisation``. A system assessment's response whose origin is ``inherited`` shows that
assessment's answer to the same question (level or N/A, note, evidence strength and evidence)
until the assessor overrides it for the system with a reason. Nothing is copied while the system
assessment is open, so a change to an organisation answer reaches every system that inherits it
at once and is journalled once, where it was made. Finalising a system assessment freezes the
inherited values into its own rows (:func:`freeze_inherited`), so a final assessment no longer
moves when the organisation assessment changes.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session

from app.domain.enums import AssessmentKind, Origin
from app.storage.models import Assessment, Response, ResponseEvidence

logger = logging.getLogger(__name__)

#: The answer fields a system takes from the organisation assessment.
INHERITED_FIELDS = (
    "level",
    "not_applicable",
    "justification",
    "notes",
    "evidence_strength",
    "answered_by",
    "answered_at",
)


@dataclass(frozen=True)
class OrganisationAnswers:
    """The organisation assessment's answers to some questions.

    Attributes:
        assessment_id: The organisation assessment.
        created: The date it was started (shown as "from the organisation assessment of …").
        rows: Question id → its response row in the organisation assessment.
        evidence: Question id → the evidence ids linked to that row.
    """

    assessment_id: int
    created: dt.date
    rows: dict[str, Response] = field(default_factory=dict)
    evidence: dict[str, list[int]] = field(default_factory=dict)


def organisation_row(session: Session) -> Assessment | None:
    """Return the engagement's current organisation assessment (the newest), if any."""
    return session.execute(
        sa.select(Assessment)
        .where(Assessment.kind == AssessmentKind.ORGANISATION.value)
        .order_by(Assessment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def organisation_answers(
    session: Session, question_ids: Collection[str]
) -> OrganisationAnswers | None:
    """Return the current organisation assessment's rows for these questions, or None."""
    source = organisation_row(session)
    if source is None:
        return None
    rows = {
        row.question_id: row
        for row in session.execute(
            sa.select(Response).where(
                Response.assessment_id == source.id, Response.question_id.in_(question_ids)
            )
        ).scalars()
    }
    by_id = {row.id: qid for qid, row in rows.items()}
    evidence: dict[str, list[int]] = {}
    links = session.execute(
        sa.select(ResponseEvidence.response_id, ResponseEvidence.evidence_id)
        .where(ResponseEvidence.response_id.in_(list(by_id)))
        .order_by(ResponseEvidence.evidence_id)
    ).all()
    for response_id, evidence_id in links:
        evidence.setdefault(by_id[response_id], []).append(evidence_id)
    return OrganisationAnswers(source.id or 0, source.created_at.date(), rows, evidence)


def answered(row: Response | None) -> bool:
    """Return True when an organisation row holds an answer (a level or N/A)."""
    return row is not None and (row.level is not None or row.not_applicable)


def inherits_live(assessment: Assessment) -> bool:
    """Return True when the assessment reads inherited answers live (a system one, not final)."""
    return assessment.kind == AssessmentKind.SYSTEM.value and assessment.status != "final"


def freeze_inherited(session: Session, assessment: Assessment) -> int:
    """Copy the inherited organisation answers into a system assessment's own rows.

    Called in the transaction that makes the assessment final; the rows keep origin
    ``inherited`` and the assessment's scope records which organisation assessment they came
    from. Returns how many rows were frozen.
    """
    rows = list(
        session.execute(
            sa.select(Response).where(
                Response.assessment_id == assessment.id,
                Response.origin == Origin.INHERITED.value,
            )
        ).scalars()
    )
    found = organisation_answers(session, [row.question_id for row in rows]) if rows else None
    if found is None:
        return 0
    for row in rows:
        source = found.rows.get(row.question_id)
        for name in INHERITED_FIELDS:
            setattr(row, name, getattr(source, name) if source is not None else None)
        row.not_applicable = bool(row.not_applicable)
        row.justification, row.notes = row.justification or "", row.notes or ""
        for evidence_id in found.evidence.get(row.question_id, ()):
            if session.get(ResponseEvidence, (row.id, evidence_id)) is None:
                session.add(ResponseEvidence(response_id=row.id or 0, evidence_id=evidence_id))
    assessment.scope = dict(assessment.scope) | {
        "inherited_from": {"id": found.assessment_id, "date": found.created.isoformat()}
    }
    session.flush()
    logger.info("froze %d inherited answer(s) into assessment %s", len(rows), assessment.id)
    return len(rows)
