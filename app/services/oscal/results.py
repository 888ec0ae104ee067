"""The OSCAL assessment results of an assessment.

One result holds the reviewed controls, one observation per answer, one finding per answered
question (its objective satisfied when the answer reaches the target, N/A counted as
satisfied and marked not applicable), the assessment's findings as risks, and the scores as
props in Assay's namespace: overall, and per framework with the framework id as the class.
Evidence files are back-matter resources with their SHA-256; the files themselves are written
next to the document.
"""

from __future__ import annotations

import logging
from typing import Any

from app.domain.enums import AssessmentStatus
from app.services.oscal.common import JSON, compact, latest, prop, timestamp
from app.services.oscal.gather import OscalInputs
from app.services.oscal.observations import (
    answered_entries,
    evidence_resource,
    observation,
    question_finding,
    risk,
    risk_uuid,
)
from app.services.oscal.plan import PLAN_FILE, document_metadata, reviewed_controls
from app.support.text import plural

logger = logging.getLogger(__name__)

RESULTS_FILE = "assessment-results.json"
_FIGURES = {
    "mean": "mean-maturity",
    "achieved_level": "achieved-level",
    "coverage": "coverage",
    "completeness": "completeness",
    "confidence": "confidence",
    "gap": "gap-to-target",
    "target": "target-level",
}


def score_props(data: OscalInputs) -> list[JSON]:
    """Return the overall and per-framework scores as Assay props."""
    scores = data.score.as_dict()
    out = _figures(scores["overall"], None)
    for node in scores["nodes"]:
        if node["depth"] == 0:
            out += _figures(node, node["id"])
    return out


def _figures(node: dict[str, Any], framework_id: str | None) -> list[JSON]:
    extra = {"class": framework_id} if framework_id else {}
    return [
        prop(name, node[key], **extra)
        for key, name in _FIGURES.items()
        if node.get(key) is not None
    ]


def _risks_by_question(data: OscalInputs) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for finding in data.findings:
        if finding.question_id:
            out.setdefault(finding.question_id, []).append(risk_uuid(data, finding))
    return out


def _unanswered_remark(status: str, unanswered: list[str]) -> str | None:
    """Name the questions without an answer; a final assessment is not waiting for them."""
    if not unanswered:
        return None
    final = status == AssessmentStatus.FINAL
    lead = "Left unanswered when finalised" if final else "Not answered yet"
    return f"{lead}: {', '.join(unanswered)}."


def _result(data: OscalInputs) -> JSON:
    info = data.loaded.info
    answered = answered_entries(data)
    risks = _risks_by_question(data)
    unanswered = [q.id for _fw, q in data.entries() if q.id not in {q.id for _, q in answered}]
    end = latest(info.finalized_at, *(r.answered_at for r in data.responses.values()))
    return compact(
        {
            "uuid": data.uuid("result"),
            "title": info.title,
            "description": (
                f"Maturity of {info.system} ({info.system_name}) on the 0-5 scale against a "
                f"target of {info.target_level}; {len(answered)} of "
                f"{plural(info.questions, 'question')} answered. Scoring method: "
                + data.score.method
            ),
            "start": timestamp(info.created_at),
            "end": timestamp(end),
            "props": score_props(data),
            "reviewed-controls": reviewed_controls(data),
            "observations": [observation(data, fw, q) for fw, q in answered],
            "risks": [risk(data, f) for f in data.findings],
            "findings": [question_finding(data, fw, q, risks.get(q.id, [])) for fw, q in answered],
            "remarks": _unanswered_remark(info.status, unanswered),
        }
    )


def results_document(data: OscalInputs) -> JSON:
    """Return the assessment results of an assessment."""
    info = data.loaded.info
    return {
        "assessment-results": compact(
            {
                "uuid": data.uuid("assessment-results"),
                "metadata": document_metadata(data, f"Assessment results: {info.title}"),
                "import-ap": {"href": PLAN_FILE},
                "results": [_result(data)],
                "back-matter": compact(
                    {"resources": [evidence_resource(data, e) for e in data.evidence.values()]}
                ),
            }
        )
    }
