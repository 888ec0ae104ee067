"""Read back the Evidence requests sheet of a returned assessment workbook.

Columns are found by header; every problem names the sheet, row and column with a reason.
Only the status, the received date and the client's note come back.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.reports.errors import WorkbookImportError
from app.reports.sheet_rows import SheetProblem
from app.reports.sheet_rows import cell_text as _text
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


def _problem(row: int, column: str, message: str) -> SheetProblem:
    return SheetProblem(REQUESTS_SHEET, row, column, message)


def _date(value: Any, row: int, problems: list[SheetProblem]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(_problem(row, H_RECEIVED, f"'{text[:40]}' is not a date (YYYY-MM-DD)"))
        return None


def _read_row(cells: dict[str, Any], row: int) -> tuple[RequestRow | None, list[SheetProblem]]:
    problems: list[SheetProblem] = []
    for header, value in cells.items():
        if isinstance(value, str) and value.startswith("="):
            problems.append(_problem(row, header, "contains a formula; type the value itself"))
    number_text = _text(cells.get(H_NUMBER))
    if not number_text.isdigit():
        problems.append(_problem(row, H_NUMBER, f"must be the request number, not '{number_text}'"))
    status = _text(cells.get(H_STATUS)).lower() or None
    if status is not None and status not in STATUS_CHOICES:
        allowed = ", ".join(STATUS_CHOICES)
        problems.append(_problem(row, H_STATUS, f"must be one of {allowed}, not '{status[:40]}'"))
    received = _date(cells.get(H_RECEIVED), row, problems)
    if problems:
        return None, problems
    note = _text(cells.get(H_NOTE)) or None
    return RequestRow(int(number_text), status, received, note, row), []


def read_requests_sheet(path: Path) -> tuple[tuple[RequestRow, ...], tuple[SheetProblem, ...]]:
    """Read the Evidence requests sheet of a returned workbook.

    Returns:
        The valid rows and every problem found (sheet, row, column, reason).

    Raises:
        WorkbookImportError: The file is not a workbook, has no such sheet, or lacks a column.
    """
    wb = open_workbook(path)
    if REQUESTS_SHEET not in wb.sheetnames:
        raise WorkbookImportError(f"{path.name}: no sheet named '{REQUESTS_SHEET}'")
    ws = wb[REQUESTS_SHEET]
    header_cells = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
    headers = [_text(h) for h in header_cells]
    for required in (H_NUMBER, H_STATUS, H_RECEIVED):
        if required not in headers:
            raise WorkbookImportError(
                f"{path.name}, sheet {REQUESTS_SHEET}: column '{required}' is missing from row 1"
            )
    rows: list[RequestRow] = []
    problems: list[SheetProblem] = []
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(_text(v) == "" for v in values):
            continue
        found, row_problems = _read_row(dict(zip(headers, values, strict=False)), number)
        problems += row_problems
        if found is not None:
            rows.append(found)
    return tuple(rows), tuple(problems)
