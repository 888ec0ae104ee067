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

from app.domain.enums import AssessmentKind
from app.storage.models import Assessment, Response
from app.storage.repositories.assessments import AssessmentRepository
from app.storage.repositories.responses import ResponseRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

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


def organisation_row(uow: UnitOfWork) -> Assessment | None:
    """Return the engagement's current organisation assessment (the newest), if any."""
    return uow.repository(AssessmentRepository).current_organisation()


def organisation_answers(
    uow: UnitOfWork, question_ids: Collection[str]
) -> OrganisationAnswers | None:
    """Return the current organisation assessment's rows for these questions, or None."""
    source = organisation_row(uow)
    if source is None:
        return None
    responses = uow.repository(ResponseRepository)
    rows = {row.question_id: row for row in responses.rows_for(source.id or 0, question_ids)}
    links = responses.evidence_links([row.id for row in rows.values() if row.id is not None])
    evidence = {
        qid: links[row.id] for qid, row in rows.items() if row.id is not None and row.id in links
    }
    return OrganisationAnswers(source.id or 0, source.created_at.date(), rows, evidence)


def answered(row: Response | None) -> bool:
    """Return True when an organisation row holds an answer (a level or N/A)."""
    return row is not None and (row.level is not None or row.not_applicable)


def inherits_live(assessment: Assessment) -> bool:
    """Return True when the assessment reads inherited answers live (a system one, not final)."""
    return assessment.kind == AssessmentKind.SYSTEM.value and assessment.status != "final"


def freeze_inherited(uow: UnitOfWork, assessment: Assessment) -> int:
    """Copy the inherited organisation answers into a system assessment's own rows.

    Called in the transaction that makes the assessment final; the rows keep origin
    ``inherited`` and the assessment's scope records which organisation assessment they came
    from. Returns how many rows were frozen.
    """
    responses = uow.repository(ResponseRepository)
    rows = responses.inherited_rows(assessment.id or 0)
    found = organisation_answers(uow, [row.question_id for row in rows]) if rows else None
    if found is None:
        return 0
    for row in rows:
        source = found.rows.get(row.question_id)
        for name in INHERITED_FIELDS:
            setattr(row, name, getattr(source, name) if source is not None else None)
        row.not_applicable = bool(row.not_applicable)
        row.justification, row.notes = row.justification or "", row.notes or ""
        for evidence_id in found.evidence.get(row.question_id, ()):
            responses.link(row.id or 0, evidence_id)
    assessment.scope = dict(assessment.scope) | {
        "inherited_from": {"id": found.assessment_id, "date": found.created.isoformat()}
    }
    uow.flush()
    logger.info("froze %s into assessment %s", plural(len(rows), "inherited answer"), assessment.id)
    return len(rows)
