"""Findings, the action plan and the evidence index of a report."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import replace

from app.domain.enums import FINDING_STATUS_LABELS, FindingSource, FindingStatus, severity_rank
from app.domain.scoring import LEVEL_NAMES
from app.reports.viewmodels import ActionItem, Criterion, EvidenceItem, Finding
from app.services.assessments import AssessmentQuestions
from app.services.evidence import EvidenceInfo, get_evidence, list_evidence
from app.services.findings import FindingInfo, GapItem, get_finding, list_findings
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

    These are the assessment's own (themed and manual) findings, and the findings about the AI
    system and the identities it uses that no theme already groups.
    """
    found = {f.id: f for f in list_findings(workspace, assessment_id=assessment_id)}
    grouped = {item.key for f in found.values() for item in f.items}
    for row in list_inventory_findings(workspace, system=system):
        if row.id in found:
            continue
        if row.assessment_id is not None and row.assessment_id != assessment_id:
            continue  # another assessment's finding about the same system
        info = get_finding(workspace, row.id)
        if f"rule:{info.key or info.id}" not in grouped:
            found[row.id] = info
    return sorted(found.values(), key=_order)


def _order(finding: FindingInfo) -> tuple[int, int, int]:
    return (severity_rank(finding.severity), -(finding.score or 0), finding.id)


def _level(value: int | None) -> str:
    return "" if value is None else f"{value} {LEVEL_NAMES.get(value, '')}".strip()


def _widest_first(item: GapItem) -> tuple[str, int, str, str]:
    """Order a theme's criteria: questions before identity checks, widest gap first."""
    gap = (item.target or 0) - (item.level or 0)
    return (item.kind, -gap, item.ref, item.title)


def _criterion(item: GapItem) -> Criterion:
    if item.kind == "rule":
        return Criterion(ref="Identity check", title=item.title, framework=item.framework)
    return Criterion(
        ref=item.ref, title=item.title, framework=item.framework,
        current=_level(item.level), target=_level(item.target),
    )  # fmt: skip


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
            status_label=FINDING_STATUS_LABELS.get(f.status, f.status),
            likelihood=f.likelihood,
            impact=f.impact,
            score=f.score,
            effort=f.effort,
            management_response=f.management_response,
            acceptance_justification=f.acceptance_justification,
            accepted_by=f.accepted_by,
            criteria=tuple(_criterion(i) for i in sorted(f.items, key=_widest_first)),
        )
        for f in findings
    )


_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def first_sentence(text: str) -> str:
    """Return the first sentence of a text (all of it when it has one)."""
    return _SENTENCE.split(text.strip(), maxsplit=1)[0]


def build_actions(findings: Sequence[Finding]) -> tuple[ActionItem, ...]:
    """Return the action plan: one numbered step per finding still open, most severe first.

    Each step names the finding it answers, its first recommended action, the owner, due date,
    effort and status the client agreed; its priority (1 critical … 4 low) is a column of its
    own, apart from the step's number.
    """
    steps = []
    for finding in findings:
        if finding.status in _CLOSED:
            continue
        steps.append(
            ActionItem(
                priority=severity_rank(finding.severity) + 1,
                priority_label=finding.severity.capitalize(),
                title=first_sentence(finding.recommendation) or finding.title,
                finding_title=finding.title,
                findings=(finding.finding_id,),
                owner=finding.owner,
                due_date=finding.due_date,
                effort=finding.effort,
                status=finding.status,
                status_label=FINDING_STATUS_LABELS.get(finding.status, finding.status),
                milestone=_MILESTONES.get(finding.severity, ""),
            )
        )
    steps.sort(key=lambda s: (s.priority, s.due_date is None, s.due_date, s.findings))
    return tuple(replace(step, number=n) for n, step in enumerate(steps, start=1))


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
