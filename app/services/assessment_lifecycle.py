"""The lifecycle of an assessment: draft → in review → final, and re-assessment from a copy.

A final assessment is read-only. Finalising runs the quality gate first (its errors refuse the
move unless forced) and brings the gap findings up to date, all in the one transaction that
makes the assessment final. A re-assessment is a new draft that starts from a copy of a final
one, which stays as it was.
"""

from __future__ import annotations

import logging
from typing import Any

from app.domain.enums import AssessmentStatus
from app.services.assessment_records import (
    RESPONSE_FIELDS,
    AssessmentInfo,
    editable_row,
    get_assessment,
    load_row,
    record_change,
)
from app.services.errors import UserError
from app.services.finding_themes import refresh_gap_findings
from app.services.inheritance import freeze_inherited
from app.services.quality_gate import run_quality_gate
from app.services.seal import assessment_seal
from app.services.unit import writes
from app.storage.models import Assessment
from app.storage.repositories.assessments import AssessmentRepository
from app.storage.repositories.responses import ResponseRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)


def _move(
    uow: UnitOfWork,
    assessment_id: int,
    allowed_from: tuple[AssessmentStatus, ...],
    to: AssessmentStatus,
    refusal: str,
) -> AssessmentInfo:
    row = _movable_row(uow, assessment_id, allowed_from, refusal)
    _set_status(uow, row, to)
    logger.info("assessment %s is now %s", assessment_id, to.value)
    return get_assessment(uow, assessment_id)


def _movable_row(
    uow: UnitOfWork,
    assessment_id: int,
    allowed_from: tuple[AssessmentStatus, ...],
    refusal: str,
) -> Assessment:
    row = editable_row(uow, assessment_id)
    if row.status not in allowed_from:
        raise UserError(refusal.format(id=assessment_id, status=row.status))
    return row


def _set_status(
    uow: UnitOfWork,
    row: Assessment,
    to: AssessmentStatus,
    extra: dict[str, Any] | None = None,
) -> None:
    before = {"status": row.status}
    row.status = to.value
    now = uow.now()
    if to == AssessmentStatus.IN_REVIEW:
        row.submitted_at = now
    if to == AssessmentStatus.FINAL:
        row.finalized_at = now
    record_change(
        uow, f"assessment.{to.value}", row, before, {"status": row.status} | (extra or {})
    )
    uow.flush()


@writes
def submit_for_review(uow: UnitOfWork, assessment_id: int) -> AssessmentInfo:
    """Move a draft assessment to review.

    Raises:
        UserError: The assessment is not a draft.
    """
    return _move(
        uow,
        assessment_id,
        (AssessmentStatus.DRAFT,),
        AssessmentStatus.IN_REVIEW,
        "assessment {id} is {status}, not a draft; only a draft can be submitted for review",
    )


@writes
def return_to_draft(uow: UnitOfWork, assessment_id: int) -> AssessmentInfo:
    """Send an assessment in review back to draft.

    Raises:
        UserError: The assessment is not in review.
    """
    return _move(
        uow,
        assessment_id,
        (AssessmentStatus.IN_REVIEW,),
        AssessmentStatus.DRAFT,
        "assessment {id} is {status}, not in review",
    )


@writes
def finalize(uow: UnitOfWork, assessment_id: int, *, force: bool = False) -> AssessmentInfo:
    """Make an assessment in review final (read-only from then on).

    The status check, the quality gate, the refresh of the gap findings and the move to final
    run in one unit of work, so nothing can change the answers between the gate and the move,
    and a failure at any step leaves the assessment and its findings as they were. The gate's
    errors refuse the move unless ``force`` is set (a forced finalisation is journalled with
    the errors it overrode).

    Raises:
        UserError: The assessment is not in review, or the quality gate found errors.
    """
    row = _movable_row(
        uow,
        assessment_id,
        (AssessmentStatus.IN_REVIEW,),
        "assessment {id} is {status}; submit it for review before finalising",
    )
    gate = run_quality_gate(uow, assessment_id)
    if gate.errors and not force:
        raise UserError(
            f"assessment {assessment_id} has {plural(len(gate.errors), 'quality-gate error')}, "
            f"first: {gate.errors[0].message}; fix them or finalise with force"
        )
    refresh_gap_findings(uow, assessment_id)
    frozen = freeze_inherited(uow, row)
    extra: dict[str, Any] = (
        {"forced_over": [issue.message for issue in gate.errors]} if gate.errors else {}
    )
    extra |= {"inherited_frozen": frozen} if frozen else {}
    extra["seal"] = assessment_seal(uow, assessment_id)
    _set_status(uow, row, AssessmentStatus.FINAL, extra)
    logger.info("assessment %s is now %s", assessment_id, AssessmentStatus.FINAL.value)
    return get_assessment(uow, assessment_id)


@writes
def reassess(uow: UnitOfWork, assessment_id: int, *, title: str = "") -> AssessmentInfo:
    """Start a new draft assessment from a copy of a final one, which stays as it is.

    The copy keeps the framework versions, scope, target, answers, notes, question targets,
    flags and evidence links; ``reviewed`` is cleared. ``previous_id`` points at the original.

    Raises:
        UserError: No such assessment, or it is not final yet.
    """
    old, system = load_row(uow, assessment_id)
    if old.status != AssessmentStatus.FINAL:
        raise UserError(f"assessment {assessment_id} is {old.status}; finalise it first")
    name = system.name or system.external_id if system is not None else "Organisation"
    new = uow.repository(AssessmentRepository).add(
        Assessment(
            kind=old.kind,
            system_id=old.system_id,
            title=title.strip() or f"{name} {uow.now().date()}",
            status=AssessmentStatus.DRAFT.value,
            frameworks=list(old.frameworks),
            scope=dict(old.scope),
            risk_tier=old.risk_tier,
            risk_factor=old.risk_factor,
            target_level=old.target_level,
            assessor=uow.actor,
            reviewer=old.reviewer,
            previous_id=old.id,
            created_at=uow.now(),
        )
    )
    kept = (*(f for f in RESPONSE_FIELDS if f != "reviewed"), *_COPIED_TOO)
    copied = uow.repository(ResponseRepository).copy_all(assessment_id, new.id or 0, kept)
    after = {"previous_id": assessment_id, "title": new.title, "status": new.status}
    record_change(uow, "assessment.reassess", new, None, after | {"responses": copied})
    return get_assessment(uow, new.id or 0)


_COPIED_TOO = ("answered_by", "answered_at", "origin", "override_reason")
