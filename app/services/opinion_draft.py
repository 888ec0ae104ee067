"""A draft of the assessor's voice, generated from an assessment's results.

The draft proposes an opinion on the stated scale with its reason, an executive summary, the
key themes (the framework areas furthest from target) and scope limitations (unverified client
answers, unanswered questions, evidence still outstanding). It is only ever a starting point:
:func:`offer_draft` fills the fields nobody has written and leaves edited text alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.enums import SEVERITY_ORDER
from app.domain.review import OpinionRating
from app.services.assessments import get_assessment
from app.services.evidence_requests import RequestInfo, list_requests
from app.services.findings import FindingInfo, list_findings
from app.services.opinion import OpinionInfo, apply_draft
from app.services.provenance import Provenance, list_provenance
from app.services.scoring import AssessmentScore, score_assessment
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

#: Below this share of applicable questions at target the opinion is unsatisfactory.
UNSATISFACTORY_BELOW = 0.5
#: Below this share (or with a high finding open) it needs improvement.
SATISFACTORY_FROM = 0.85
KEY_THEMES = 4
_CLOSED = {"closed", "risk-accepted", "accepted"}


@dataclass(frozen=True)
class Results:
    """What a draft is written from."""

    score: AssessmentScore
    findings: Sequence[FindingInfo]
    provenance: Sequence[Provenance]
    requests: Sequence[RequestInfo]


def _open_by_severity(findings: Sequence[FindingInfo]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        if finding.status not in _CLOSED:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts


def draft_rating(results: Results) -> tuple[str, str]:
    """Return the proposed rating and its rationale."""
    overall = results.score.result.overall
    share = overall.at_target / overall.applicable if overall.applicable else 0.0
    severe = _open_by_severity(results.findings)
    reached = (
        f"{overall.at_target} of {overall.applicable} applicable questions "
        f"({share:.0%}) meet the target level"
    )
    if share < UNSATISFACTORY_BELOW or severe.get("critical"):
        rating = OpinionRating.UNSATISFACTORY
    elif share < SATISFACTORY_FROM or severe.get("high"):
        rating = OpinionRating.NEEDS_IMPROVEMENT
    else:
        rating = OpinionRating.SATISFACTORY
    serious = [plural(severe[s], f"{s} finding") for s in ("critical", "high") if severe.get(s)]
    tail = f"; {' and '.join(serious)} remain open" if serious else ""
    return rating.value, f"{reached}{tail}."


def draft_themes(score: AssessmentScore) -> list[str]:
    """Return the framework areas furthest from target, one line each."""
    depth = 3 if any(len(node.path) == 3 for node in score.result.nodes) else 2
    top = [
        node
        for node in score.result.nodes
        if len(node.path) == depth and node.applicable and node.at_target < node.applicable
    ]
    top.sort(key=lambda n: (n.at_target / n.applicable, -n.applicable))
    lines = []
    for node in top[:KEY_THEMES]:
        info = score.nodes.get(node.key)
        title = info.title if info is not None else node.key
        short = node.applicable - node.at_target
        lines.append(f"{title}: {short} of {node.applicable} questions below target")
    return lines


def draft_limitations(results: Results) -> list[str]:
    """Return what limits the assurance the results give."""
    overall = results.score.result.overall
    lines = []
    client = [p for p in results.provenance if p.source == "client" and not p.verified]
    if client:
        lines.append(
            f"{plural(len(client), 'answer')} rest on the client's self-assessment and "
            "were not verified by the assessor."
        )
    unanswered = overall.applicable - overall.answered
    if unanswered:
        lines.append(f"{plural(unanswered, 'applicable question')} were not answered.")
    waiting = [r for r in results.requests if r.status == "requested"]
    overdue = [r for r in waiting if r.overdue]
    if waiting:
        late = f" ({len(overdue)} overdue)" if overdue else ""
        lines.append(f"{plural(len(waiting), 'evidence request')} still outstanding{late}.")
    if overall.not_applicable:
        lines.append(
            f"{plural(overall.not_applicable, 'question')} were judged not applicable "
            "and not assessed."
        )
    return lines


def _open_text(findings: Sequence[FindingInfo]) -> str:
    severe = _open_by_severity(findings)
    total = sum(severe.values())
    if not total:
        return ""
    counts = ", ".join(f"{severe[s]} {s}" for s in SEVERITY_ORDER if severe.get(s))
    verb = "is" if total == 1 else "are"
    return f"{plural(total, 'finding')} {verb} open ({counts}). "


def draft_texts(results: Results) -> dict[str, str]:
    """Return the generated draft of every field of the assessor's voice."""
    info = results.score.assessment
    overall = results.score.result.overall
    rating, rationale = draft_rating(results)
    titles = [f.title or f.id for f in info.frameworks]
    against = titles[0] if len(titles) == 1 else f"{len(titles)} frameworks ({'; '.join(titles)})"
    subject = info.system_name or info.title or "the organisation"
    short = overall.answered - overall.at_target
    answered = (
        f"All {overall.applicable} applicable questions were answered"
        if overall.answered == overall.applicable
        else f"{overall.answered} of {overall.applicable} applicable questions were answered"
    )
    reached = (
        f"{answered}: {overall.at_target} meet the target and {short} fall short of it."
        if overall.answered
        else "No applicable question has been answered yet."
    )
    summary = (
        f"We assessed {subject} against {against} at a target maturity level of "
        f"{info.target_level}. {reached} {_open_text(results.findings)}"
        f"Our overall opinion: {rating}."
    )
    return {
        "rating": rating,
        "rationale": rationale,
        "executive_summary": summary,
        "key_themes": "\n".join(draft_themes(results.score)),
        "scope_limitations": "\n".join(draft_limitations(results)),
    }


def gather(workspace: Workspace, assessment_id: int) -> Results:
    """Read what a draft is written from.

    Raises:
        UserError: No such assessment.
    """
    get_assessment(workspace, assessment_id)
    return Results(
        score_assessment(workspace, assessment_id),
        list_findings(workspace, assessment_id=assessment_id),
        tuple(list_provenance(workspace, assessment_id).values()),
        list_requests(workspace, assessment_id),
    )


def offer_draft(workspace: Workspace, assessment_id: int) -> OpinionInfo:
    """Fill every field nobody has written with the generated draft; edited text stays.

    Raises:
        UserError: No such assessment, or it is final.
    """
    draft = draft_texts(gather(workspace, assessment_id))
    return apply_draft(workspace, assessment_id, draft)
