"""The lifecycle of an assessment: draft → in review → final, and re-assessment from a copy.

A final assessment is read-only. Finalising runs the quality gate first (its errors refuse the
move unless forced) and brings the gap findings up to date, all in the one transaction that
makes the assessment final. A re-assessment is a new draft that starts from a copy of a final
one, which stays as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.domain.enums import AssessmentStatus
from app.services.assessment_records import (
    RESPONSE_FIELDS,
    AssessmentInfo,
    editable_row,
    evidence_links,
    get_assessment,
    load_row,
    record_change,
)
from app.services.errors import UserError
from app.services.inheritance import freeze_inherited
from app.services.workspace import Workspace
from app.storage.models import Assessment, Response, ResponseEvidence
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)


def _move(
    workspace: Workspace,
    assessment_id: int,
    allowed_from: tuple[AssessmentStatus, ...],
    to: AssessmentStatus,
    refusal: str,
) -> AssessmentInfo:
    with workspace.db.write() as session:
        row = _movable_row(session, assessment_id, allowed_from, refusal)
        _set_status(session, workspace, row, to)
    logger.info("assessment %s is now %s", assessment_id, to.value)
    return get_assessment(workspace, assessment_id)


def _movable_row(
    session: Session,
    assessment_id: int,
    allowed_from: tuple[AssessmentStatus, ...],
    refusal: str,
) -> Assessment:
    row = editable_row(session, assessment_id)
    if row.status not in allowed_from:
        raise UserError(refusal.format(id=assessment_id, status=row.status))
    return row


def _set_status(
    session: Session,
    workspace: Workspace,
    row: Assessment,
    to: AssessmentStatus,
    extra: dict[str, Any] | None = None,
) -> None:
    before = {"status": row.status}
    row.status = to.value
    now = dt.datetime.now(dt.UTC)
    if to == AssessmentStatus.IN_REVIEW:
        row.submitted_at = now
    if to == AssessmentStatus.FINAL:
        row.finalized_at = now
    record_change(
        session,
        workspace,
        f"assessment.{to.value}",
        row,
        before,
        {"status": row.status} | (extra or {}),
    )


def submit_for_review(workspace: Workspace, assessment_id: int) -> AssessmentInfo:
    """Move a draft assessment to review.

    Raises:
        UserError: The assessment is not a draft.
    """
    return _move(
        workspace,
        assessment_id,
        (AssessmentStatus.DRAFT,),
        AssessmentStatus.IN_REVIEW,
        "assessment {id} is {status}, not a draft; only a draft can be submitted for review",
    )


def return_to_draft(workspace: Workspace, assessment_id: int) -> AssessmentInfo:
    """Send an assessment in review back to draft.

    Raises:
        UserError: The assessment is not in review.
    """
    return _move(
        workspace,
        assessment_id,
        (AssessmentStatus.IN_REVIEW,),
        AssessmentStatus.DRAFT,
        "assessment {id} is {status}, not in review",
    )


def finalize(workspace: Workspace, assessment_id: int, *, force: bool = False) -> AssessmentInfo:
    """Make an assessment in review final (read-only from then on).

    The status check, the quality gate, the refresh of the gap findings and the move to final
    run in one write transaction, so nothing can change the answers between the gate and the
    move, and a failure at any step leaves the assessment and its findings as they were. The
    gate's errors refuse the move unless ``force`` is set (a forced finalisation is journalled
    with the errors it overrode).

    Raises:
        UserError: The assessment is not in review, or the quality gate found errors.
    """
    from app.services.finding_themes import refresh_gap_findings
    from app.services.quality_gate import quality_gate_in
    from app.services.seal import assessment_seal

    with workspace.db.write() as session:
        row = _movable_row(
            session,
            assessment_id,
            (AssessmentStatus.IN_REVIEW,),
            "assessment {id} is {status}; submit it for review before finalising",
        )
        gate = quality_gate_in(session, assessment_id)
        if gate.errors and not force:
            raise UserError(
                f"assessment {assessment_id} has {len(gate.errors)} quality-gate error(s), "
                f"first: {gate.errors[0].message}; fix them or finalise with force"
            )
        refresh_gap_findings(UnitOfWork(session, workspace.actor), assessment_id)
        frozen = freeze_inherited(session, row)
        extra = {"forced_over": [issue.message for issue in gate.errors]} if gate.errors else {}
        extra |= {"inherited_frozen": frozen} if frozen else {}
        extra["seal"] = assessment_seal(session, assessment_id)
        _set_status(session, workspace, row, AssessmentStatus.FINAL, extra)
    logger.info("assessment %s is now %s", assessment_id, AssessmentStatus.FINAL.value)
    return get_assessment(workspace, assessment_id)


def reassess(workspace: Workspace, assessment_id: int, *, title: str = "") -> AssessmentInfo:
    """Start a new draft assessment from a copy of a final one, which stays as it is.

    The copy keeps the framework versions, scope, target, answers, notes, question targets,
    flags and evidence links; ``reviewed`` is cleared. ``previous_id`` points at the original.

    Raises:
        UserError: No such assessment, or it is not final yet.
    """
    with workspace.db.write() as session:
        old, system = load_row(session, assessment_id)
        if old.status != AssessmentStatus.FINAL:
            raise UserError(f"assessment {assessment_id} is {old.status}; finalise it first")
        name = system.name or system.external_id if system is not None else "Organisation"
        new = Assessment(
            kind=old.kind,
            system_id=old.system_id,
            title=title.strip() or f"{name} {dt.date.today()}",
            status=AssessmentStatus.DRAFT.value,
            frameworks=list(old.frameworks),
            scope=dict(old.scope),
            risk_tier=old.risk_tier,
            risk_factor=old.risk_factor,
            target_level=old.target_level,
            assessor=workspace.actor,
            reviewer=old.reviewer,
            previous_id=old.id,
        )
        session.add(new)
        session.flush()
        copied = _copy_responses(session, assessment_id, new.id or 0)
        record_change(
            session,
            workspace,
            "assessment.reassess",
            new,
            None,
            {
                "previous_id": assessment_id,
                "title": new.title,
                "status": new.status,
                "responses": copied,
            },
        )
        new_id = new.id or 0
    return get_assessment(workspace, new_id)


def _copy_responses(session: Session, old_id: int, new_id: int) -> int:
    old_rows = (
        session.execute(
            sa.select(Response).where(Response.assessment_id == old_id).order_by(Response.id)
        )
        .scalars()
        .all()
    )
    kept = ("question_id", *(f for f in RESPONSE_FIELDS if f != "reviewed"))
    kept += ("answered_by", "answered_at", "origin", "override_reason")
    values = [{"assessment_id": new_id} | {f: getattr(r, f) for f in kept} for r in old_rows]
    if not values:
        return 0
    session.execute(sa.insert(Response), values)
    new_ids = dict(
        session.execute(
            sa.select(Response.question_id, Response.id).where(Response.assessment_id == new_id)
        ).all()
    )
    links = evidence_links(session, [r.id for r in old_rows if r.id is not None])
    pairs = [
        {"response_id": new_ids[r.question_id], "evidence_id": evidence_id}
        for r in old_rows
        for evidence_id in links.get(r.id or 0, ())
    ]
    if pairs:
        session.execute(sa.insert(ResponseEvidence), pairs)
    return len(values)
