"""The POA&M sheet of the assessment workbook, written with the findings and read back.

What comes back is the client's owner, due date, effort, management response, status and
accepted-risk details.

Columns are found by their header when read, so a client who moves or hides columns does no
harm. Every cell is checked; each problem names the sheet, row and column with a reason, and a
row with a problem is left out (the service refuses to apply a sheet with any problem).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.enums import FINDING_STATUS_LABELS, FindingStatus
from app.reports.sheet_rows import RowReader, SheetProblem, sheet_with_columns
from app.reports.viewmodels import Finding
from app.reports.xlsx_cells import Column, add_date_validation, add_list_validation, write_table
from app.reports.xlsx_import import open_workbook

logger = logging.getLogger(__name__)

POAM_SHEET = "POA&M"
H_ID = "POA&M ID"
H_OWNER = "Owner"
H_DUE = "Due date"
H_EFFORT = "Effort"
H_RESPONSE = "Management response"
H_STATUS = "Status"
H_JUSTIFICATION = "Risk acceptance justification"
H_APPROVER = "Risk accepted by"

#: The status words the sheet offers (the client's), and every spelling read back.
STATUS_WORDS = tuple(FINDING_STATUS_LABELS[s.value] for s in FindingStatus)
_STATUS_READ = (
    {label.lower(): value for value, label in FINDING_STATUS_LABELS.items()}
    | {s.value: s.value for s in FindingStatus}
    | {"in progress": "in-progress", "closed": "resolved", "accepted": "accepted"}
)
EFFORT_WORDS = ("Low", "Medium", "High")
_ID = re.compile(r"^F-(\d+)$", re.IGNORECASE)


def _criteria(finding: Finding) -> str:
    return "; ".join(
        f"{c.ref} {c.current or '-'} → {c.target or '-'}" if c.current else f"{c.ref}: {c.title}"
        for c in finding.criteria
    )


def poam_columns(milestones: dict[str, str]) -> list[Column]:
    """Return the POA&M sheet's columns; the client fills in the highlighted ones."""
    return [
        Column(H_ID, lambda f: f.finding_id, 10),
        Column("Finding", lambda f: f.title, 40, wrap=True),
        Column("Condition", lambda f: f.detail, 50, wrap=True),
        Column("Severity", lambda f: f.severity.capitalize(), 10),
        Column("Likelihood (1-5)", lambda f: f.likelihood, 11),
        Column("Impact (1-5)", lambda f: f.impact, 10),
        Column("Criteria", _criteria, 40, wrap=True),
        Column("Recommendation", lambda f: f.recommendation, 50, wrap=True),
        Column(H_OWNER, lambda f: f.owner, 22, editable=True),
        Column(H_DUE, lambda f: f.due_date, 13, "yyyy-mm-dd", editable=True),
        Column(H_EFFORT, lambda f: (f.effort or "").capitalize(), 10, editable=True),
        Column(H_RESPONSE, lambda f: f.management_response, 40, editable=True, wrap=True),
        Column(H_STATUS, lambda f: f.status_label or f.status, 13, editable=True),
        Column(H_JUSTIFICATION, lambda f: f.acceptance_justification, 36, editable=True,
               wrap=True),
        Column(H_APPROVER, lambda f: f.accepted_by, 20, editable=True),
        Column("Milestone", lambda f: milestones.get(f.finding_id, ""), 22, wrap=True),
        Column("Evidence", lambda f: f.evidence, 24, wrap=True),
    ]  # fmt: skip


def write_poam(
    ws: Any, findings: Sequence[Finding], milestones: dict[str, str], colour: str
) -> None:
    """Write the POA&M sheet with its drop-downs for status and effort and dates for due."""
    columns = poam_columns(milestones)
    count = write_table(ws, columns, findings, header_colour=colour, freeze="C2")
    headers = [c.header for c in columns]
    add_list_validation(ws, headers.index(H_STATUS) + 1, STATUS_WORDS, count,
                        prompt="Open, In progress, Risk accepted or Closed")  # fmt: skip
    add_list_validation(ws, headers.index(H_EFFORT) + 1, EFFORT_WORDS, count, prompt="Effort")
    add_date_validation(ws, headers.index(H_DUE) + 1, count)


@dataclass(frozen=True, slots=True)
class PoamRow:
    """One finding's tracking read from the sheet; None means the cell was blank."""

    row: int
    finding_id: int
    owner: str | None
    due_date: dt.date | None
    effort: str | None
    management_response: str | None
    status: str | None
    acceptance_justification: str | None
    accepted_by: str | None


@dataclass(frozen=True, slots=True)
class PoamSheet:
    """The rows read and the problems found."""

    rows: tuple[PoamRow, ...]
    problems: tuple[SheetProblem, ...]


class _Row(RowReader):
    def __init__(self, cells: tuple[Any, ...], headers: dict[str, int], row: int) -> None:
        super().__init__(POAM_SHEET, cells, headers, row)

    def status(self) -> str | None:
        text = self.text(H_STATUS)
        if text is None:
            return None
        found = _STATUS_READ.get(text.lower())
        if found is None:
            self.problem(H_STATUS, f"{text!r} is not one of {', '.join(STATUS_WORDS)}")
        return found

    def effort(self) -> str | None:
        text = self.text(H_EFFORT)
        if text is not None and text.capitalize() not in EFFORT_WORDS:
            self.problem(H_EFFORT, f"{text!r} is not one of {', '.join(EFFORT_WORDS)}")
            return None
        return text.lower() if text else None


def read_poam_workbook(path: Path) -> PoamSheet:
    """Read the POA&M sheet of a returned assessment workbook.

    Raises:
        WorkbookImportError: Not a workbook, or no POA&M sheet with a POA&M ID column.
    """
    wb = open_workbook(path)
    ws, headers = sheet_with_columns(wb, path.name, POAM_SHEET, (H_ID,))
    rows: list[PoamRow] = []
    problems: list[SheetProblem] = []
    for number, cells in enumerate(ws.iter_rows(min_row=2), start=2):
        reader = _Row(cells, headers, number)
        ident = reader.text(H_ID)
        if ident is None:
            continue
        match = _ID.match(ident)
        if match is None:
            reader.problem(H_ID, f"{ident!r} is not a POA&M ID such as F-12")
        read = PoamRow(
            number, int(match[1]) if match else 0, reader.text(H_OWNER), reader.date(H_DUE),
            reader.effort(), reader.text(H_RESPONSE), reader.status(),
            reader.text(H_JUSTIFICATION), reader.text(H_APPROVER),
        )  # fmt: skip
        problems += reader.problems
        if not reader.problems:
            rows.append(read)
    return PoamSheet(tuple(rows), tuple(problems))
