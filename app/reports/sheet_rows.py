"""Reading one row of a sheet the client returned: cells by header, problems collected."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

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
