"""Findings: raised from maturity gaps, from identity rules (by identity analysis) or by hand.

Gap findings are keyed ``gap:<assessment>:<question>`` so raising them again updates them in
place and keeps what the assessor added (owner, due date, status). A gap that has closed
removes its finding when nobody touched it, and marks it resolved otherwise. Findings of a final
assessment are read-only like the assessment.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from app.catalog.schema import Framework, Question
from app.domain.enums import (
    SEVERITY_ORDER,
    FindingSource,
    FindingStatus,
    Severity,
    severity_rank,
)
from app.domain.gaps import gap_severity
from app.domain.scoring import LEVEL_NAMES
from app.services.assessment_records import editable_row, list_responses, load_questions
from app.services.errors import UserError
from app.services.unit import writes
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.models import AISystem, Assessment, Finding, FindingEvidence, Identity
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

_EDITABLE = (
    "title",
    "detail",
    "recommendation",
    "severity",
    "owner",
    "due_date",
    "status",
    "references",
)


@dataclass(frozen=True)
class FindingInfo:
    """One finding as plain values; ``system`` and ``identity`` are inventory ids."""

    id: int
    key: str | None
    source: str
    rule_id: str
    assessment_id: int | None
    system: str | None
    identity: str | None
    question_id: str
    severity: str
    title: str
    detail: str
    recommendation: str
    references: tuple[str, ...]
    owner: str
    due_date: dt.date | None
    status: str
    created_at: dt.datetime
    updated_at: dt.datetime
    evidence_ids: tuple[int, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the finding as JSON-ready data."""
        return journal.jsonable(asdict(self))


@dataclass(frozen=True)
class GapRefresh:
    """What :func:`refresh_gap_findings` changed."""

    created: int = 0
    updated: int = 0
    removed: int = 0
    resolved: int = 0


def _info(row: Finding, names: dict[str, dict[int, str]], evidence: Sequence[int]) -> FindingInfo:
    return FindingInfo(
        id=row.id or 0,
        key=row.key,
        source=row.source,
        rule_id=row.rule_id,
        assessment_id=row.assessment_id,
        system=names["system"].get(row.system_id or 0),
        identity=names["identity"].get(row.identity_id or 0),
        question_id=row.question_id,
        severity=row.severity,
        title=row.title,
        detail=row.detail,
        recommendation=row.recommendation,
        references=tuple(row.references),
        owner=row.owner,
        due_date=row.due_date,
        status=row.status,
        created_at=row.created_at,
        updated_at=row.updated_at,
        evidence_ids=tuple(evidence),
    )


def _infos(session: Session, rows: Sequence[Finding]) -> list[FindingInfo]:
    system_ids = {r.system_id for r in rows if r.system_id}
    identity_ids = {r.identity_id for r in rows if r.identity_id}
    names = {
        "system": dict(
            session.execute(
                sa.select(AISystem.id, AISystem.external_id).where(AISystem.id.in_(system_ids))
            ).all()
        ),
        "identity": dict(
            session.execute(
                sa.select(Identity.id, Identity.external_id).where(Identity.id.in_(identity_ids))
            ).all()
        ),
    }
    links: dict[int, list[int]] = {}
    for finding_id, evidence_id in session.execute(
        sa.select(FindingEvidence.finding_id, FindingEvidence.evidence_id).where(
            FindingEvidence.finding_id.in_([r.id for r in rows])
        )
    ):
        links.setdefault(finding_id, []).append(evidence_id)
    return [_info(r, names, sorted(links.get(r.id or 0, ()))) for r in rows]


_SEVERITY_ORDER = sa.case(
    {s.value: severity_rank(s) for s in SEVERITY_ORDER},
    value=Finding.severity,
    else_=len(Severity),
)


def list_findings(
    workspace: Workspace,
    *,
    assessment_id: int | None = None,
    system: str | None = None,
    source: str | None = None,
    status: str | None = None,
) -> list[FindingInfo]:
    """Return findings, most severe first, filtered by any of the arguments given.

    Args:
        workspace: The open workspace.
        assessment_id: Only findings of this assessment.
        system: Only findings of this AI system (inventory id).
        source: Only ``gap``, ``identity-rule`` or ``manual`` findings.
        status: Only findings in this status.
    """
    with workspace.db.read() as session:
        query = sa.select(Finding).order_by(_SEVERITY_ORDER, Finding.id)
        if assessment_id is not None:
            query = query.where(Finding.assessment_id == assessment_id)
        if system is not None:
            query = query.where(Finding.system_id == _system_id(session, system))
        if source is not None:
            query = query.where(Finding.source == FindingSource(source).value)
        if status is not None:
            query = query.where(Finding.status == FindingStatus(status).value)
        return _infos(session, session.execute(query).scalars().all())


