"""The assessment workbook (openpyxl): summary, scores, responses, POA&M and inventory sheets.

Sheets: Summary, Scores, Responses, POA&M, Inventory, Identities, Evidence, Evidence
requests, and (internal edition) Review comments. Every sheet has
styled headers, set widths, frozen header rows, an autofilter and, where the client may edit,
highlighted cells with data validation. The Responses sheet is the client's working copy: fill
in Level, Justification, Evidence strength and Notes offline, then read it back with
:func:`app.reports.xlsx_import.read_responses_workbook`. No cell is ever a formula (see
:mod:`app.reports.xlsx_cells`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.domain.enums import EvidenceStrength
from app.reports.errors import ReportError
from app.reports.html import css_colour
from app.reports.progress import ProgressArg, Steps
from app.reports.viewmodels import Answer, DocumentControl, IdentityView, NodeResult, ReportData
from app.reports.xlsx_cells import (
    Column,
    add_list_validation,
    new_workbook,
    write_block,
    write_facts,
    write_table,
)
from app.reports.xlsx_format import set_print_layouts
from app.reports.xlsx_requests import write_requests_sheet
from app.reports.xlsx_review import write_review_sheet
from app.support.safe_files import SHARED_MODE, staged

logger = logging.getLogger(__name__)

SUMMARY_SHEET = "Summary"
RESPONSES_SHEET = "Responses"
ASSESSMENT_LABEL = "Assessment reference"
LEVEL_CHOICES = ("0", "1", "2", "3", "4", "5", "N/A")
STRENGTH_CHOICES = tuple(s.value for s in EvidenceStrength)

# Headers of the Responses sheet; the importer finds columns by these names.
H_QUESTION_ID = "Question ID"
H_LEVEL = "Level (0-5 or N/A)"
H_JUSTIFICATION = "N/A justification"
H_STRENGTH = "Evidence strength"
H_NOTES = "Notes"
H_ANSWER_SOURCE = "Answer source"
H_VERIFICATION = "Verification"


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
        Column(H_ANSWER_SOURCE, lambda a: a.answer_source, 20),
        Column(H_VERIFICATION, lambda a: a.verification, 34, wrap=True),
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
    Column("Kind", lambda r: r[1].kind.replace("_", " ").capitalize(), 12),
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


_INVENTORY_COLUMNS = [
    Column("ID", lambda s: s.system_id, 12),
    Column("Name", lambda s: s.name, 24),
    Column("Description", lambda s: s.description, 50, wrap=True),
    Column("Owner name", lambda s: s.owner_name, 18),
    Column("Owner email", lambda s: s.owner_email, 26),
    Column("Business unit", lambda s: s.business_unit, 18),
    Column("Provider", lambda s: s.provider, 18),
    Column("Model", lambda s: s.model, 22),
    Column("Lifecycle stage", lambda s: s.lifecycle_stage, 14),
    Column("Environment", lambda s: s.environment, 14),
    Column("Autonomy", lambda s: s.autonomy, 18),
    Column("Data classification", lambda s: s.data_classification, 18),
    Column("Exposure", lambda s: s.exposure, 10),
    Column("Tools", lambda s: s.tools, 36, wrap=True),
    Column("Tags", lambda s: s.tags, 20),
    Column("Review due", lambda s: s.review_due, 12, "yyyy-mm-dd"),
    Column("Risk tier", lambda s: s.risk_tier, 10),
    Column("Risk factor", lambda s: s.risk_factor, 28),
    Column("Target level", lambda s: s.target_level, 12),
    Column("Risk note", lambda s: s.risk_note, 34, wrap=True),
]

#: The blast tier cell of an identity whose access is not recorded (its score cell stays empty).
_UNKNOWN_BLAST = "unknown (access not recorded)"


def _blast_score(identity: IdentityView) -> int | str:
    """The identity's blast radius, or "unknown" when its access is not recorded (never 0)."""
    return "unknown" if identity.blast_score is None else identity.blast_score


_MACHINE_KEY = re.compile(r"[a-z][a-z0-9_.\-]*")


