"""The OSCAL assessment plan of an assessment: what was assessed, against what, by whom.

Assay keeps no OSCAL system security plan, so ``import-ssp`` points at a back-matter resource
that names the AI system's inventory entry. The plan defines the AI system as a component
(``this-system``) and its identities as inventory items, every question asked as a local
assessment objective of its control, the reviewed controls, the subjects, the assessor and
reviewer, and one task: answering the questionnaire.
"""

from __future__ import annotations

import logging

from app.services.oscal.common import (
    JSON,
    compact,
    latest,
    metadata,
    prop,
    props,
    publication_resource,
    timestamp,
)
from app.services.oscal.content import content_file_name, control_id, objective_id
from app.services.oscal.gather import ROLES, OscalInputs
from app.support.text import plural

logger = logging.getLogger(__name__)

PLAN_FILE = "assessment-plan.json"

_STATES = {"retired": "disposition", "development": "under-development", "pilot": "operational"}


def system_component_uuid(data: OscalInputs) -> str:
    """Return the UUID of the AI system's component."""
    return data.uuid("component", data.system.row.ext_id)


def identity_item_uuid(data: OscalInputs, identity: str) -> str:
    """Return the UUID of an identity's inventory item."""
    return data.uuid("inventory-item", identity)


def document_metadata(data: OscalInputs, title: str) -> JSON:
    """Return the metadata every assessment document shares, with a deterministic date."""
    info = data.loaded.info
    answered = [r.answered_at for r in data.responses.values()]
    changed = latest(info.created_at, info.submitted_at, info.finalized_at, *answered)
    return metadata(
        title,
        timestamp(changed) or "1970-01-01T00:00:00Z",
        f"{info.status}",
        published=timestamp(info.finalized_at),
        roles=ROLES,
        parties=data.parties(),
        responsible=data.responsible(),
        extra={"props": [prop("assessment-id", info.id), prop("assessment-status", info.status)]},
    )


def reviewed_controls(data: OscalInputs) -> JSON:
    """Return the reviewed controls: every control with a question in scope."""
    ids = list(dict.fromkeys(control_id(fw, q) for fw, q in data.entries()))
    return {
        "description": "The controls of the frameworks in scope that the questionnaire covers.",
        "control-selections": [{"include-controls": [{"control-id": cid} for cid in ids]}],
        "links": [
            {"href": content_file_name(fw), "rel": "reference"} for fw in data.loaded.frameworks
        ],
    }


def system_resource(data: OscalInputs) -> JSON:
    """Return the resource that stands in for a system security plan."""
    system = data.system.row
    return {
        "uuid": data.uuid("system-of-record", system.ext_id),
        "title": f"Assay inventory entry {system.ext_id}: {system.name}",
        "description": "The AI system as recorded in the Assay workspace; no OSCAL SSP exists.",
        "props": [prop("system-id", system.ext_id)],
    }


def framework_resources(data: OscalInputs) -> list[JSON]:
    """Return one resource per framework version in scope, with its DOI or address."""
    out = []
    for fw in data.loaded.frameworks:
        resource = publication_resource(f"{fw.id}:{fw.version}", fw.title, fw.identifier, None)
        resource["props"] = [prop("framework-id", fw.id), prop("version", fw.version)]
        out.append(resource)
    return out


def component(data: OscalInputs) -> JSON:
    """Return the AI system as an OSCAL component of type ``this-system``."""
    detail = data.system
    row = detail.row
    return compact(
        {
            "uuid": system_component_uuid(data),
            "type": "this-system",
            "title": row.name or row.ext_id,
            "description": detail.description or f"AI system {row.ext_id}.",
            "props": [
                prop("asset-id", row.ext_id, ns=None),
                *props(
                    {
                        "provider": detail.provider,
                        "model": detail.model,
                        "autonomy": row.autonomy,
                        "environment": row.environment,
                        "data-classification": row.data_classification,
                        "exposure": row.exposure,
                        "owner": row.owner,
                        "business-unit": row.business_unit,
                        "risk-tier": data.loaded.info.risk_tier,
                    }
                ),
            ],
            "status": {"state": _STATES.get(row.lifecycle_stage or "", "operational")},
        }
    )


def _inventory_items(data: OscalInputs) -> list[JSON]:
    items = []
    for identity in data.identities:
        values = {
            "identity-kind": identity.kind,
            "provider": identity.provider,
            "owner": identity.owner,
            "environment": identity.environment,
            "last-rotated": identity.last_rotated,
            "last-used": identity.last_used,
            "expires": identity.expires,
            "grants": identity.grants,
        }
        items.append(
            {
                "uuid": identity_item_uuid(data, identity.ext_id),
                "description": f"{identity.name or identity.ext_id} (identity {identity.ext_id})",
                "props": [prop("asset-id", identity.ext_id, ns=None), *props(values)],
                "implemented-components": [{"component-uuid": system_component_uuid(data)}],
            }
        )
    return items


def _objectives(data: OscalInputs) -> list[JSON]:
    out = []
    for framework, question in data.entries():
        out.append(
            {
                "control-id": control_id(framework, question),
                "description": question.title,
                "props": [prop("framework-id", framework.id), prop("question-id", question.id)],
                "parts": [
                    {
                        "id": objective_id(question),
                        "name": "assessment-objective",
                        "prose": question.prompt,
                    }
                ],
            }
        )
    return out


def subjects(data: OscalInputs) -> list[JSON]:
    """Return the assessment subjects: the AI system and each of its identities."""
    out: list[JSON] = [
        {
            "type": "component",
            "include-subjects": [
                {"subject-uuid": system_component_uuid(data), "type": "component"}
            ],
        }
    ]
    if data.identities:
        out.append(
            {
                "type": "inventory-item",
                "include-subjects": [
                    {"subject-uuid": identity_item_uuid(data, i.ext_id), "type": "inventory-item"}
                    for i in data.identities
                ],
            }
        )
    return out


def _task(data: OscalInputs) -> JSON:
    info = data.loaded.info
    return {
        "uuid": data.uuid("task", "questionnaire"),
        "type": "action",
        "title": "Answer the questionnaire",
        "description": (
            f"Answer {plural(info.questions, 'question')} on the 0-5 maturity scale against a "
            f"target of {info.target_level}, with notes and evidence."
        ),
        "responsible-roles": [
            {"role-id": "assessor", "party-uuids": [data.assessor["uuid"]]},
            *(
                [{"role-id": "reviewer", "party-uuids": [data.reviewer["uuid"]]}]
                if data.reviewer
                else []
            ),
        ],
    }


def plan_document(data: OscalInputs) -> JSON:
    """Return the assessment plan of an assessment."""
    info = data.loaded.info
    system_res = system_resource(data)
    return {
        "assessment-plan": {
            "uuid": data.uuid("assessment-plan"),
            "metadata": document_metadata(data, f"Assessment plan: {info.title}"),
            "import-ssp": {"href": f"#{system_res['uuid']}"},
            "local-definitions": compact(
                {
                    "components": [component(data)],
                    "inventory-items": _inventory_items(data),
                    "objectives-and-methods": _objectives(data),
                }
            ),
            "reviewed-controls": reviewed_controls(data),
            "assessment-subjects": subjects(data),
            "assessment-assets": {
                "assessment-platforms": [
                    {"uuid": data.uuid("platform"), "title": "Assay (offline assessment workbench)"}
                ]
            },
            "tasks": [_task(data)],
            "back-matter": {"resources": [system_res, *framework_resources(data)]},
        }
    }
