"""The Review comments sheet of the internal assessment workbook, out and back.

The reviewer reads each comment with what it is about, who wrote it and where it stands. Back
from the sheet come two things only: a resolution typed against an open comment (or its status
set to resolved), which closes it, and a new row with no number, which becomes a new comment.
The sheet is written in the internal edition only: the client never sees the review.
:mod:`app.reports.xlsx_review_import` reads it back.
"""

from __future__ import annotations

import logging
from typing import Any

from app.reports.viewmodels import ReportData
from app.reports.viewmodels_voice import ReviewCommentRow
from app.reports.xlsx_cells import Column, add_list_validation, write_table

logger = logging.getLogger(__name__)

REVIEW_SHEET = "Review comments"
H_NUMBER, H_ABOUT, H_COMMENT = "Comment #", "About", "Comment"
H_STATUS, H_RESOLUTION = "Status", "Resolution"
STATUS_CHOICES = ("open", "resolved")
WHOLE = "assessment"

_COLUMNS = [
    Column(H_NUMBER, lambda c: c.number, 11),
    Column(H_ABOUT, lambda c: c.about, 24, editable=True),
    Column(H_COMMENT, lambda c: c.text, 50, editable=True, wrap=True),
    Column("By", lambda c: c.author, 16),
    Column("When (UTC)", lambda c: c.created_at, 18, "yyyy-mm-dd hh:mm"),
    Column(H_STATUS, lambda c: c.status, 11, editable=True),
    Column(H_RESOLUTION, lambda c: c.resolution, 44, editable=True, wrap=True),
    Column("Resolved by", lambda c: c.resolved_by, 16),
    Column("Resolved at (UTC)", lambda c: c.resolved_at, 18, "yyyy-mm-dd hh:mm"),
]


def write_review_sheet(wb: Any, data: ReportData, colour: str) -> None:
    """Add the Review comments sheet (internal edition only, even with no comment yet)."""
    if data.profile != "internal" or data.voice is None:
        return
    ws = wb.create_sheet(REVIEW_SHEET)
    comments: tuple[ReviewCommentRow, ...] = data.voice.comments
    count = write_table(ws, _COLUMNS, comments, header_colour=colour, freeze="C2")
    headers = [c.header for c in _COLUMNS]
    add_list_validation(
        ws, headers.index(H_STATUS) + 1, STATUS_CHOICES, count, prompt="Open, or resolved"
    )