def attribute_header(name: str) -> str:
    """Return an attribute's column header: a client's name as written, a machine key in words.

    Identity exports bring their own lower-case keys (``app_object_id``,
    ``source.azure-role-assignments``); they head columns as "App object ID" and
    "Source: azure role assignments".
    """
    if not _MACHINE_KEY.fullmatch(name):
        return name
    parts = []
    for part in name.split("."):
        words = [w for w in re.split(r"[_\-]", part) if w]
        parts.append(" ".join("ID" if w == "id" else w for w in words))
    text = ": ".join(p for p in parts if p)
    return text[:1].upper() + text[1:]


def with_attributes(columns: list[Column], rows: Sequence[Any]) -> list[Column]:
    """Return ``columns`` and one more per custom attribute any of ``rows`` carries.

    A custom attribute is headed by its own name (with "(custom)" added where a standard
    column has that name already), in name order.
    """
    names = sorted({name for row in rows for name, _ in row.attributes})
    taken = {c.header.lower() for c in columns}
    extra = [
        Column(
            f"{name} (custom)" if name.lower() in taken else attribute_header(name),
            lambda row, name=name: dict(row.attributes).get(name, ""),
            min(max(len(name) + 4, 14), 40),
            wrap=True,
            kind="",
        )
        for name in names
    ]
    return columns + extra


_IDENTITY_COLUMNS = [
    Column("ID", lambda i: i.identity_id, 22),
    Column("Name", lambda i: i.name, 34),
    Column("Kind", lambda i: i.kind, 16),
    Column("Provider", lambda i: i.provider, 14),
    Column("Owner", lambda i: i.owner, 18),
    Column("Environment", lambda i: i.environment, 12),
    Column("Created", lambda i: i.created, 12, "yyyy-mm-dd"),
    Column("Last rotated", lambda i: i.last_rotated, 12, "yyyy-mm-dd"),
    Column("Last used", lambda i: i.last_used, 12, "yyyy-mm-dd"),
    Column("Expires", lambda i: i.expires, 12, "yyyy-mm-dd"),
    Column("Revocation procedure", lambda i: i.revocation_procedure, 36, wrap=True),
    Column("Blast radius", _blast_score, 12),
    Column("Blast tier", lambda i: i.blast_tier or _UNKNOWN_BLAST, 14, wrap=True),
    Column("Findings", lambda i: i.findings, 9),
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
    from app.reports.xlsx_poam import write_poam  # deferred: it reads back through xlsx_import

    milestones: dict[str, str] = {}
    for action in data.actions:
        for finding_id in action.findings:
            milestones.setdefault(finding_id, action.milestone or action.title)
    write_poam(ws, data.findings, milestones, colour)


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
    systems = [data.system]
    inventory = with_attributes(_INVENTORY_COLUMNS, systems)
    write_table(wb.create_sheet("Inventory"), inventory, systems, header_colour=colour)
    identities = data.identity.identities
    columns = with_attributes(_IDENTITY_COLUMNS, identities)
    write_table(wb.create_sheet("Identities"), columns, identities, header_colour=colour)
    write_table(wb.create_sheet("Evidence"), _EVIDENCE_COLUMNS, data.evidence, header_colour=colour)
    write_requests_sheet(wb, data, colour)
    write_review_sheet(wb, data, colour)
    wb.properties.identifier = data.document.assessment_ref
    save_workbook(wb, out_path, data.document, steps)


def save_workbook(wb: Any, out_path: Path, document: DocumentControl, steps: Steps) -> None:
    """Set the workbook's title and author, save it under a temporary name, move it into place.

    Raises:
        ReportError: The file cannot be written.
    """
    wb.properties.title = document.title
    wb.properties.creator = document.assessor
    set_print_layouts(wb, client=document.client, classification=document.classification)
    steps.step(0.95, "Saving")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with staged(out_path, SHARED_MODE) as temporary:
            wb.save(temporary)
    except OSError as exc:
        raise ReportError(f"Cannot write {out_path.name}: {exc.strerror or exc}") from exc
    logger.info("wrote workbook %s", out_path.name)
    steps.step(1.0, "Workbook ready")
