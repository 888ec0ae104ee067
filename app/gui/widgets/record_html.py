"""Rows of a record's profile in HTML, with unrecorded values shown as unknown in grey."""

from __future__ import annotations

import html
import logging
from typing import Any

from app.gui.theme import UNKNOWN_COLOUR, UNKNOWN_TEXT

logger = logging.getLogger(__name__)


#: What an empty field says; the fields that feed the risk tier or name who is accountable
#: (owner, autonomy, data classification, exposure) say "unknown" instead.
NOT_RECORDED = "not recorded"
UNKNOWN_RECORDED = f"{UNKNOWN_TEXT} (not recorded)"


def unknown_html(text: str = UNKNOWN_RECORDED) -> str:
    """Return ``text`` in the grey italics of a value that is not recorded."""
    return f"<i style='color:{UNKNOWN_COLOUR}'>{html.escape(text)}</i>"


def record_line(label: str, value: Any, missing: str | None = None) -> str:
    """Return one table row ``label | value``, escaped; an empty value is said in grey.

    Args:
        label: The field's name.
        value: Its value (a list or tuple is joined with commas).
        missing: What to say when the value is empty (default: not recorded).
    """
    text = ", ".join(map(str, value)) if isinstance(value, tuple | list) else value
    empty = text in (None, "")
    shown = unknown_html(missing or NOT_RECORDED) if empty else html.escape(str(text))
    label_cell = f"<td style='color:gray; padding-right:12px'>{html.escape(label)}</td>"
    return f"<tr>{label_cell}<td>{shown}</td></tr>"
