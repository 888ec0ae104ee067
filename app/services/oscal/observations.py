"""Observations, findings, risks and evidence resources shared by the results and the POA&M.

Observation methods come from how an answer is backed (Assay records an evidence strength, not
a separate provenance field): ``tested`` is TEST; ``document`` and ``observed`` are EXAMINE
(SP 800-53A's examine covers reviewing documents and observing activities); ``self-declared``
(the client said so, nobody verified it) is INTERVIEW with the prop ``verified=false``; no
strength but a linked file counts as a document; nothing at all is UNKNOWN.
"""

from __future__ import annotations

import logging
from pathlib import PurePosixPath

from app.catalog.schema import Framework, Question
from app.domain.enums import EvidenceStrength, FindingStatus
from app.domain.scoring import LEVEL_NAMES
from app.services.assessment_records import ResponseInfo
from app.services.evidence import EvidenceInfo
from app.services.findings import FindingInfo
from app.services.oscal.common import JSON, compact, file_part, prop, props, timestamp
from app.services.oscal.content import control_id, objective_id
from app.services.oscal.gather import OscalInputs
from app.services.oscal.plan import system_component_uuid
from app.services.scoring import effective_strength

logger = logging.getLogger(__name__)

EVIDENCE_FOLDER = "evidence"

METHODS = {
    EvidenceStrength.TESTED.value: "TEST",
    EvidenceStrength.OBSERVED.value: "EXAMINE",
    EvidenceStrength.DOCUMENT.value: "EXAMINE",
    EvidenceStrength.SELF_DECLARED.value: "INTERVIEW",
}
RISK_STATUS = {
    FindingStatus.OPEN.value: "open",
    FindingStatus.IN_PROGRESS.value: "remediating",
    FindingStatus.ACCEPTED.value: "deviation-approved",
    FindingStatus.RESOLVED.value: "closed",
}


def evidence_file(evidence: EvidenceInfo) -> str:
    """Return the path, relative to the export folder, an evidence file is written to."""
    name = PurePosixPath(evidence.file_name.replace("\\", "/")).name
    stem, dot, suffix = name.rpartition(".")
    safe = f"{file_part(stem)}.{file_part(suffix)}" if dot and stem else file_part(name)
    return f"{EVIDENCE_FOLDER}/{evidence.id}-{safe}"


def evidence_uuid(data: OscalInputs, evidence: EvidenceInfo) -> str:
    """Return the UUID of an evidence file's back-matter resource."""
    return data.uuid("evidence", evidence.id, evidence.sha256)


def evidence_resource(data: OscalInputs, evidence: EvidenceInfo) -> JSON:
    """Return an evidence file as a back-matter resource with its SHA-256."""
    return compact(
        {
            "uuid": evidence_uuid(data, evidence),
            "title": evidence.file_name,
            "description": evidence.description or None,
            "props": props(
                {
                    "collected-by": evidence.collected_by,
                    "collected-at": timestamp(evidence.collected_at),
                    "size": evidence.size,
                }
            ),
            "rlinks": [
                {
                    "href": evidence_file(evidence),
                    "media-type": evidence.media_type,
                    "hashes": [{"algorithm": "SHA-256", "value": evidence.sha256}],
                }
            ],
        }
    )


def answer_text(response: ResponseInfo, target: int) -> str:
    """Return an answer in words, e.g. "Level 2 (Repeatable) against a target of 3."."""
    if response.not_applicable:
        return f"Not applicable: {response.justification}"
    if response.level is None:
        return "Not answered."
    level = response.level
    return f"Level {level} ({LEVEL_NAMES[level]}) against a target of {target}."


def target_of(data: OscalInputs, response: ResponseInfo) -> int:
    """Return the target that applies to an answer."""
    override = response.target_override
    return data.loaded.info.target_level if override is None else override


PROVISIONAL = (
    "Provisional: the answer is flagged for review (for example carried from an earlier "
    "version of the question) and the assessor has not confirmed it yet."
)


def question_label(question: Question) -> str:
    """Return a question's reference with its IR 8596 focus area, e.g. ``GV.OC-02 (defend)``.

    IR 8596 asks one question per subcategory and focus area; without the focus area the
    observations of the three questions of one subcategory would carry the same title.
    """
    focus = f" ({question.focus_area.value})" if question.focus_area else ""
    return f"{question.ref}{focus}"


def observation_uuid(data: OscalInputs, question_id: str) -> str:
    """Return the UUID of the observation of one answer."""
    return data.uuid("observation", question_id)


