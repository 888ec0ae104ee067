"""How the report workbooks look: value colours and the print set-up of every sheet.

Formatting follows the column's *kind*, which a :class:`~app.reports.xlsx_cells.Column` may
state or which is read from its header ("Severity", "Risk tier", "Priority", "Status" …), so a
column added to any sheet later is coloured without further code. Colours are conditional
formats over the whole column (also rows a client adds), not fills baked into cells, and use
the palette of the PDF reports. The print set-up (A4 landscape, fit to width, repeated header
row, margins, a header with client and classification, a footer with sheet and page) is applied
to every sheet of a workbook when it is saved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

#: Rows a column's colours cover at least, so rows typed in later are coloured too.
MIN_ROWS = 500
_WHITE, _INK = "FFFFFF", "263238"
_CRITICAL, _HIGH, _MEDIUM, _LOW = "8E0000", "D84315", "F9A825", "78909C"


@dataclass(frozen=True, slots=True)
class Shade:
    """The fill and font colour of one value."""

    fill: str
    font: str = _WHITE


_SEVERITY = {
    "critical": Shade(_CRITICAL),
    "high": Shade(_HIGH),
    "medium": Shade(_MEDIUM, _INK),
    "moderate": Shade(_MEDIUM, _INK),
    "low": Shade(_LOW),
}
_STATUS = {
    "open": Shade("F8D7DA", "7F1D1D"),
    "requested": Shade("F8D7DA", "7F1D1D"),
    "overdue": Shade("F8D7DA", "7F1D1D"),
    "rejected": Shade("F8D7DA", "7F1D1D"),
    "in-progress": Shade("FFF3CD", "6B4E00"),
    "in progress": Shade("FFF3CD", "6B4E00"),
    "received": Shade("FFF3CD", "6B4E00"),
    "draft": Shade("FFF3CD", "6B4E00"),
    "in-review": Shade("FFF3CD", "6B4E00"),
    "resolved": Shade("DFF0D8", "1E4620"),
    "closed": Shade("DFF0D8", "1E4620"),
    "accepted": Shade("ECEFF1", "37474F"),
    "final": Shade("DFF0D8", "1E4620"),
    "risk accepted": Shade("ECEFF1", "37474F"),
    "risk-accepted": Shade("ECEFF1", "37474F"),
}
_PRIORITY = {1: Shade(_HIGH), 2: Shade(_MEDIUM, _INK), 3: Shade(_LOW)} | {
    "high": Shade(_HIGH),
    "medium": Shade(_MEDIUM, _INK),
    "low": Shade(_LOW),
}
#: Value → shade per column kind.
PALETTES: dict[str, dict[Any, Shade]] = {
    "severity": _SEVERITY,
    "tier": _SEVERITY,
    "priority": _PRIORITY,
    "status": _STATUS,
}
# Header words that give a column its kind, tried in this order.
_HEADER_KINDS = (
    ("severity", "severity"),
    ("risk rating", "severity"),
    ("tier", "tier"),
    ("priority", "priority"),
    ("status", "status"),
)


def kind_of(header: str) -> str:
    """Return the colour kind a header implies ("" when its values are not coloured)."""
    words = header.lower()
    return next((kind for word, kind in _HEADER_KINDS if word in words), "")


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int) else '"' + str(value).replace('"', '""') + '"'


def colour_values(ws: Any, column_index: int, kind: str, rows: int) -> None:
    """Colour a column's cells by value (conditional formats; rows 2 … at least 500).

    Comparison is Excel's: text matches whatever its case.
    """
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    palette = PALETTES.get(kind)
    if not palette:
        return
    letter = get_column_letter(column_index)
    area = f"{letter}2:{letter}{max(rows + 1, MIN_ROWS)}"
    for value, shade in palette.items():
        rule = CellIsRule(
            operator="equal",
            formula=[_literal(value)],
            fill=PatternFill(bgColor=shade.fill, fill_type="solid"),
            font=Font(color=shade.font, bold=kind != "status"),
        )
        ws.conditional_formatting.add(area, rule)


def maturity_scale(ws: Any, first_column: int, last_column: int, rows: int) -> None:
    """Shade maturity means 0–5 from red through amber to green, as the PDF heat map does."""
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.utils import get_column_letter

    if last_column < first_column or rows < 1:
        return
    area = f"{get_column_letter(first_column)}2:{get_column_letter(last_column)}{rows + 1}"
    rule = ColorScaleRule(
        start_type="num", start_value=0, start_color="E57373",
        mid_type="num", mid_value=2.5, mid_color="FFD54F",
        end_type="num", end_value=5, end_color="81C784",
    )  # fmt: skip
    ws.conditional_formatting.add(area, rule)


def _header_footer_text(text: str) -> str:
    """Escape ``&`` (the header/footer control character) and keep the text short."""
    return " ".join(text.split())[:80].replace("&", "&&")


def set_print_layout(ws: Any, *, client: str, classification: str) -> None:
    """Set up a sheet for printing: A4 landscape, one page wide, header row on every page.

    The header names the client (left) and the classification (right); the footer the sheet
    (left) and "Page n of m" (right). A sheet whose row 1 carries an autofilter is a table: its
    first row repeats on every printed page.
    """
    from openpyxl.worksheet.page import PageMargins

    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = ws.PAPERSIZE_A4
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.75, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.gridLines = False
    if (ws.auto_filter.ref or "").startswith("A1:"):
        ws.print_title_rows = "1:1"
    ws.oddHeader.left.text = _header_footer_text(client)
    ws.oddHeader.left.size = 8
    ws.oddHeader.right.text = _header_footer_text(classification.upper())
    ws.oddHeader.right.size = 8
    ws.oddHeader.right.color = "B71C1C"
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 8
    ws.oddFooter.right.text = "Page &P of &N"
    ws.oddFooter.right.size = 8


def set_print_layouts(wb: Any, *, client: str, classification: str) -> None:
    """Apply :func:`set_print_layout` to every sheet of a workbook."""
    for ws in wb.worksheets:
        set_print_layout(ws, client=client, classification=classification)
