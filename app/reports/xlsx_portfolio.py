"""The portfolio workbook (openpyxl): the organisation's results once, then every AI system.

Sheets: Summary (engagement, date, journal head, the organisation assessment's results per
framework, focus area and function), Systems (one row per AI system with its own results and
how many of its answers are its own, inherited from the organisation or overridden), Heat map,
Identity KPIs and Top findings. It is written from the same view-model as the portfolio PDF;
no cell is ever a formula (see :mod:`app.reports.xlsx_cells`).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.reports.html import css_colour
from app.reports.progress import ProgressArg, Steps
from app.reports.viewmodels import PortfolioData, PortfolioSystem
from app.reports.xlsx import save_workbook
from app.reports.xlsx_cells import Column, new_workbook, put, write_block, write_facts, write_table
from app.reports.xlsx_format import maturity_scale

logger = logging.getLogger(__name__)

SUMMARY_SHEET = "Summary"
SYSTEMS_SHEET = "Systems"
HEATMAP_SHEET = "Heat map"
KPI_SHEET = "Identity KPIs"
FINDINGS_SHEET = "Top findings"
UNKNOWN = "unknown"


def _blast(system: PortfolioSystem) -> int | str:
    return UNKNOWN if system.blast_score is None else system.blast_score


def _word(value: str | None) -> str:
    """Return a stored value as the sheet shows it: ``in-review`` reads "In review"."""
    text = (value or "").replace("-", " ")
    return text[:1].upper() + text[1:]


_SYSTEM_COLUMNS = [
    Column("System ID", lambda s: s.system_id, 11),
    Column("Name", lambda s: s.name, 30, wrap=True),
    Column("Owner", lambda s: s.owner or UNKNOWN, 20),
    Column("Risk tier", lambda s: _word(s.risk_tier) or UNKNOWN, 11),
    Column("Why the tier is provisional", lambda s: s.risk_note, 28, wrap=True),
    Column("Target level", lambda s: s.target_level, 8),
    Column("Blast radius", _blast, 9),
    Column("Blast tier", lambda s: _word(s.blast_tier), 10),
    Column("Why the blast radius is unknown", lambda s: s.blast_unknown, 28, wrap=True),
    Column("Mean", lambda s: s.mean, 8, "0.0"),
    Column("Achieved level", lambda s: s.achieved_level, 9),
    Column("Coverage", lambda s: s.coverage, 10, "0%"),
    Column("Completeness", lambda s: s.completeness, 12, "0%"),
    Column("Open findings", lambda s: s.open_findings, 9),
    Column("Critical findings", lambda s: s.critical_findings, 9),
    Column("High findings", lambda s: s.high_findings, 9),
    Column("Assessment status", lambda s: _word(s.status), 14),
    Column("Own answers", lambda s: s.own_answers, 9),
    Column("Inherited answers", lambda s: s.inherited_answers, 10),
    Column("Overridden answers", lambda s: s.overridden_answers, 11),
]

_FINDING_COLUMNS = [
    Column("Finding", lambda f: f.finding_id, 10),
    Column("Severity", lambda f: _word(f.severity), 10),
    Column("System", lambda f: f.system, 10),
    Column("Identity", lambda f: f.identity, 20),
    Column("Title", lambda f: f.title, 48, wrap=True),
    Column("Recommendation", lambda f: f.recommendation, 50, wrap=True),
    Column("Owner", lambda f: f.owner, 18),
    Column("Due", lambda f: f.due_date, 12, "yyyy-mm-dd"),
    Column("Status", lambda f: f.status_label or _word(f.status), 12),
]

_RESULT_HEADERS = (
    "Framework", "Part", "Title", "Mean", "Achieved level", "Coverage", "Completeness",
)  # fmt: skip
_RESULT_FORMATS = {4: "0.0", 6: "0%", 7: "0%"}


def _facts(ws: Any, data: PortfolioData, journal_head: str, colour: str) -> int:
    """Write the title and the document facts; return the next free row."""
    doc = data.document
    facts = [
        ("Client", doc.client),
        ("Engagement", doc.engagement),
        ("Report date", doc.report_date),
        ("Journal head", journal_head),
        ("Classification", doc.classification),
        ("Assessor", doc.assessor),
        ("Edition", data.profile),
        ("Summary", data.summary),
        ("Produced with", f"{doc.app_name} {doc.app_version}"),
    ]
    return write_facts(ws, doc.title, colour, facts) + 1


def _organisation(ws: Any, data: PortfolioData, row: int) -> None:
    """Write the organisation assessment's results once, per framework and function."""
    from openpyxl.styles import Font

    org = data.organisation
    put(ws, row, 1, "Organisation assessment").font = Font(bold=True, size=12)
    if org is None:
        put(ws, row + 1, 1, "No organisation assessment in this workspace.")
        return
    line = f"{org.title} of {org.date} ({org.status}): {org.answered} of {org.questions} answered"
    put(ws, row + 1, 1, line)
    rows = [
        (r.framework, r.ref, r.title, r.mean, r.achieved_level, r.coverage, r.completeness)
        for r in org.results
    ]
    write_block(ws, row + 3, _RESULT_HEADERS, rows, _RESULT_FORMATS)
    for offset, result in enumerate(org.results, start=row + 4):
        if result.kind != "function":
            for cell in ws[offset]:
                cell.font = Font(bold=True)