def get_finding(workspace: Workspace, finding_id: int) -> FindingInfo:
    """Return one finding.

    Raises:
        UserError: No finding has this id.
    """
    with workspace.db.read() as session:
        return _infos(session, [_row(session, finding_id)])[0]


def _row(session: Session, finding_id: int) -> Finding:
    row = session.get(Finding, finding_id)
    if row is None:
        raise UserError(f"no finding {finding_id}")
    return row


def _system_id(session: Session, system: str) -> int:
    found = session.execute(
        sa.select(AISystem.id).where(AISystem.external_id == system)
    ).scalar_one_or_none()
    if found is None:
        raise UserError(f"no AI system {system!r} in the inventory")
    return found


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise UserError(f"unknown finding field(s): {', '.join(sorted(unknown))}")
    clean = dict(changes)
    for name, enum in (("severity", Severity), ("status", FindingStatus)):
        if name in clean:
            try:
                clean[name] = enum(clean[name]).value
            except ValueError:
                known = ", ".join(e.value for e in enum)
                raise UserError(f"{name} must be one of {known}, not {clean[name]!r}") from None
    if "title" in clean and not str(clean["title"]).strip():
        raise UserError("a finding needs a title")
    if "references" in clean:
        clean["references"] = [str(r) for r in clean["references"]]
    due = clean.get("due_date")
    if due is not None and not isinstance(due, dt.date):
        raise UserError(f"due date must be a date, not {due!r}")
    return clean


def create_finding(
    workspace: Workspace,
    *,
    title: str,
    severity: str = Severity.MEDIUM.value,
    detail: str = "",
    recommendation: str = "",
    assessment_id: int | None = None,
    system: str | None = None,
    question_id: str = "",
    references: Sequence[str] = (),
    owner: str = "",
    due_date: dt.date | None = None,
) -> FindingInfo:
    """Record a finding by hand.

    Args:
        workspace: The open workspace.
        title: A short statement of the problem.
        severity: low, medium, high or critical.
        detail: What was found and where.
        recommendation: What to do about it.
        assessment_id: The assessment it belongs to (its system is taken from it).
        system: The AI system's inventory id; with ``assessment_id`` it must be that
            assessment's system.
        question_id: The question it relates to, if any.
        references: Framework references (e.g. ``PR.AA-05``).
        owner: Who must act on it.
        due_date: By when.

    Raises:
        UserError: A bad value, an unknown system or assessment, a system other than the
            assessment's, or a final assessment.
    """
    values = _checked(
        {
            "title": title.strip(),
            "severity": severity,
            "detail": detail.strip(),
            "recommendation": recommendation.strip(),
            "references": list(references),
            "owner": owner.strip(),
            "due_date": due_date,
        }
    )
    with workspace.db.write() as session:
        system_id = _system_id(session, system) if system else None
        if assessment_id is not None:
            assessment = editable_row(UnitOfWork(session, workspace.actor), assessment_id)
            if system_id is not None and system_id != assessment.system_id:
                raise UserError(f"assessment {assessment_id} is not about AI system {system!r}")
            system_id = assessment.system_id
        row = Finding(
            source=FindingSource.MANUAL.value,
            assessment_id=assessment_id,
            system_id=system_id,
            question_id=question_id,
            **values,
        )
        session.add(row)
        session.flush()
        _journal(session, workspace, "finding.create", row, None, values)
        return _infos(session, [row])[0]


#: Fields that stay editable on the findings of a final assessment.
TRACKING_FIELDS = frozenset({"owner", "due_date", "status"})


def update_finding(workspace: Workspace, finding_id: int, **changes: Any) -> FindingInfo:
    """Change a finding: owner, due date, status, recommendation, severity, title, detail.

    Remediation tracking (owner, due date, status) goes on after an assessment is final: it
    is the action plan the client works through. What the final report states about the
    finding (severity, title, detail, recommendation) is frozen with the assessment.

    Raises:
        UserError: No such finding, a bad value, or a reported field of a final assessment.
    """
    clean = _checked(changes)
    with workspace.db.write() as session:
        row = _row(session, finding_id)
        if row.assessment_id is not None and set(clean) - TRACKING_FIELDS:
            editable_row(UnitOfWork(session, workspace.actor), row.assessment_id)
        before = {name: getattr(row, name) for name in clean}
        for name, value in clean.items():
            setattr(row, name, value)
        row.updated_at = dt.datetime.now(dt.UTC)
        _journal(session, workspace, "finding.update", row, before, clean)
        return _infos(session, [row])[0]


def delete_finding(workspace: Workspace, finding_id: int) -> None:
    """Delete a finding entered by hand.

    Raises:
        UserError: No such finding, it was not entered by hand, or its assessment is final.
    """
    with workspace.db.write() as session:
        row = _row(session, finding_id)
        if row.source != FindingSource.MANUAL:
            raise UserError(f"finding {finding_id} comes from a {row.source}; set its status")
        if row.assessment_id is not None:
            editable_row(UnitOfWork(session, workspace.actor), row.assessment_id)
        before = _infos(session, [row])[0].as_dict()
        session.delete(row)
        _journal(session, workspace, "finding.delete", row, before, None)