def observation(data: OscalInputs, framework: Framework, question: Question) -> JSON:
    """Return the observation of one answered question."""
    response = data.responses[question.id]
    strength = effective_strength(response)
    target = target_of(data, response)
    actor = data.answerer(response)
    return compact(
        {
            "uuid": observation_uuid(data, question.id),
            "title": f"{question_label(question)}: {question.title}",
            "description": answer_text(response, target),
            "props": _answer_props(framework, question, response, strength, target),
            "methods": [METHODS.get(strength or "", "UNKNOWN")],
            "types": ["control-objective"],
            "origins": [
                {"actors": [{"type": "party", "actor-uuid": actor["uuid"], "role-id": "assessor"}]}
            ],
            "subjects": [{"subject-uuid": system_component_uuid(data), "type": "component"}],
            "relevant-evidence": [
                {
                    "href": f"#{evidence_uuid(data, data.evidence[e])}",
                    "description": _evidence(data, e),
                }
                for e in response.evidence_ids
                if e in data.evidence
            ],
            "collected": timestamp(response.answered_at or data.loaded.info.created_at),
            "remarks": response.notes or None,
        }
    )


def _evidence(data: OscalInputs, evidence_id: int) -> str:
    evidence = data.evidence[evidence_id]
    return f"{evidence.file_name} (SHA-256 {evidence.sha256})"


def _answer_props(
    framework: Framework,
    question: Question,
    response: ResponseInfo,
    strength: str | None,
    target: int,
) -> list[JSON]:
    level = response.level
    return props(
        {
            "framework-id": framework.id,
            "question-id": question.id,
            "control-id": control_id(framework, question),
            "focus-area": question.focus_area.value if question.focus_area else None,
            "maturity-level": "n/a" if response.not_applicable else level,
            "maturity-name": LEVEL_NAMES[level] if level is not None else None,
            "target-level": target,
            "evidence-strength": strength,
            "verified": "false" if strength == EvidenceStrength.SELF_DECLARED else None,
            "flagged-for-review": "true" if response.flagged else None,
            "reviewed": "true" if response.reviewed else None,
        }
    )


def question_finding(
    data: OscalInputs, framework: Framework, question: Question, risks: list[str]
) -> JSON:
    """Return the finding of one answered question: satisfied when at or above its target."""
    response = data.responses[question.id]
    target = target_of(data, response)
    satisfied = response.not_applicable or (response.level or 0) >= target
    status = {"state": "satisfied" if satisfied else "not-satisfied"}
    if not response.not_applicable:
        status["reason"] = "pass" if satisfied else "fail"
    if response.flagged:
        status["remarks"] = PROVISIONAL
    target_part = {
        "type": "objective-id",
        "target-id": objective_id(question),
        "title": question_label(question),
        "status": status,
    }
    if response.not_applicable:
        target_part["implementation-status"] = {"state": "not-applicable"}
    return compact(
        {
            "uuid": data.uuid("finding", question.id),
            "title": f"{question_label(question)}: {question.title}",
            "description": answer_text(response, target),
            "props": props(
                {
                    "question-id": question.id,
                    "maturity-level": "n/a" if response.not_applicable else response.level,
                    "target-level": target,
                    "gap": None if satisfied else target - (response.level or 0),
                    "priority": question.priority,
                    "flagged-for-review": "true" if response.flagged else None,
                }
            ),
            "target": target_part,
            "related-observations": [{"observation-uuid": observation_uuid(data, question.id)}],
            "related-risks": [{"risk-uuid": uuid} for uuid in risks],
        }
    )


def risk_uuid(data: OscalInputs, finding: FindingInfo) -> str:
    """Return the UUID of the risk an Assay finding becomes."""
    return data.uuid("risk", finding.id)


def risk(data: OscalInputs, finding: FindingInfo) -> JSON:
    """Return an Assay finding as an OSCAL risk, its recommendation as a remediation."""
    observed = finding.question_id if finding.question_id in _answered(data) else None
    return compact(
        {
            "uuid": risk_uuid(data, finding),
            "title": finding.title,
            "description": finding.detail or finding.title,
            "statement": finding.detail or finding.title,
            "props": [
                prop("finding-ref", f"F-{finding.id}"),
                *props(
                    {
                        "severity": finding.severity,
                        "source": finding.source,
                        "rule-id": finding.rule_id,
                        "question-id": finding.question_id,
                        "owner": finding.owner,
                        "identity": finding.identity,
                    }
                ),
                *(prop("reference", ref) for ref in finding.references),
            ],
            "status": RISK_STATUS.get(finding.status, "open"),
            "deadline": timestamp(finding.due_date),
            "remediations": _remediation(data, finding),
            "related-observations": (
                [{"observation-uuid": observation_uuid(data, observed)}] if observed else []
            ),
        }
    )


def _remediation(data: OscalInputs, finding: FindingInfo) -> list[JSON]:
    if not finding.recommendation:
        return []
    return [
        {
            "uuid": data.uuid("remediation", finding.id),
            "lifecycle": "recommendation",
            "title": f"Recommendation for F-{finding.id}",
            "description": finding.recommendation,
        }
    ]


def _answered(data: OscalInputs) -> set[str]:
    return {q for q, r in data.responses.items() if r.answered}


def answered_entries(data: OscalInputs) -> list[tuple[Framework, Question]]:
    """Return the answered questions in scope with their frameworks, in file order."""
    answered = _answered(data)
    return [(fw, q) for fw, q in data.entries() if q.id in answered]