def _summary(ws: Any, data: PortfolioData, journal_head: str, colour: str) -> None:
    row = _facts(ws, data, journal_head, colour)
    _organisation(ws, data, row)
    for letter, width in zip("ABCDEFG", (24, 12, 60, 8, 14, 10, 12), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"


def _heatmap(ws: Any, data: PortfolioData, colour: str) -> None:
    """Write each assessed system's mean maturity per framework function (as in the PDF)."""
    columns = [
        Column("System ID", lambda r: r.system_id, 11),
        Column("Name", lambda r: r.name, 30, wrap=True),
    ] + [
        Column(label, lambda r, i=i: r.values[i], 10, "0.0")
        for i, label in enumerate(data.heatmap_columns)
    ]
    count = write_table(ws, columns, data.heatmap, header_colour=colour, freeze="C2")
    maturity_scale(ws, 3, len(columns), count)


def _kpis(ws: Any, data: PortfolioData, colour: str) -> None:
    k = data.kpis
    rows = [
        ("Non-human identities", k.identities, ""),
        ("With a named owner", k.with_owner, "of the identities"),
        ("Over-privileged", k.over_privileged, "wildcard or admin scope, or unused grants"),
        ("Secrets whose rotation can be checked", k.rotation_tracked, ""),
        ("Not rotated", k.not_rotated, f"within {k.rotation_days} days"),
    ]
    columns = [
        Column("Figure", lambda r: r[0], 38),
        Column("Count", lambda r: r[1], 10),
        Column("Note", lambda r: r[2], 44, wrap=True),
    ]
    write_table(ws, columns, rows, header_colour=colour)


def write_portfolio_workbook(
    data: PortfolioData, journal_head: str, out_path: Path, progress: ProgressArg = None
) -> None:
    """Write the portfolio workbook.

    Args:
        data: The portfolio view-model (the same one the portfolio PDF is drawn from).
        journal_head: The journal head hash read in the same snapshot as ``data``.
        out_path: The ``.xlsx`` file to write (written to a temporary name, then renamed).
        progress: Optional progress object or callable (see :mod:`app.reports.progress`).

    Raises:
        ReportCancelled: The progress object asked to stop.
        ReportError: The file cannot be written.
    """
    steps = Steps(progress)
    colour = css_colour(data.branding.primary_colour)
    wb, summary = new_workbook(SUMMARY_SHEET)
    _summary(summary, data, journal_head, colour)
    steps.step(0.3, "Systems")
    write_table(
        wb.create_sheet(SYSTEMS_SHEET), _SYSTEM_COLUMNS, data.systems, header_colour=colour,
        freeze="C2",
    )  # fmt: skip
    _heatmap(wb.create_sheet(HEATMAP_SHEET), data, colour)
    steps.step(0.6, "Identity KPIs")
    _kpis(wb.create_sheet(KPI_SHEET), data, colour)
    write_table(
        wb.create_sheet(FINDINGS_SHEET), _FINDING_COLUMNS, data.top_findings, header_colour=colour
    )
    save_workbook(wb, out_path, data.document, steps)
