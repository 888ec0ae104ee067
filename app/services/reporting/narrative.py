"""The written parts of a report, composed from its figures: summary, scope, sources, limits.

The assessor edits nothing here; the sentences only restate figures the report shows elsewhere,
so they can never disagree with the tables.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.reports.viewmodels import (
    Answer,
    DocumentControl,
    EvidenceItem,
    Finding,
    FrameworkResult,
    FrameworkVersion,
    IdentityPosture,
    SystemProfile,
)
from app.services.assessments import AssessmentInfo
from app.services.quality_gate import QualityReport
from app.services.scoring import AssessmentScore
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

_WEAKEST = 3


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _level(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _open(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.status not in ("resolved", "accepted")]


def executive_summary(
    system: SystemProfile,
    score: AssessmentScore,
    posture: IdentityPosture,
    findings: Sequence[Finding],
) -> str:
    """Return the executive summary: maturity, coverage, identity exposure, findings."""
    overall = score.result.overall
    open_findings = _open(findings)
    severe = sum(1 for f in open_findings if f.severity in ("critical", "high"))
    first = (
        f"{system.name or system.system_id} was assessed against {overall.questions} questions, "
        f"{overall.answered} of the {overall.applicable} applicable ones answered "
        f"(completeness {_pct(overall.completeness)}). Its weighted mean maturity is "
        f"{_level(overall.mean)} against a target of {system.target_level}, and "
        f"{_pct(overall.coverage)} of the applicable questions already meet the target."
    )
    second = (
        f"The system is in the {system.risk_tier or 'unrated'} risk tier"
        f"{f' (set by {system.risk_factor})' if system.risk_factor else ''}"
        f"{f'; {system.risk_note}' if system.risk_note else ''}. {_reach_sentence(posture)}"
    )
    third = (
        f"{plural(len(open_findings), 'finding')} "
        f"{'remains' if len(open_findings) == 1 else 'remain'} open, {severe} of them critical "
        "or high; the action plan orders them by severity."
    )
    return "\n\n".join([first, second, third])


def _reach_sentence(posture: IdentityPosture) -> str:
    count = len(posture.identities)
    identities = plural(count, "identity")
    if posture.blast_score is None:
        return (
            f"It acts through {identities}, but its identity blast radius is unknown because its "
            f"access is not recorded ({posture.blast_unknown}), which is not the same as a low one."
        )
    return (
        f"Through {identities} it reaches {plural(len(posture.resources), 'resource')}; its "
        f"identity blast radius is {posture.blast_score} of 100 ({posture.blast_tier}), with a "
        f"longest delegation chain of {plural(posture.longest_chain, 'hop')}."
    )


def key_messages(
    frameworks: Sequence[FrameworkResult],
    posture: IdentityPosture,
    findings: Sequence[Finding],
    gate: QualityReport,
    *,
    client: bool = False,
) -> tuple[str, ...]:
    """Return short bullets: weakest areas, blast radius, hygiene, open findings, gate.

    The quality gate's verdict is an internal check: a client report leaves it out.
    """
    messages = []
    nodes = [n for fw in frameworks for n in fw.at_depth(1) if n.mean is not None]
    weakest = sorted(nodes, key=lambda n: -(n.gap or 0))[:_WEAKEST]
    weakest = [n for n in weakest if (n.gap or 0) > 0]
    if weakest:
        names = "; ".join(f"{n.title} (gap {n.gap:.1f})" for n in weakest if n.gap is not None)
        messages.append(f"Largest gaps to target: {names}.")
    if posture.blast_score is None:
        messages.append(
            f"Identity blast radius unknown: access not recorded ({posture.blast_unknown}); "
            "an unknown blast radius is not a low one."
        )
    else:
        messages.append(
            f"Identity blast radius {posture.blast_text} over "
            f"{plural(len(posture.resources), 'reachable resource')}."
        )
    if posture.hygiene:
        messages.append(
            f"{plural(len(posture.hygiene), 'identity hygiene finding')} on this system."
        )
    open_findings = _open(findings)
    if open_findings:
        messages.append(f"{plural(len(open_findings), 'open finding')} in the action plan.")
    if not client:  # the quality gate is the assessment team's check, not the client's news
        messages.append(_gate_message(gate))
    return tuple(messages)


def _gate_message(gate: QualityReport) -> str:
    if gate.errors:
        return f"Quality gate: {plural(len(gate.errors), 'error')} to clear before signing."
    if gate.warnings:
        return f"Quality gate passed with {plural(len(gate.warnings), 'warning')}."
    return "Quality gate passed without warnings."


def _titled(title: str, version: str) -> str:
    """Return a framework's title with its version, unless the title already names it."""
    return title if not version or version in title else f"{title} {version}"


