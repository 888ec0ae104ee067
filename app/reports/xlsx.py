"""The assessment workbook (openpyxl): summary, scores, responses, POA&M and inventory sheets.

Sheets: Summary, Scores, Responses, POA&M, Inventory, Identities, Evidence. Every sheet has
styled headers, set widths, frozen header rows, an autofilter and, where the client may edit,
highlighted cells with data validation. The Responses sheet is the client's working copy: fill
in Level, Justification, Evidence strength and Notes offline, then read it back with
:func:`app.reports.xlsx_import.read_responses_workbook`. No cell is ever a formula (see
:mod:`app.reports.xlsx_cells`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.domain.enums import EvidenceStrength, FindingStatus
from app.reports.errors import ReportError
from app.reports.html import css_colour
from app.reports.progress import ProgressArg, Steps
from app.reports.viewmodels import Answer, DocumentControl, NodeResult, ReportData
from app.reports.xlsx_cells import (
    Column,
    add_date_validation,
    add_list_validation,
    new_workbook,
    write_block,
    write_facts,
    write_table,
)
from app.reports.xlsx_requests import write_requests_sheet
from app.support.safe_files import SHARED_MODE, staged

logger = logging.getLogger(__name__)

SUMMARY_SHEET = "Summary"
RESPONSES_SHEET = "Responses"
ASSESSMENT_LABEL = "Assessment reference"
LEVEL_CHOICES = ("0", "1", "2", "3", "4", "5", "N/A")
STRENGTH_CHOICES = tuple(s.value for s in EvidenceStrength)
STATUS_CHOICES = tuple(s.value for s in FindingStatus)

# Headers of the Responses sheet; the importer finds columns by these names.
H_QUESTION_ID = "Question ID"
H_LEVEL = "Level (0-5 or N/A)"
H_JUSTIFICATION = "N/A justification"
H_STRENGTH = "Evidence strength"
H_NOTES = "Notes"


def _level_value(answer: Answer) -> int | str | None:
    if answer.not_applicable:
        return "N/A"
    return answer.level


def _response_columns(show_notes: bool) -> list[Column]:
    return [
        Column(H_QUESTION_ID, lambda a: a.question_id, 24),
        Column("Framework", lambda a: a.framework_id, 14),
        Column("Ref", lambda a: a.ref, 12),
        Column("Path", lambda a: a.path, 30, wrap=True),
        Column("Question", lambda a: a.title, 50, wrap=True),
        Column("Priority", lambda a: a.priority, 9),
        Column("Target", lambda a: a.target, 8),
        Column(H_LEVEL, _level_value, 12, editable=True),
        Column(H_JUSTIFICATION, lambda a: a.justification, 36, editable=True, wrap=True),
        Column(H_STRENGTH, lambda a: a.strength, 16, editable=True),
        Column(H_NOTES, lambda a: a.notes if show_notes else "", 40, editable=True, wrap=True),
        Column("Evidence files", lambda a: a.evidence, 30, wrap=True),
        Column("Flagged", lambda a: "yes" if a.flagged else "", 9),
        Column("Answered by", lambda a: a.answered_by, 16),
        Column("Answered at", lambda a: a.answered_at, 18, "yyyy-mm-dd hh:mm"),
        Column("Answer from", lambda a: a.source or "this system", 30, wrap=True),
        Column("Source and verification", lambda a: a.provenance, 34, wrap=True),
    ]


def _score_rows(data: ReportData) -> list[tuple[str, NodeResult]]:
    rows: list[tuple[str, NodeResult]] = []
    for framework in data.frameworks:
        rows.append((framework.framework_id, framework.overall))
        rows += [(framework.framework_id, node) for node in framework.nodes]
    return rows


_SCORE_COLUMNS = [
    Column("Framework", lambda r: r[0], 14),
    Column("Node", lambda r: r[1].id, 26),
    Column("Title", lambda r: ("  " * max(r[1].depth - 1, 0)) + r[1].title, 48),
    Column("Kind", lambda r: r[1].kind, 12),
    Column("Depth", lambda r: r[1].depth, 7),
    Column("Mean", lambda r: r[1].mean, 8, "0.0"),
    Column("Achieved", lambda r: r[1].achieved_level, 9),
    Column("Target", lambda r: r[1].target, 8, "0.0"),
    Column("Gap", lambda r: r[1].gap, 8, "0.0"),
    Column("Coverage", lambda r: r[1].coverage, 10, "0%"),
    Column("Completeness", lambda r: r[1].completeness, 12, "0%"),
    Column("Confidence", lambda r: r[1].confidence, 11, "0%"),
    Column("Questions", lambda r: r[1].questions, 10),
    Column("Applicable", lambda r: r[1].applicable, 10),
    Column("Answered", lambda r: r[1].answered, 10),
    Column("N/A", lambda r: r[1].not_applicable, 7),
]


def _finding_columns(milestones: dict[str, str]) -> list[Column]:
    return [
        Column("POA&M ID", lambda f: f.finding_id, 10),
        Column("Weakness", lambda f: f.title, 44, wrap=True),
        Column("Description", lambda f: f.detail, 50, wrap=True),
        Column("Severity", lambda f: f.severity, 10),
        Column("Source", lambda f: f.source, 12),
        Column("System", lambda f: f.system, 10),
        Column("Identity", lambda f: f.identity, 20),
        Column("Question", lambda f: f.question_ref, 12),
        Column("References", lambda f: f.references, 24, wrap=True),
        Column("Remediation", lambda f: f.recommendation, 50, wrap=True),
        Column("Owner", lambda f: f.owner, 18, editable=True),
        Column("Scheduled completion", lambda f: f.due_date, 14, "yyyy-mm-dd", editable=True),
        Column("Milestone", lambda f: milestones.get(f.finding_id, ""), 22, wrap=True),
        Column("Status", lambda f: f.status, 12, editable=True),
        Column("Evidence", lambda f: f.evidence, 24, wrap=True),
        Column("Comments", lambda f: "", 30, editable=True, wrap=True),
    ]


_INVENTORY_COLUMNS = [
    Column("id", lambda s: s.system_id, 12),
    Column("name", lambda s: s.name, 24),
    Column("description", lambda s: s.description, 50, wrap=True),
    Column("owner_name", lambda s: s.owner_name, 18),
    Column("owner_email", lambda s: s.owner_email, 26),
    Column("business_unit", lambda s: s.business_unit, 18),
    Column("provider", lambda s: s.provider, 18),
    Column("model", lambda s: s.model, 22),
    Column("lifecycle_stage", lambda s: s.lifecycle_stage, 14),
    Column("environment", lambda s: s.environment, 14),
    Column("autonomy", lambda s: s.autonomy, 18),
    Column("data_classification", lambda s: s.data_classification, 18),
    Column("exposure", lambda s: s.exposure, 10),
    Column("tools", lambda s: s.tools, 36, wrap=True),
    Column("tags", lambda s: s.tags, 20),
    Column("review_due", lambda s: s.review_due, 12, "yyyy-mm-dd"),
    Column("risk_tier", lambda s: s.risk_tier, 10),
    Column("risk_factor", lambda s: s.risk_factor, 28),
    Column("target_level", lambda s: s.target_level, 12),
    Column("risk_note", lambda s: s.risk_note, 34, wrap=True),
]

#: The blast tier cell of an identity whose access is not recorded (its score cell stays empty).
_UNKNOWN_BLAST = "unknown (access not recorded)"

_IDENTITY_COLUMNS = [
    Column("id", lambda i: i.identity_id, 22),
    Column("name", lambda i: i.name, 34),
    Column("kind", lambda i: i.kind, 16),
    Column("provider", lambda i: i.provider, 14),
    Column("owner", lambda i: i.owner, 18),
    Column("environment", lambda i: i.environment, 12),
    Column("created", lambda i: i.created, 12, "yyyy-mm-dd"),
    Column("last_rotated", lambda i: i.last_rotated, 12, "yyyy-mm-dd"),
    Column("last_used", lambda i: i.last_used, 12, "yyyy-mm-dd"),
    Column("expires", lambda i: i.expires, 12, "yyyy-mm-dd"),
    Column("revocation_procedure", lambda i: i.revocation_procedure, 36, wrap=True),
    Column("blast_score", lambda i: i.blast_score, 11),
    Column("blast_tier", lambda i: i.blast_tier or _UNKNOWN_BLAST, 11),
    Column("findings", lambda i: i.findings, 9),
]

_EVIDENCE_COLUMNS = [
    Column("File", lambda e: e.name, 36),
    Column("SHA-256", lambda e: e.sha256, 68),
    Column("Size (bytes)", lambda e: e.size, 12, "#,##0"),
    Column("Media type", lambda e: e.media_type, 24),
    Column("Collected by", lambda e: e.collected_by, 18),
    Column("Collected at", lambda e: e.collected_at, 18, "yyyy-mm-dd hh:mm"),
    Column("Description", lambda e: e.description, 44, wrap=True),
]


def _risk_text(data: ReportData) -> str:
    note = f"; {data.system.risk_note}" if data.system.risk_note else ""
    return f"{data.system.risk_tier}, target {data.system.target_level}{note}"


def _summary(ws: Any, data: ReportData, colour: str) -> None:
    doc = data.document
    facts = [
        ("Client", doc.client),
        ("Engagement", doc.engagement),
        (ASSESSMENT_LABEL, doc.assessment_ref),
        ("AI system", f"{data.system.system_id} {data.system.name}"),
        ("Report date", doc.report_date),
        ("Version and status", f"{doc.report_version} ({doc.status})"),
        ("Classification", doc.classification),
        ("Assessor", doc.assessor),
        ("Reviewer", doc.reviewer),
        ("Edition", data.profile),
        ("Risk tier and target", _risk_text(data)),
        ("Blast radius", data.identity.blast_text),
        ("Produced with", f"{doc.app_name} {doc.app_version}"),
    ]
    start = write_facts(ws, doc.title, colour, facts) + 2
    headers = ("Framework", "Version", "Mean", "Achieved", "Target", "Coverage", "Complete")
    rows = [
        (fw.title, fw.version, o.mean, o.achieved_level, o.target, o.coverage, o.completeness)
        for fw in data.frameworks
        for o in [fw.overall]
    ]
    write_block(ws, start, headers, rows, {3: "0.0", 5: "0.0", 6: "0%", 7: "0%"})
    ws.freeze_panes = "A3"


def _responses(ws: Any, data: ReportData, colour: str) -> None:
    columns = _response_columns(show_notes=not data.is_client)
    count = write_table(ws, columns, data.answers, header_colour=colour, freeze="C2")
    headers = [c.header for c in columns]
    add_list_validation(
        ws, headers.index(H_LEVEL) + 1, LEVEL_CHOICES, count, prompt="0-5, or N/A with a reason"
    )
    add_list_validation(
        ws,
        headers.index(H_STRENGTH) + 1,
        STRENGTH_CHOICES,
        count,
        prompt="How the answer is backed",
    )


def _findings(ws: Any, data: ReportData, colour: str) -> None:
    milestones: dict[str, str] = {}
    for action in data.actions:
        for finding_id in action.findings:
            milestones.setdefault(finding_id, action.milestone or action.title)
    columns = _finding_columns(milestones)
    count = write_table(ws, columns, data.findings, header_colour=colour, freeze="C2")
    headers = [c.header for c in columns]
    add_list_validation(
        ws, headers.index("Status") + 1, STATUS_CHOICES, count, prompt="Remediation status"
    )
    add_date_validation(ws, headers.index("Scheduled completion") + 1, count)


def write_workbook(data: ReportData, out_path: Path, progress: ProgressArg = None) -> None:
    """Write the assessment workbook.

    Args:
        data: The report's view-model (the client profile leaves notes out).
        out_path: The ``.xlsx`` file to write (written to a temporary name, then renamed).
        progress: Optional progress object or callable (see :mod:`app.reports.progress`).

    Raises:
        ReportCancelled: The progress object asked to stop.
        ReportError: The file cannot be written.
    """
    steps = Steps(progress)
    colour = css_colour(data.branding.primary_colour)
    wb, summary = new_workbook(SUMMARY_SHEET)
    _summary(summary, data, colour)
    steps.step(0.2, "Scores")
    write_table(wb.create_sheet("Scores"), _SCORE_COLUMNS, _score_rows(data), header_colour=colour)
    steps.step(0.4, "Responses")
    _responses(wb.create_sheet(RESPONSES_SHEET), data, colour)
    steps.step(0.6, "Findings")
    _findings(wb.create_sheet("POA&M"), data, colour)
    steps.step(0.8, "Inventory")
    write_table(
        wb.create_sheet("Inventory"), _INVENTORY_COLUMNS, [data.system], header_colour=colour
    )
    identities = data.identity.identities
    write_table(wb.create_sheet("Identities"), _IDENTITY_COLUMNS, identities, header_colour=colour)
    write_table(wb.create_sheet("Evidence"), _EVIDENCE_COLUMNS, data.evidence, header_colour=colour)
    write_requests_sheet(wb, data, colour)
    wb.properties.identifier = data.document.assessment_ref
    save_workbook(wb, out_path, data.document, steps)


def save_workbook(wb: Any, out_path: Path, document: DocumentControl, steps: Steps) -> None:
    """Set the workbook's title and author, save it under a temporary name, move it into place.

    Raises:
        ReportError: The file cannot be written.
    """
    wb.properties.title = document.title
    wb.properties.creator = document.assessor
    steps.step(0.95, "Saving")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with staged(out_path, SHARED_MODE) as temporary:
            wb.save(temporary)
    except OSError as exc:
        raise ReportError(f"Cannot write {out_path.name}: {exc.strerror or exc}") from exc
    logger.info("wrote workbook %s", out_path.name)
    steps.step(1.0, "Workbook ready")
