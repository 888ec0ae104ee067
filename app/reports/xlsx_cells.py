"""Safe cell writing and table layout for the report workbooks (openpyxl, imported lazily).

No cell we write is ever a formula: a string is always stored as a string (``data_type "s"``),
and one that a spreadsheet could take for a formula or command — starting with ``=``, ``+``,
``-``, ``@``, a tab, a carriage return or another control character — also gets the quote
prefix, so Excel and LibreOffice show it as text even after the user edits the cell. Characters
that XML cannot hold are replaced by U+FFFD rather than failing the whole export.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.reports.xlsx_format import colour_values, kind_of

logger = logging.getLogger(__name__)

#: First characters that make a spreadsheet evaluate a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
HEADER_FONT_COLOUR = "FFFFFF"
EDITABLE_FILL = "FFF8E1"
MAX_WIDTH = 80


def needs_quote(text: str) -> bool:
    """Return True if a spreadsheet could run ``text`` as a formula or command."""
    return bool(text) and (text.startswith(FORMULA_TRIGGERS) or ord(text[0]) < 32)


def clean_text(text: str) -> str:
    """Replace characters an XML cell cannot hold with U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text)


def put(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one value so that it can never become a formula; return the cell.

    Strings are stored as strings with the quote prefix when they look like a formula;
    timezone-aware datetimes are stored in UTC without zone (Excel has none); tuples become
    comma-separated text.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, tuple | list):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = text
        cell.data_type = "s"
        if needs_quote(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet: header, how to get its value, width and format.

    Attributes:
        header: The header text.
        value: Function from a row object to the cell value.
        width: Column width in characters.
        number_format: Excel number format, e.g. ``0.0`` or ``0%``.
        editable: Highlighted as a column the client may fill in.
        wrap: Wrap long text.
        kind: How its values are coloured (``severity``, ``tier``, ``priority``, ``status``);
            None reads the kind from the header, "" colours nothing (see
            :mod:`app.reports.xlsx_format`).
    """

    header: str
    value: Callable[[Any], Any]
    width: float = 14
    number_format: str = ""
    editable: bool = False
    wrap: bool = False
    kind: str | None = None


def write_table(
    ws: Any,
    columns: Sequence[Column],
    rows: Iterable[Any],
    *,
    header_colour: str,
    freeze: str = "A2",
) -> int:
    """Write a header and one line per row object; style, freeze and filter it.

    Returns:
        The number of data rows written.
    """
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    header_fill = PatternFill("solid", fgColor=header_colour.lstrip("#").upper())
    editable_fill = PatternFill("solid", fgColor=EDITABLE_FILL)
    for c, column in enumerate(columns, start=1):
        cell = put(ws, 1, c, column.header)
        cell.font = Font(bold=True, color=HEADER_FONT_COLOUR)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(c)].width = min(column.width, MAX_WIDTH)
    count = 0
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for r, item in enumerate(rows, start=2):
        count += 1
        for c, column in enumerate(columns, start=1):
            cell = put(ws, r, c, column.value(item))
            cell.alignment = wrap if column.wrap else top
            if column.number_format:
                cell.number_format = column.number_format
            if column.editable:
                cell.fill = editable_fill
    for c, column in enumerate(columns, start=1):
        kind = kind_of(column.header) if column.kind is None else column.kind
        colour_values(ws, c, kind, count)
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = freeze
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(count + 1, 2)}"
    return count


def add_list_validation(
    ws: Any, column_index: int, choices: Sequence[str], rows: int, *, prompt: str
) -> None:
    """Restrict a column (rows 2 … rows+1, at least 500 rows) to a list of choices."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(column_index)
    validation = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Value not allowed",
        error=f"Choose one of: {', '.join(choices)}",
        promptTitle="Allowed values",
        prompt=prompt,
    )
    validation.add(f"{letter}2:{letter}{max(rows + 1, 500)}")
    ws.add_data_validation(validation)


def add_date_validation(ws: Any, column_index: int, rows: int) -> None:
    """Restrict a column to dates (rows 2 … rows+1, at least 500 rows)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    letter = get_column_letter(column_index)
    validation = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="36526",  # 2000-01-01 as an Excel serial day
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Date expected",
        error="Enter a date (YYYY-MM-DD).",
    )
    validation.add(f"{letter}2:{letter}{max(rows + 1, 500)}")
    ws.add_data_validation(validation)


def new_workbook(first_sheet: str) -> tuple[Any, Any]:
    """Return a new workbook and its first sheet, renamed ``first_sheet``."""
    from openpyxl import Workbook

    wb = Workbook()
    sheet = wb.active
    sheet.title = first_sheet
    return wb, sheet


def write_facts(ws: Any, title: str, colour: str, facts: Sequence[tuple[str, Any]]) -> int:
    """Write a sheet title in row 1 and ``label: value`` lines from row 3; return the next row.

    A label ending in "date" gets the ``yyyy-mm-dd`` format; columns A and B get set widths.
    """
    from openpyxl.styles import Font

    put(ws, 1, 1, title).font = Font(bold=True, size=14, color=colour.lstrip("#"))
    for r, (label, value) in enumerate(facts, start=3):
        put(ws, r, 1, label).font = Font(bold=True)
        cell = put(ws, r, 2, value)
        if label.lower().endswith("date"):
            cell.number_format = "yyyy-mm-dd"
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 60
    return len(facts) + 3


def write_block(
    ws: Any,
    start: int,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    formats: dict[int, str],
) -> int:
    """Write a bold header line at ``start`` and the rows below it; return the last row.

    ``formats`` maps a 1-based column to its number format.
    """
    from openpyxl.styles import Font

    for c, header in enumerate(headers, start=1):
        put(ws, start, c, header).font = Font(bold=True)
    last = start
    for last, values in enumerate(rows, start=start + 1):
        for c, value in enumerate(values, start=1):
            put(ws, last, c, value).number_format = formats.get(c, "General")
    return last
