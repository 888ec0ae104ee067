"""The OSCAL plan of action and milestones (POA&M) of an assessment.

One POA&M item per finding of the assessment that is not resolved (gap findings, identity
findings about the system and its identities, findings entered by hand), each pointing at its
risk (the finding's condition, severity, owner, deadline and recommendation) and, for a
question's gap, at the OSCAL finding and the observation of that answer. Answers below target
that no recorded finding covers are grouped into one themed item per framework category (the
default theme of DESIGN §6). The document stands alone: it carries the system as a component
and the evidence its observations cite.
"""

from __future__ import annotations

import logging

from app.catalog.schema import Framework, Question
from app.domain.enums import FindingStatus
from app.services.findings import FindingInfo
from app.services.oscal.common import JSON, compact, props
from app.services.oscal.gather import OscalInputs
from app.services.oscal.observations import (
    answered_entries,
    evidence_resource,
    observation,
    observation_uuid,
    question_finding,
    risk,
    risk_uuid,
    target_of,
)
from app.services.oscal.plan import (
    component,
    document_metadata,
    system_component_uuid,
    system_resource,
)
from app.support.text import plural

logger = logging.getLogger(__name__)

POAM_FILE = "poam.json"


def _open(data: OscalInputs) -> list[FindingInfo]:
    return [f for f in data.findings if f.status != FindingStatus.RESOLVED]


def _item(data: OscalInputs, finding: FindingInfo, answered: set[str]) -> JSON:
    on_question = finding.question_id in answered
    return compact(
        {
            "uuid": data.uuid("poam-item", finding.id),
            "title": finding.title,
            "description": finding.recommendation or finding.detail or finding.title,
            "props": props(
                {
                    "finding-ref": f"F-{finding.id}",
                    "severity": finding.severity,
                    "status": finding.status,
                    "owner": finding.owner,
                    "due-date": finding.due_date.isoformat() if finding.due_date else None,
                }
            ),
            "related-findings": (
                [{"finding-uuid": data.uuid("finding", finding.question_id)}] if on_question else []
            ),
            "related-observations": (
                [{"observation-uuid": observation_uuid(data, finding.question_id)}]
                if on_question
                else []
            ),
            "related-risks": [{"risk-uuid": risk_uuid(data, finding)}],
        }
    )


def _below_target(data: OscalInputs, covered: set[str]) -> list[tuple[Framework, Question]]:
    out = []
    for framework, question in answered_entries(data):
        response = data.responses[question.id]
        level, target = response.level, target_of(data, response)
        if question.id not in covered and level is not None and level < target:
            out.append((framework, question))
    return out


def _themes(data: OscalInputs, gaps: list[tuple[Framework, Question]]) -> list[JSON]:
    groups: dict[tuple[str, str], list[tuple[Framework, Question]]] = {}
    for framework, question in gaps:
        groups.setdefault((framework.id, question.node), []).append((framework, question))
    items = []
    for (framework_id, node_id), members in groups.items():
        node = members[0][0].node(node_id)
        refs = ", ".join(dict.fromkeys(q.ref for _, q in members))
        items.append(
            {
                "uuid": data.uuid("poam-theme", framework_id, node_id),
                "title": f"{node.id} {node.title}: {plural(len(members), 'answer')} below target",
                "description": (
                    f"Raise {refs} ({framework_id}) to the target level; the findings list "
                    "each answer and its gap."
                ),
                "props": props({"theme": f"{framework_id}:{node_id}", "questions": len(members)}),
                "related-findings": [
                    {"finding-uuid": data.uuid("finding", q.id)} for _, q in members
                ],
                "related-observations": [
                    {"observation-uuid": observation_uuid(data, q.id)} for _, q in members
                ],
            }
        )
    return items


def poam_document(data: OscalInputs) -> JSON:
    """Return the POA&M of an assessment."""
    info = data.loaded.info
    findings = _open(data)
    questions = {f.question_id for f in findings if f.question_id}
    themed = _below_target(data, questions)
    entries = [(fw, q) for fw, q in answered_entries(data) if q.id in questions]
    answered = {q.id for _, q in entries}
    entries += themed
    risks_of = {
        q.id: [risk_uuid(data, f) for f in findings if f.question_id == q.id] for _, q in entries
    }
    cited = {e for _, q in entries for e in data.responses[q.id].evidence_ids}
    system_res = system_resource(data)
    return {
        "plan-of-action-and-milestones": compact(
            {
                "uuid": data.uuid("poam"),
                "metadata": document_metadata(data, f"Plan of action and milestones: {info.title}"),
                "import-ssp": {"href": f"#{system_res['uuid']}"},
                "system-id": {
                    "identifier-type": "http://ietf.org/rfc/rfc4122",
                    "id": system_component_uuid(data),
                },
                "local-definitions": {"components": [component(data)]},
                "observations": [observation(data, fw, q) for fw, q in entries],
                "risks": [risk(data, f) for f in findings],
                "findings": [question_finding(data, fw, q, risks_of[q.id]) for fw, q in entries],
                "poam-items": [
                    *(_item(data, f, answered) for f in findings),
                    *_themes(data, themed),
                ]
                or [_no_items(data)],
                "back-matter": {
                    "resources": [
                        system_res,
                        *(evidence_resource(data, data.evidence[e]) for e in sorted(cited)),
                    ]
                },
            }
        )
    }


def _no_items(data: OscalInputs) -> JSON:
    """Return the one item of a POA&M without open findings (OSCAL needs at least one)."""
    return {
        "uuid": data.uuid("poam-item", "none"),
        "title": "No open finding",
        "description": "The assessment has no finding left to remediate.",
    }
