"""Problems found in an inventory file, and the error raised when a file cannot be read at all.

A :class:`Problem` names the place (file, sheet, row, column) and the reason, so that the user
can find the cell; ``str(problem)`` reads as one sentence, for example
``inventory.xlsx, sheet 'Identities', row 14, column 'Last rotated': '31/02/2025' is not a date``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, NamedTuple

logger = logging.getLogger(__name__)

ERROR = "error"
WARNING = "warning"

_QUOTE_LIMIT = 60


class IngestError(Exception):
    """The file cannot be taken in at all (not a workbook, damaged, too large, unsafe)."""


class Source(NamedTuple):
    """Where a record came from (a named tuple: made once per row, so it must be cheap).

    Attributes:
        file: The file name (no folder).
        sheet: The sheet name; empty for a CSV file.
        row: The 1-based row number as the spreadsheet shows it.
    """

    file: str
    sheet: str
    row: int


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with (or worth knowing about) a cell, a row, a sheet or the file.

    Attributes:
        file: The file name.
        sheet: The sheet name; empty for a CSV file or a file-level problem.
        row: The 1-based row number; 0 for a sheet- or file-level problem.
        column: The column's header as written in the file; empty when the row is at fault.
        reason: What is wrong, written for the user.
        severity: ``error`` rejects the row; ``warning`` is shown but does not block.
        path: Where in a JSON or YAML export the problem lies (e.g.
            ``$.RoleDetailList[3].RolePolicyList[0]``); when given it names the place instead
            of the sheet and row, which then only group the records of one element.
    """

    file: str
    sheet: str
    row: int
    column: str
    reason: str
    severity: str = ERROR
    path: str = ""

    @property
    def is_error(self) -> bool:
        """Return True when the problem rejects its row."""
        return self.severity == ERROR

    @property
    def where(self) -> str:
        """Return the place of the problem: file, sheet, row and column as far as known."""
        parts = [self.file]
        if self.path:
            return f"{self.file}, at {self.path}"
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.row:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as plain data (for JSON output and the GUI)."""
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
            "severity": self.severity,
            "path": self.path,
        }


def at(source: Source, column: str, reason: str, severity: str = ERROR) -> Problem:
    """Return a problem at a record's source row and the given column."""
    return Problem(source.file, source.sheet, source.row, column, reason, severity)


def quote(value: Any) -> str:
    """Return a cell value quoted for a message, shortened when long."""
    text = str(value).replace("\n", " ").replace("\r", " ")
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return repr(text)
