"""Read back the Evidence requests sheet of a returned assessment workbook.

Columns are found by header; every problem names the sheet, row and column with a reason.
Only the status, the received date and the client's note come back.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from app.reports.sheet_rows import RowReader, SheetProblem, filled_rows, sheet_with_columns
from app.reports.xlsx_import import open_workbook
from app.reports.xlsx_requests import (
    H_NOTE,
    H_NUMBER,
    H_RECEIVED,
    H_STATUS,
    REQUESTS_SHEET,
    STATUS_CHOICES,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One request's columns as the returned sheet holds them (None: the cell was blank)."""

    number: int
    status: str | None
    received_on: dt.date | None
    note: str | None
    row: int


def _read_row(reader: RowReader) -> RequestRow | None:
    number_text = reader.text(H_NUMBER) or ""
    if not number_text.isdigit():
        reader.problem(H_NUMBER, f"must be the request number, not '{number_text[:40]}'")
    status = (reader.text(H_STATUS) or "").lower() or None
    if status is not None and status not in STATUS_CHOICES:
        allowed = ", ".join(STATUS_CHOICES)
        reader.problem(H_STATUS, f"must be one of {allowed}, not '{status[:40]}'")
    received = reader.date(H_RECEIVED)
    note = reader.text(H_NOTE)
    if reader.problems:
        return None
    return RequestRow(int(number_text), status, received, note, reader.row)


def read_requests_sheet(path: Path) -> tuple[tuple[RequestRow, ...], tuple[SheetProblem, ...]]:
    """Read the Evidence requests sheet of a returned workbook.

    Returns:
        The valid rows and every problem found (sheet, row, column, reason).

    Raises:
        WorkbookImportError: The file is not a workbook, has no such sheet, or lacks a column.
    """
    wb = open_workbook(path)
    ws, headers = sheet_with_columns(
        wb, path.name, REQUESTS_SHEET, (H_NUMBER, H_STATUS, H_RECEIVED)
    )
    rows: list[RequestRow] = []
    problems: list[SheetProblem] = []
    for number, cells in filled_rows(ws):
        reader = RowReader(REQUESTS_SHEET, cells, headers, number)
        found = _read_row(reader)
        problems += reader.problems
        if found is not None:
            rows.append(found)
    return tuple(rows), tuple(problems)
