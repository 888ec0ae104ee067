"""Reading one row of a sheet the client returned: cells by header, problems collected."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from app.reports.errors import WorkbookImportError

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SheetProblem:
    """A problem with one cell or row of the workbook."""

    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"sheet {self.sheet}, row {self.row}, column {self.column}: {self.message}"


def cell_text(value: Any) -> str:
    """Return a cell's value as trimmed text ('' for an empty cell; 3.0 reads '3')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class RowReader:
    """The cells of one row by header; each problem found is kept with its place.

    Args:
        sheet: The sheet's name, for the problems.
        cells: The row's openpyxl cells.
        headers: Lower-case header text to column index.
        row: The row's number in the sheet.
    """

    def __init__(self, sheet: str, cells: tuple[Any, ...], headers: dict[str, int],
                 row: int) -> None:  # fmt: skip
        self.sheet, self.cells, self.headers, self.row = sheet, cells, headers, row
        self.problems: list[SheetProblem] = []

    def cell(self, header: str) -> Any:
        """Return the value under ``header`` (None: no such column, or a refused formula)."""
        index = self.headers.get(header.lower())
        if index is None or index >= len(self.cells):
            return None
        cell = self.cells[index]
        if cell.data_type == "f":
            self.problem(header, "contains a formula; type the value itself")
            return None
        return cell.value

    def text(self, header: str) -> str | None:
        """Return the trimmed text under ``header`` (None when empty)."""
        return cell_text(self.cell(header)) or None

    def problem(self, header: str, message: str) -> None:
        """Keep a problem with the cell under ``header``."""
        self.problems.append(SheetProblem(self.sheet, self.row, header, message))

    def date(self, header: str) -> dt.date | None:
        """Return the date under ``header`` (a date cell or YYYY-MM-DD text; None when empty)."""
        value = self.cell(header)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = cell_text(value)
        if not text:
            return None
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.problem(header, f"{text[:40]!r} is not a date (use YYYY-MM-DD)")
            return None


def sheet_with_columns(
    workbook: Any, file_name: str, sheet: str, required: Iterable[str], hint: str = ""
) -> tuple[Any, dict[str, int]]:
    """Return a returned workbook's sheet and its headers (lower-case text to column index).

    Args:
        workbook: The openpyxl workbook.
        file_name: The file's name, for the messages.
        sheet: The sheet's name.
        required: Headers that must be in row 1.
        hint: Said after a missing sheet's name (e.g. which edition has it).

    Raises:
        WorkbookImportError: No such sheet, or a required column missing from row 1.
    """
    if sheet not in workbook.sheetnames:
        raise WorkbookImportError(f"{file_name}: no sheet named '{sheet}'{hint}")
    ws = workbook[sheet]
    headers = {
        cell_text(cell.value).lower(): cell.column - 1
        for cell in next(ws.iter_rows(min_row=1, max_row=1), ())
        if cell_text(cell.value)
    }
    for header in required:
        if header.lower() not in headers:
            raise WorkbookImportError(
                f"{file_name}, sheet {sheet}: column '{header}' is missing from row 1"
            )
    return ws, headers


def filled_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """Yield ``(row number, cells)`` of every row below the headers with something typed in it."""
    for number, cells in enumerate(ws.iter_rows(min_row=2), start=2):
        if any(cell_text(cell.value) for cell in cells):
            yield number, cells
