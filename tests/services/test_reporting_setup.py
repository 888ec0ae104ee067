"""A realistic workspace for the reporting tests, built only through the real services.

``build_report_workspace(folder)`` imports a small inventory (with an ARN and an access key id
as identity ids), records the engagement, runs a first assessment to final, re-assesses it
(so the report has a previous assessment to compare with), answers every question, links an
evidence file and adds a manual finding. The CLI and GUI tests load this module by path.
The tests at the bottom check the builder itself.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path

ARN = "arn:aws:iam::123456789012:role/agent-runner"
KEY_ID = "AKIAIOSFODNN7EXAMPLE"
SECRET_NOTE = "Internal remark ZEBRA4471"
FRAMEWORKS = ("nist-ir-8596", "owasp-nhi")

_SYSTEMS = [
    {
        "id": "AIS-001",
        "name": "Claims triage agent",
        "description": "Reads incoming claims and drafts a triage decision",
        "owner_name": "Maria Example",
        "owner_email": "maria@example.com",
        "business_unit": "Claims",
        "provider": "Example AI",
        "model": "model-4",
        "lifecycle_stage": "production",
        "environment": "production",
        "autonomy": "autonomous",
        "data_classification": "restricted",
        "exposure": "internal",
        "tools": "claims-db; email-gateway",
        "identities": f"{ARN}; {KEY_ID}",
    }
]
_IDENTITIES = [
    {
        "id": ARN,
        "name": "Agent runner role",
        "kind": "role",
        "provider": "AWS",
        "owner_email": "platform@example.com",
        "systems": "AIS-001",
        "environment": "production",
        "created": dt.date(2025, 1, 10),
        "revocation_procedure": "Detach the role policy",
    },
    {
        "id": KEY_ID,
        "name": "Legacy access key",
        "kind": "api-key",
        "provider": "AWS",
        "owner_email": "",
        "systems": "AIS-001",
        "environment": "production",
        "created": dt.date(2024, 1, 5),
    },
    {
        "id": "svc-admin",
        "name": "Production admin role",
        "kind": "role",
        "provider": "AWS",
        "owner_email": "platform@example.com",
        "environment": "production",
        "created": dt.date(2024, 6, 1),
        "revocation_procedure": "Remove the trust policy",
    },
]
_RESOURCES = [
    {"id": "claims-db", "name": "Claims database", "kind": "database",
     "environment": "production", "sensitivity": "restricted"},
    {"id": "email-gateway", "name": "E-mail gateway", "kind": "api",
     "environment": "production", "sensitivity": "internal"},
]  # fmt: skip
_GRANTS = [
    {"identity": ARN, "resource": "email-gateway", "action": "execute", "scope": "send"},
    {"identity": "svc-admin", "resource": "claims-db", "action": "admin", "scope": "*"},
]
_DELEGATIONS = [{"from_identity": ARN, "to_identity": "svc-admin", "kind": "assume-role"}]


@dataclass(frozen=True)
class ReportWorkspace:
    """The built workspace file and the ids a test needs."""

    path: Path
    assessment_id: int
    previous_id: int
    evidence_file: Path


def write_inventory(path: Path) -> Path:
    """Write the inventory workbook with canonical sheet names and headers."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, rows in (
        ("AI systems", _SYSTEMS),
        ("Identities", _IDENTITIES),
        ("Resources", _RESOURCES),
        ("Grants", _GRANTS),
        ("Delegations", _DELEGATIONS),
    ):
        sheet = book.create_sheet(title)
        headers = list(dict.fromkeys(k for row in rows for k in row))
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(h) for h in headers])
    book.save(path)
    return path


def answer_all(ws, assessment_id: int, evidence_id: int | None, *, skip: str = "") -> None:
    """Answer every question: levels cycle 1–4, one N/A with a reason, notes on some."""
    from app.services import assessments

    responses = assessments.list_responses(ws, assessment_id)
    for number, response in enumerate(responses):
        qid = response.question_id
        if qid == skip:
            continue
        if number == 1:
            assessments.answer(ws, assessment_id, qid, "na", note="Not used by this system")
            continue
        level = 1 + number % 4
        links = [evidence_id] if evidence_id is not None and level >= 3 else []
        assessments.answer(
            ws,
            assessment_id,
            qid,
            level,
            note=f"{SECRET_NOTE} about {KEY_ID}" if number == 0 else None,
            strength="document" if level >= 3 else None,
            evidence_ids=links,
        )


def build_report_workspace(folder: Path) -> ReportWorkspace:
    """Build the workspace in ``folder`` through the real services and return its ids."""
    from app.services import assessments
    from app.services.engagement import update_engagement
    from app.services.evidence import add_evidence
    from app.services.findings import create_finding
    from app.services.identity_analysis import refresh_identity_findings
    from app.services.inventory_import import import_inventory
    from app.services.workspace import open_workspace

    folder.mkdir(parents=True, exist_ok=True)
    ws = open_workspace(folder / "report.assay", actor="tester")
    try:
        update_engagement(
            ws,
            client="Example Insurance",
            title="AI assurance 2026",
            assessor="Alex Assessor",
            assessor_organisation="Assurance Partners",
            reviewer="Rita Reviewer",
            classification="confidential",
        )
        import_inventory(ws, write_inventory(folder / "inventory.xlsx"))
        refresh_identity_findings(ws)
        evidence_file = folder / "access-review.txt"
        evidence_file.write_text("Quarterly access review minutes\n", encoding="utf-8")
        evidence = add_evidence(ws, evidence_file, description="Access review minutes")
        first = assessments.new_assessment(
            ws, "AIS-001", list(FRAMEWORKS), focus_areas=["secure"], max_priority=1, target=3
        )
        answer_all(ws, first.id, evidence.id)
        assessments.submit_for_review(ws, first.id)
        assessments.finalize(ws, first.id)
        second = assessments.reassess(ws, first.id, title="Claims triage agent, second round")
        qid = assessments.list_responses(ws, second.id)[2].question_id
        assessments.answer(ws, second.id, qid, 4, note="Improved since the first round")
        create_finding(
            ws,
            title=f"Access key {KEY_ID} is shared with a batch job",
            severity="high",
            detail=f"The key {KEY_ID} and role {ARN} are used outside the agent.",
            recommendation="Issue the batch job its own short-lived credential.",
            assessment_id=second.id,
        )
        return ReportWorkspace(ws.path, second.id, first.id, evidence_file)
    finally:
        ws.close()


def copy_workspace(built: ReportWorkspace, folder: Path) -> ReportWorkspace:
    """Copy the built workspace file into ``folder`` (tests change their own copy)."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / built.path.name
    shutil.copy2(built.path, target)
    return ReportWorkspace(target, built.assessment_id, built.previous_id, built.evidence_file)


# --------------------------------------------------------------------------- tests of the builder


def test_the_built_workspace_is_ready_for_signing(tmp_path):
    from app.services.assessments import get_assessment
    from app.services.quality_gate import run_quality_gate
    from app.services.workspace import open_workspace

    built = build_report_workspace(tmp_path)
    ws = open_workspace(built.path, actor="tester")
    try:
        info = get_assessment(ws, built.assessment_id)
        assert info.previous_id == built.previous_id
        assert info.answered == info.questions > 20
        assert run_quality_gate(ws, built.assessment_id).errors == ()
    finally:
        ws.close()
