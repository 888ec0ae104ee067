"""Findings, the action plan and the evidence index of a report."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.domain.enums import FindingSource, FindingStatus, severity_rank
from app.reports.viewmodels import ActionItem, EvidenceItem, Finding
from app.services.assessments import AssessmentQuestions
from app.services.evidence import EvidenceInfo, get_evidence, list_evidence
from app.services.findings import FindingInfo, get_finding, list_findings
from app.services.inventory_queries import list_findings as list_inventory_findings
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

#: Gap findings repeat the assessor's notes after this marker; the client profile drops them.
NOTES_MARKER = "\nAssessor's notes:"
_MILESTONES = {
    "critical": "within 30 days",
    "high": "within 60 days",
    "medium": "within 90 days",
    "low": "by the next review",
}
_CLOSED = (FindingStatus.RESOLVED.value, FindingStatus.ACCEPTED.value)


def finding_ref(finding_id: int) -> str:
    """Return the reference of a finding in reports, e.g. ``F-12``."""
    return f"F-{finding_id}"


def collect_findings(workspace: Workspace, assessment_id: int, system: str) -> list[FindingInfo]:
    """Return the findings a report of this assessment shows, most severe first.

    These are the assessment's own (gap and manual) findings, and the findings about the AI
    system and the identities it uses.
    """
    found = {f.id: f for f in list_findings(workspace, assessment_id=assessment_id)}
    for row in list_inventory_findings(workspace, system=system):
        if row.id in found:
            continue
        if row.assessment_id is not None and row.assessment_id != assessment_id:
            continue  # another assessment's gap of the same system
        found[row.id] = get_finding(workspace, row.id)
    return sorted(found.values(), key=lambda f: (severity_rank(f.severity), f.id))


def _detail(finding: FindingInfo, client: bool) -> str:
    if client and finding.source == FindingSource.GAP.value:
        return finding.detail.split(NOTES_MARKER, 1)[0]
    return finding.detail


def build_findings(
    findings: Sequence[FindingInfo],
    loaded: AssessmentQuestions,
    evidence_names: dict[int, str],
    *,
    client: bool,
) -> tuple[Finding, ...]:
    """Return the findings as report rows (without internal notes for the client)."""
    refs = {q.id: q.ref for _, q in loaded.entries()}
    return tuple(
        Finding(
            finding_id=finding_ref(f.id),
            severity=f.severity,
            title=f.title,
            detail=_detail(f, client),
            recommendation=f.recommendation,
            references=tuple(f.references),
            source=f.source,
            system=f.system or "",
            identity=f.identity or "",
            question_ref=refs.get(f.question_id, f.question_id),
            owner=f.owner,
            due_date=f.due_date,
            status=f.status,
            evidence=tuple(evidence_names.get(i, f"#{i}") for i in f.evidence_ids),
        )
        for f in findings
    )


def build_actions(findings: Sequence[Finding]) -> tuple[ActionItem, ...]:
    """Return the action plan: one step per finding still open, most severe first."""
    steps = []
    for finding in findings:
        if finding.status in _CLOSED:
            continue
        steps.append(
            ActionItem(
                priority=severity_rank(finding.severity) + 1,
                title=finding.recommendation or finding.title,
                findings=(finding.finding_id,),
                owner=finding.owner,
                due_date=finding.due_date,
                status=finding.status,
                milestone=_MILESTONES.get(finding.severity, ""),
            )
        )
    steps.sort(key=lambda s: (s.priority, s.due_date is None, s.due_date, s.findings))
    return tuple(steps)


def build_evidence(
    workspace: Workspace, assessment_id: int, also: Sequence[int] = ()
) -> tuple[list[EvidenceInfo], tuple[EvidenceItem, ...]]:
    """Return the evidence behind the assessment's answers (and ``also``) and its index rows."""
    records = list_evidence(workspace, assessment_id)
    known = {e.id for e in records}
    records += [get_evidence(workspace, i) for i in sorted(set(also) - known)]
    items = tuple(
        EvidenceItem(
            name=e.file_name,
            sha256=e.sha256,
            size=e.size,
            media_type=e.media_type,
            collected_by=e.collected_by,
            collected_at=e.collected_at,
            description=e.description,
        )
        for e in records
    )
    return records, items
