"""Findings: themed from an assessment's gaps, raised by identity rules, or entered by hand.

Themed findings (see :mod:`app.services.finding_themes`) group an assessment's gaps; this module
reads every kind of finding and changes one: its texts, risk rating, owner, due date, effort,
the client's management response and its status. Accepting a risk needs a justification and the
approver's name. Whatever the assessor writes or decides is remembered in ``edited`` so a refresh
never overwrites it. Findings of a final assessment keep their reported text; remediation
tracking goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from app.domain import risk_matrix
from app.domain.enums import AssessmentStatus, FindingSource, FindingStatus, Severity
from app.services.errors import UserError
from app.services.unit import reads, writes
from app.storage import journal
from app.storage.models import Finding, FindingItem
from app.storage.repositories.findings import FindingRepository
from app.storage.unit_of_work import UnitOfWork
from app.support.text import plural

logger = logging.getLogger(__name__)

_TEXTS = ("title", "detail", "recommendation", "references")
_RISK = ("severity", "likelihood", "impact")
#: Fields that stay editable on the findings of a final assessment: the action plan.
TRACKING_FIELDS = frozenset(
    {"owner", "due_date", "status", "effort", "management_response",
     "acceptance_justification", "accepted_by"}
)  # fmt: skip
_EDITABLE = (*_TEXTS, *_RISK, *sorted(TRACKING_FIELDS))


@dataclass(frozen=True)
class GapItem:
    """One gap a themed finding groups: a question below target or an identity rule."""

    key: str
    kind: str
    framework: str
    ref: str
    title: str
    level: int | None
    target: int | None
    severity: str
    recommendation: str
    placed: bool


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
    likelihood: int | None = None
    impact: int | None = None
    effort: str = ""
    management_response: str = ""
    acceptance_justification: str = ""
    accepted_by: str = ""
    edited: tuple[str, ...] = ()
    items: tuple[GapItem, ...] = ()

    @property
    def condition(self) -> str:
        """Return the condition found (the finding's detail)."""
        return self.detail

    @property
    def score(self) -> int | None:
        """Return likelihood × impact, or None when the finding is not rated."""
        if self.likelihood is None or self.impact is None:
            return None
        return risk_matrix.score(self.likelihood, self.impact)

    def as_dict(self) -> dict[str, Any]:
        """Return the finding as JSON-ready data."""
        return journal.jsonable(asdict(self))  # type: ignore[no-any-return]


def _gap_item(row: FindingItem) -> GapItem:
    return GapItem(
        key=row.item_key, kind=row.kind, framework=row.framework, ref=row.ref, title=row.title,
        level=row.level, target=row.target, severity=row.severity,
        recommendation=row.recommendation, placed=row.placed,
    )  # fmt: skip


def infos(uow: UnitOfWork, rows: Sequence[Finding]) -> list[FindingInfo]:
    """Return findings as plain values, with their systems, identities, evidence and gaps."""
    repo = uow.repository(FindingRepository)
    systems, identities = repo.names(rows)
    ids = [r.id or 0 for r in rows]
    links = repo.evidence_links(ids)
    items = repo.items_of(ids)
    return [
        FindingInfo(
            id=r.id or 0,
            key=r.key,
            source=r.source,
            rule_id=r.rule_id,
            assessment_id=r.assessment_id,
            system=systems.get(r.system_id or 0),
            identity=identities.get(r.identity_id or 0),
            question_id=r.question_id,
            severity=r.severity,
            title=r.title,
            detail=r.detail,
            recommendation=r.recommendation,
            references=tuple(r.references),
            owner=r.owner,
            due_date=r.due_date,
            status=r.status,
            created_at=r.created_at,
            updated_at=r.updated_at,
            evidence_ids=tuple(sorted(links.get(r.id or 0, ()))),
            likelihood=r.likelihood,
            impact=r.impact,
            effort=r.effort,
            management_response=r.management_response,
            acceptance_justification=r.acceptance_justification,
            accepted_by=r.accepted_by,
            edited=tuple(r.edited),
            items=tuple(_gap_item(i) for i in items.get(r.id or 0, ())),
        )  # fmt: skip
        for r in rows
    ]


@reads
def list_findings(
    uow: UnitOfWork,
    *,
    assessment_id: int | None = None,
    system: str | None = None,
    source: str | None = None,
    status: str | None = None,
) -> list[FindingInfo]:
    """Return findings, most severe first, filtered by any of the arguments given.

    Args:
        uow: The unit of work (or the workspace).
        assessment_id: Only findings of this assessment.
        system: Only findings of this AI system (inventory id).
        source: Only ``theme``, ``identity-rule``, ``manual`` (or ``gap``) findings.
        status: Only findings in this status.

    Raises:
        UserError: An unknown system, source or status.
    """
    repo = uow.repository(FindingRepository)
    rows = repo.listed(
        assessment_id=assessment_id,
        system_id=_system_id(repo, system) if system is not None else None,
        source=_enum(FindingSource, "source", source) if source is not None else None,
        status=_enum(FindingStatus, "status", status) if status is not None else None,
    )
    return infos(uow, rows)


@reads
def get_finding(uow: UnitOfWork, finding_id: int) -> FindingInfo:
    """Return one finding.

    Raises:
        UserError: No finding has this id.
    """
    return infos(uow, [finding_row(uow, finding_id)])[0]


def finding_row(uow: UnitOfWork, finding_id: int) -> Finding:
    """Return one finding's row in the caller's unit.

    Raises:
        UserError: No finding has this id.
    """
    row = uow.repository(FindingRepository).find(finding_id)
    if row is None:
        raise UserError(f"no finding {finding_id}")
    return row


def editable_assessment(uow: UnitOfWork, assessment_id: int) -> int | None:
    """Return the system row id of an assessment that may change, refusing a final one.

    Raises:
        UserError: No such assessment, or it is final.
    """
    row = uow.repository(FindingRepository).assessment(assessment_id)
    if row is None:
        raise UserError(f"no assessment {assessment_id}")
    if row.status == AssessmentStatus.FINAL:
        raise UserError(f"assessment {assessment_id} is final and read-only; re-assess to change")
    return row.system_id


def _system_id(repo: FindingRepository, system: str) -> int:
    found = repo.system_id(system)
    if found is None:
        raise UserError(f"no AI system {system!r} in the inventory")
    return found


def _enum(kind: Any, name: str, value: Any) -> str:
    try:
        return str(kind(value).value)
    except ValueError:
        known = ", ".join(e.value for e in kind)
        raise UserError(f"{name} must be one of {known}, not {value!r}") from None


def _checked(changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        fields = plural(len(unknown), "finding field", number=False)
        raise UserError(f"unknown {fields}: {', '.join(sorted(unknown))}")
    clean = dict(changes)
    for name, enum in (("severity", Severity), ("status", FindingStatus)):
        if name in clean:
            clean[name] = _enum(enum, name, clean[name])
    for axis in ("likelihood", "impact"):
        if clean.get(axis) is not None:
            try:
                clean[axis] = risk_matrix.checked(int(clean[axis]), axis)
            except (TypeError, ValueError) as error:
                raise UserError(f"{axis} must be a whole number from 1 to 5") from error
    if "title" in clean and not str(clean["title"]).strip():
        raise UserError("a finding needs a title")
    if "references" in clean:
        clean["references"] = [str(r) for r in clean["references"]]
    for name in ("owner", "effort", "management_response", "acceptance_justification",
                 "accepted_by", "detail", "recommendation", "title"):  # fmt: skip
        if name in clean:
            clean[name] = str(clean[name] or "").strip()
    due = clean.get("due_date")
    if due is not None and not isinstance(due, dt.date):
        raise UserError(f"due date must be a date, not {due!r}")
    return clean


def _check_acceptance(row: Finding) -> None:
    if row.status != FindingStatus.ACCEPTED:
        return
    missing = [
        label
        for label, value in (
            ("a justification", row.acceptance_justification),
            ("the approver's name", row.accepted_by),
        )  # fmt: skip
        if not value.strip()
    ]
    if missing:
        raise UserError(f"accepting the risk of finding {row.id} needs {' and '.join(missing)}")


@writes
def create_finding(
    uow: UnitOfWork,
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
        uow: The unit of work (or the workspace).
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
            "title": title,
            "severity": severity,
            "detail": detail,
            "recommendation": recommendation,
            "references": list(references),
            "owner": owner,
            "due_date": due_date,
        }  # fmt: skip
    )
    repo = uow.repository(FindingRepository)
    system_id = _system_id(repo, system) if system else None
    if assessment_id is not None:
        own_system = editable_assessment(uow, assessment_id)
        if system_id is not None and system_id != own_system:
            raise UserError(f"assessment {assessment_id} is not about AI system {system!r}")
        system_id = own_system
    row = repo.add(
        Finding(
            source=FindingSource.MANUAL.value,
            assessment_id=assessment_id,
            system_id=system_id,
            question_id=question_id,
            **values,
        )
    )
    uow.record("finding.create", "finding", row.id or 0, after=values)
    return infos(uow, [row])[0]


@writes
def update_finding(uow: UnitOfWork, finding_id: int, /, **changes: Any) -> FindingInfo:
    """Change a finding's texts, risk rating, owner, due date, effort, response or status.

    Remediation tracking (owner, due date, effort, status, management response, acceptance)
    goes on after an assessment is final: it is the action plan the client works through.
    What the final report states about the finding (texts and rating) is frozen with it.
    Setting likelihood and impact sets the severity from the risk matrix. Every field changed
    is remembered as the assessor's, so a refresh of the themes never overwrites it.

    Raises:
        UserError: No such finding, a bad value, a reported field of a final assessment, or a
            risk accepted without justification and approver.
    """
    clean = _checked(changes)
    row = finding_row(uow, finding_id)
    if row.assessment_id is not None and set(clean) - TRACKING_FIELDS:
        editable_assessment(uow, row.assessment_id)
    before = {name: getattr(row, name) for name in clean}
    for name, value in clean.items():
        setattr(row, name, value)
    if {"likelihood", "impact"} & set(clean) and row.likelihood and row.impact:
        row.severity = risk_matrix.rating(row.likelihood, row.impact).value
        clean["severity"] = row.severity
    _check_acceptance(row)
    row.edited = sorted(set(row.edited) | set(clean))
    row.updated_at = uow.now()
    uow.record("finding.update", "finding", finding_id, before=before, after=clean)
    return infos(uow, [row])[0]


@writes
def accept_risk(
    uow: UnitOfWork, finding_id: int, *, justification: str, approver: str
) -> FindingInfo:
    """Record that the client accepts a finding's risk, with why and who approved it.

    Raises:
        UserError: No such finding, or the justification or approver is missing.
    """
    return update_finding(
        uow,
        finding_id,
        status=FindingStatus.ACCEPTED.value,
        acceptance_justification=justification,
        accepted_by=approver,
    )


@writes
def delete_finding(uow: UnitOfWork, finding_id: int) -> None:
    """Delete a finding entered by hand.

    Raises:
        UserError: No such finding, it was not entered by hand, or its assessment is final.
    """
    row = finding_row(uow, finding_id)
    if row.source != FindingSource.MANUAL:
        raise UserError(f"finding {finding_id} comes from a {row.source}; set its status")
    if row.assessment_id is not None:
        editable_assessment(uow, row.assessment_id)
    before = infos(uow, [row])[0].as_dict()
    uow.repository(FindingRepository).delete(row)
    uow.record("finding.delete", "finding", finding_id, before=before)


def gap_key(assessment_id: int, question_id: str) -> str:
    """Return the key a per-question gap finding had (kept for workspaces being upgraded)."""
    return f"gap:{assessment_id}:{question_id}"
