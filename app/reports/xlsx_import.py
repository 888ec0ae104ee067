"""Read back the Responses sheet of an assessment workbook the client filled in offline.

It is the inverse of :mod:`app.reports.xlsx`: columns are found by their header (so a client who
moves or hides columns does no harm), every row is checked, and every problem names the sheet,
row and column with a reason. Rows with a problem are left out of the result; the reporting
service decides whether to apply the rest. The workbook is opened with openpyxl so that cells a
client turned into formulas are reported instead of silently taking their cached value.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.enums import EvidenceStrength
from app.reports.errors import WorkbookImportError
from app.reports.sheet_rows import RowReader, SheetProblem, filled_rows, sheet_with_columns
from app.reports.sheet_rows import cell_text as _text
from app.reports.xlsx import (
    ASSESSMENT_LABEL,
    H_JUSTIFICATION,
    H_LEVEL,
    H_NOTES,
    H_QUESTION_ID,
    H_STRENGTH,
    RESPONSES_SHEET,
    SUMMARY_SHEET,
)
from app.support.text import plural

logger = logging.getLogger(__name__)

_NA_WORDS = {"n/a", "na", "not applicable"}
_STRENGTHS = {s.value: s.value for s in EvidenceStrength} | {
    s.value.replace("-", " "): s.value for s in EvidenceStrength
}


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """One answer read from the sheet.

    Attributes:
        question_id: The question's id.
        level: 0–5, or None when blank or N/A.
        not_applicable: True when the level cell says N/A.
        justification: The N/A justification, or None when blank.
        evidence_strength: One of the evidence strengths, or None when blank.
        notes: The notes, or None when blank (a blank cell is "no note given", not "erase").
        row: The sheet row it came from (1-based, as a spreadsheet shows it).
    """

    question_id: str
    level: int | None
    not_applicable: bool
    justification: str | None
    evidence_strength: str | None
    notes: str | None
    row: int


@dataclass(frozen=True, slots=True)
class ResponsesImport:
    """What a responses workbook holds: valid rows, problems, and its assessment reference."""

    rows: tuple[ResponseRow, ...]
    problems: tuple[SheetProblem, ...]
    assessment_ref: str


def open_workbook(path: Path) -> Any:
    """Open a returned workbook with its formulas as written.

    Raises:
        WorkbookImportError: No such file, or it is not an Excel workbook.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise WorkbookImportError(f"{path.name}: no such file")
    try:
        return load_workbook(path, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise WorkbookImportError(f"{path.name}: not an Excel workbook (.xlsx)") from exc


def _assessment_ref(wb: Any) -> str:
    if SUMMARY_SHEET not in wb.sheetnames:
        return ""
    for label, value, *_ in wb[SUMMARY_SHEET].iter_rows(max_col=2, values_only=True):
        if _text(label) == ASSESSMENT_LABEL:
            return _text(value)
    return ""


class _RowReader(RowReader):
    """Checks the cells of one responses row, collecting problems."""

    def __init__(self, cells: tuple[Any, ...], headers: dict[str, int], row: int) -> None:
        super().__init__(RESPONSES_SHEET, cells, headers, row)

    def level(self) -> tuple[int | None, bool]:
        raw = self.cell(H_LEVEL)
        text = _text(raw)
        if not text:
            return None, False
        if text.lower() in _NA_WORDS:
            return None, True
        try:
            number = float(text)
        except ValueError:
            number = -1.0
        if not number.is_integer() or not 0 <= number <= 5:
            self.problem(H_LEVEL, f"must be a whole number 0-5 or N/A, not '{text[:40]}'")
            return None, False
        return int(number), False

    def optional(self, header: str) -> str | None:
        return self.text(header)

    def strength(self) -> str | None:
        text = _text(self.cell(H_STRENGTH)).lower()
        if not text:
            return None
        if text not in _STRENGTHS:
            allowed = ", ".join(s.value for s in EvidenceStrength)
            self.problem(H_STRENGTH, f"must be one of {allowed}, not '{text[:40]}'")
            return None
        return _STRENGTHS[text]


def _read_row(
    cells: tuple[Any, ...], headers: dict[str, int], row: int
) -> tuple[ResponseRow | None, list[SheetProblem]]:
    reader = _RowReader(cells, headers, row)
    question_id = _text(reader.cell(H_QUESTION_ID))
    level, not_applicable = reader.level()
    justification = reader.optional(H_JUSTIFICATION)
    strength = reader.strength()
    notes = reader.optional(H_NOTES)
    if not question_id:
        reader.problem(H_QUESTION_ID, "is empty; keep the question id of every row")
    if not_applicable and not justification:
        reader.problem(H_JUSTIFICATION, "an N/A answer needs a justification")
    if reader.problems:
        return None, reader.problems
    answer = ResponseRow(question_id, level, not_applicable, justification, strength, notes, row)
    return answer, []


def read_responses_workbook(path: Path) -> ResponsesImport:
    """Read the Responses sheet of a workbook written by :func:`app.reports.xlsx.write_workbook`.

    Args:
        path: The ``.xlsx`` file.

    Returns:
        The valid rows, every problem found (sheet, row, column, reason), and the assessment
        reference from the Summary sheet (empty if missing).

    Raises:
        WorkbookImportError: The file is not a workbook, has no Responses sheet, or lacks the
            Question ID or Level column.
    """
    wb = open_workbook(path)
    ws, headers = sheet_with_columns(wb, path.name, RESPONSES_SHEET, (H_QUESTION_ID, H_LEVEL))
    rows: list[ResponseRow] = []
    problems: list[SheetProblem] = []
    seen: dict[str, int] = {}
    for number, cells in filled_rows(ws):
        answer, row_problems = _read_row(cells, headers, number)
        problems += row_problems
        if answer is None:
            continue
        first = seen.get(answer.question_id)
        if first is not None:
            message = f"question {answer.question_id} already appears in row {first}"
            problems.append(SheetProblem(RESPONSES_SHEET, number, H_QUESTION_ID, message))
            continue
        seen[answer.question_id] = number
        rows.append(answer)
    logger.info(
        "read %s, %s from %s",
        plural(len(rows), "response row"),
        plural(len(problems), "problem"),
        path.name,
    )
    return ResponsesImport(tuple(rows), tuple(problems), _assessment_ref(wb))
