"""Read back the Review comments sheet of a returned internal assessment workbook.

Columns are found by header; every problem names the sheet, row and column with a reason.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from app.reports import xlsx_review as sheet
from app.reports.sheet_rows import RowReader, SheetProblem, filled_rows, sheet_with_columns
from app.reports.xlsx_import import open_workbook

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReviewSheetRow:
    """One row as the returned sheet holds it (None: the cell was blank).

    ``number`` is None on a row the reviewer added: a new comment.
    """

    row: int
    number: int | None
    about: str | None
    text: str | None
    status: str | None
    resolution: str | None


def _read_row(reader: RowReader) -> ReviewSheetRow | None:
    number_text = reader.text(sheet.H_NUMBER)
    number = int(number_text) if number_text and number_text.isdigit() else None
    if number_text and number is None:
        reader.problem(sheet.H_NUMBER, f"must be a comment number, not '{number_text[:40]}'")
    status = (reader.text(sheet.H_STATUS) or "").lower() or None
    if status is not None and status not in sheet.STATUS_CHOICES:
        reader.problem(sheet.H_STATUS, f"must be open or resolved, not '{status[:40]}'")
    found = ReviewSheetRow(
        reader.row, number, reader.text(sheet.H_ABOUT), reader.text(sheet.H_COMMENT), status,
        reader.text(sheet.H_RESOLUTION),
    )  # fmt: skip
    if number is None and not reader.problems and found.text is None:
        reader.problem(sheet.H_COMMENT, "a new comment needs its text (or clear the row)")
    return None if reader.problems else found


def read_review_sheet(path: Path) -> tuple[tuple[ReviewSheetRow, ...], tuple[SheetProblem, ...]]:
    """Read the Review comments sheet of a returned internal workbook.

    Returns:
        The rows without a problem and every problem found (sheet, row, column, reason).

    Raises:
        WorkbookImportError: Not a workbook, no such sheet, or a column missing from row 1.
    """
    wb = open_workbook(path)
    required = (sheet.H_NUMBER, sheet.H_ABOUT, sheet.H_COMMENT, sheet.H_STATUS, sheet.H_RESOLUTION)
    ws, headers = sheet_with_columns(
        wb, path.name, sheet.REVIEW_SHEET, required, " (only the internal edition has one)"
    )
    rows: list[ReviewSheetRow] = []
    problems: list[SheetProblem] = []
    for number, cells in filled_rows(ws):
        reader = RowReader(sheet.REVIEW_SHEET, cells, headers, number)
        found = _read_row(reader)
        problems += reader.problems
        if found is not None:
            rows.append(found)
    return tuple(rows), tuple(problems)