def _journal(
    session: Session,
    workspace: Workspace,
    action: str,
    row: Finding,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    journal.record(
        session,
        actor=workspace.actor,
        action=action,
        entity="finding",
        entity_id=row.id or 0,
        before=before,
        after=after,
    )


# --------------------------------------------------------------------------- gap findings


def gap_key(assessment_id: int, question_id: str) -> str:
    """Return the key of the gap finding of one question."""
    return f"gap:{assessment_id}:{question_id}"


def _gap_values(
    framework: Framework, question: Question, level: int, target: int, notes: str
) -> dict[str, Any]:
    severity = gap_severity(level, target, question.priority)
    focus = f" ({question.focus_area.value})" if question.focus_area else ""
    detail = (
        f"{question.prompt}\nAnswered at level {level} ({LEVEL_NAMES[level]}) against a target "
        f"of {target} ({LEVEL_NAMES[target]}): {plural(target - level, 'level')} short."
    )
    if notes:
        detail += f"\nAssessor's notes: {notes}"
    goal = question.levels.get(target)
    recommendation = f"Reach level {target} ({LEVEL_NAMES[target]})" + (
        f": {goal}" if goal else "."
    )
    if question.guidance:
        recommendation += f" {question.guidance}"
    return {
        "severity": severity.value if severity else Severity.LOW.value,
        "title": f"{question.ref}{focus}: {question.title} is below target",
        "detail": detail,
        "recommendation": recommendation,
        "references": [f"{framework.title}: {question.ref}", *question.references],
    }


@writes
def refresh_gap_findings(uow: UnitOfWork, assessment_id: int) -> GapRefresh:
    """Raise or update a finding for every question answered below its target.

    Severity follows :func:`app.domain.gaps.gap_severity`. A gap finding whose gap has closed
    is removed if still open, unowned and undated, and marked resolved otherwise; a resolved gap
    finding whose gap is back is reopened.

    Raises:
        UserError: No such assessment, or it is final.
    """
    assessment = editable_row(uow, assessment_id)
    result = _apply_gaps(uow.session, assessment, _wanted_gaps(uow, assessment_id))
    uow.record("finding.gaps", "assessment", assessment_id, after=asdict(result))
    logger.info("gap findings of assessment %s: %s", assessment_id, result)
    return result


def _wanted_gaps(uow: UnitOfWork, assessment_id: int) -> dict[str, dict[str, Any]]:
    """Return the gap finding each question answered below its target should have, by key."""
    loaded = load_questions(uow, assessment_id)
    responses = {r.question_id: r for r in list_responses(uow, assessment_id)}
    wanted: dict[str, dict[str, Any]] = {}
    for framework, question in loaded.entries():
        response = responses.get(question.id)
        if response is None or response.level is None or response.not_applicable:
            continue
        target = response.target_override
        target = loaded.info.target_level if target is None else target
        if response.level < target:
            notes = "\n".join(filter(None, [response.source_text, response.notes]))
            values = _gap_values(framework, question, response.level, target, notes)
            wanted[gap_key(assessment_id, question.id)] = values | {"question_id": question.id}
    return wanted


def _apply_gaps(
    session: Session, assessment: Assessment, wanted: dict[str, dict[str, Any]]
) -> GapRefresh:
    prefix = gap_key(assessment.id or 0, "")
    existing = {
        row.key: row
        for row in session.execute(
            sa.select(Finding).where(Finding.key.startswith(prefix, autoescape=True))
        ).scalars()
    }
    now = dt.datetime.now(dt.UTC)
    updated = removed = resolved = 0
    for key, row in existing.items():
        if key in wanted:
            changed = {k: v for k, v in wanted[key].items() if getattr(row, k) != v}
            if row.status == FindingStatus.RESOLVED:
                changed["status"] = FindingStatus.OPEN.value
            for name, value in changed.items():
                setattr(row, name, value)
            if changed:
                row.updated_at, updated = now, updated + 1
        elif row.status == FindingStatus.OPEN and not row.owner and row.due_date is None:
            session.delete(row)
            removed += 1
        elif row.status != FindingStatus.RESOLVED:
            row.status, row.updated_at, resolved = FindingStatus.RESOLVED.value, now, resolved + 1
    new = [
        {
            "key": key,
            "source": FindingSource.GAP.value,
            "assessment_id": assessment.id,
            "system_id": assessment.system_id,
            "status": FindingStatus.OPEN.value,
            "created_at": now,
            "updated_at": now,
        }
        | values
        for key, values in wanted.items()
        if key not in existing
    ]
    if new:
        session.execute(sa.insert(Finding), new)
    return GapRefresh(len(new), updated, removed, resolved)