def scope(
    info: AssessmentInfo, system: SystemProfile, frameworks: Sequence[FrameworkVersion]
) -> str:
    """Return what was assessed and how the scope was chosen."""
    sets = "; ".join(f"{_titled(f.title, f.version)} ({f.scope})" for f in frameworks)
    if info.organisation:
        return (
            f"This is the organisation assessment of the engagement: it answers once, for every "
            f"AI system, the questions whose scope is the organisation. Frameworks and scope: "
            f"{sets}. The target maturity is {info.target_level}."
        )
    inherited = (
        f" {info.inherited} of the {info.questions} answers are inherited from the "
        "organisation assessment"
        + (f"; {plural(info.overridden, 'organisation answer')} "
           f"{'was' if info.overridden == 1 else 'were'} overridden for this system"
           if info.overridden else "")
        + "."
        if info.inherited or info.overridden
        else ""
    )  # fmt: skip
    return (
        f"This assessment covers the AI system {system.system_id} "
        f"({system.name or 'unnamed'}) and the identities it can act as. Frameworks and scope: "
        f"{sets}. The target maturity is {info.target_level}, set from the system's "
        f"{system.risk_tier or 'unrated'} risk tier unless the assessor overrode it for a "
        "question. Questions that apply only to systems that act were kept or left out from the "
        "autonomy and tools recorded in the inventory." + inherited
    )


def data_sources(
    workspace: Workspace,
    evidence: Sequence[EvidenceItem],
    answers: Sequence[Answer],
    journal_seq: int,
    journal_hash: str,
) -> tuple[str, ...]:
    """Return where the facts came from, ending with the workspace history fingerprint."""
    from app.services.inventory_import import latest_runs

    sources = []
    runs = latest_runs(workspace, limit=1)
    if runs:
        run = runs[0]
        applied = run["applied_at"].date().isoformat() if run["applied_at"] else "?"
        sources.append(
            f"Inventory imported from {run['file_name']} on {applied} "
            f"(SHA-256 {run['file_sha256']})."
        )
    people = sorted({a.answered_by for a in answers if a.answered_by})
    answered = sum(1 for a in answers if a.level is not None or a.not_applicable)
    sources.append(
        f"{answered} answers recorded in Assay" + (f" by {', '.join(people)}." if people else ".")
    )
    sources.append(
        f"{plural(len(evidence), 'evidence file')}, stored in the workspace and listed with "
        "their SHA-256 in the evidence index."
    )
    sources.append(
        f"Workspace history: {plural(journal_seq, 'journal entry')}, "
        f"head hash {journal_hash or 'none'}."
    )
    return tuple(sources)


def limitations(gate: QualityReport, info: AssessmentInfo, *, client: bool = False) -> str:
    """Return the limits of the assessment.

    The internal profile adds what the quality gate still reports; a client report does not
    carry the assessment team's own checks.
    """
    text = (
        "The assessment relies on the inventory, interviews and evidence provided during the "
        "assessment period; controls were not tested beyond the evidence listed. Answers marked "
        "self-declared carry less confidence than those backed by documents, observation or tests."
    )
    if info.status != "final":
        text += f" The assessment is {info.status}: figures may still change."
    if not client and (gate.errors or gate.warnings):
        text += (
            f" At the time of the report the quality gate reported "
            f"{plural(len(gate.errors), 'error')} and {plural(len(gate.warnings), 'warning')}"
        )
        first = (gate.errors or gate.warnings)[0].message
        text += f", first: {first}."
    return text


def attestation(document: DocumentControl, info: AssessmentInfo) -> str:
    """Return the assessor's statement printed on the signature page."""
    who = document.assessor or "The assessor"
    return (
        f"{who} performed this assessment of {info.system} with due professional care, "
        "recorded every answer and piece of evidence in the workspace named in this report, "
        "and states that the results reflect that record on the date of this report."
    )
