"""Tell where a register's table ends: totals, sources, notes and signatures are not records.

Exports from a CMDB or a risk tool end with lines such as ``Total systems: 30`` or
``Source: ServiceNow CMDB``, and registers kept by hand carry notes and sign-off lines below
the data. Such a row is skipped (the dry run names it) instead of becoming a record.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from app.ingest.values import as_text

logger = logging.getLogger(__name__)

_TOTAL = re.compile(r"^\s*(?:grand\s+|sub-?)?totals?\b|^\s*(?:sum|count)\s*[:=]", re.IGNORECASE)
_FOOTER = re.compile(
    r"^\s*(?:sources?|notes?|n\.?b\.?|comments?|prepared\s+by|approved\s+by|reviewed\s+by|"
    r"owned\s+by|signed|signature|sign[- ]off|generated|exported|export(?:ed)?\s+(?:on|from|by)|"
    r"extracted|last\s+(?:updated|reviewed|modified)|updated\s+on|as\s+(?:at|of)|end\s+of|"
    r"page\s+\d|printed|disclaimer|legend|key\s*:|version\s*:|document\s+(?:owner|control)|"
    r"\*+\s)\b",
    re.IGNORECASE,
)
#: A line that starts as a total or as a source, note or signature line (one test for both).
_TOTAL_OR_FOOTER = re.compile(f"(?:{_TOTAL.pattern})|(?:{_FOOTER.pattern})", re.IGNORECASE)
_LABELLED = re.compile(r"^\s*[A-Za-z][\w ()/&.-]{1,40}:\s+\S")


def _filled(row: list[Any]) -> list[Any]:
    return [c for c in row if not _blank(c)]


def note_text(row: list[Any]) -> str:
    """Return a row's filled cells as one line (for the message naming a skipped row)."""
    return " | ".join(as_text(c) for c in _filled(row))


def note_row(row: list[Any]) -> str:
    """Return what kind of non-data line a row is (``a total``...), or empty for a data row.

    A row is a total when its first filled cell starts with ``Total`` and the row has at most
    two filled cells or a number or colon; a source, note or signature line when it has one
    filled cell that starts with such a word or reads ``Label: text``. Data rows, the common
    case, are told apart after looking at their first two filled cells.
    """
    cells = iter(row)
    for first in cells:
        if not _blank(first):
            break
    else:
        return ""
    if not isinstance(first, str):
        return ""
    text = first.strip()
    if ":" not in text and not _TOTAL_OR_FOOTER.match(text):
        return ""  # a data row, the common case: no need to count its filled cells
    total = _TOTAL.match(text)
    if not total and not _FOOTER.match(text) and not (":" in text and _LABELLED.match(text)):
        return ""
    more = sum(1 for _ in zip(range(2), (c for c in cells if not _blank(c)), strict=False))
    if total and (more <= 1 or any(ch.isdigit() or ch == ":" for ch in text)):
        return "a total"
    if more:
        return ""
    if _FOOTER.match(text):
        return "a source, note or signature line"
    if _LABELLED.match(text) and len(text.split()) >= 3:
        return "a note"
    return ""


def _blank(cell: Any) -> bool:
    return cell is None or cell == "" or (cell.__class__ is str and not cell.strip())
