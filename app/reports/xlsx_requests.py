"""The Evidence requests sheet of the assessment workbook, as it goes out to the client.

The client (or the assessor on their behalf) updates each request's status, the day the
evidence was received and a note; :mod:`app.reports.xlsx_requests_import` reads them back.
"""

from __future__ import annotations

import logging
from typing import Any

from app.domain.review import RequestStatus
from app.reports.viewmodels import ReportData
from app.reports.viewmodels_voice import EvidenceRequestRow
from app.reports.xlsx_cells import Column, add_date_validation, add_list_validation, write_table

logger = logging.getLogger(__name__)

REQUESTS_SHEET = "Evidence requests"
H_NUMBER, H_STATUS, H_RECEIVED, H_NOTE = "Request #", "Status", "Received on", "Client note"
STATUS_CHOICES = tuple(s.value for s in RequestStatus)

_COLUMNS = [
    Column(H_NUMBER, lambda r: r.number, 10),
    Column("About", lambda r: r.subject, 16),
    Column("Asked of", lambda r: r.contact, 22),
    Column("Evidence wanted", lambda r: r.description, 48, wrap=True),
    Column("Due", lambda r: r.due_date, 12, "yyyy-mm-dd"),
    Column("Overdue", lambda r: "overdue" if r.overdue else "", 10),
    Column(H_STATUS, lambda r: r.status, 12, editable=True),
    Column(H_RECEIVED, lambda r: r.received_on, 13, "yyyy-mm-dd", editable=True),
    Column(H_NOTE, lambda r: "", 40, editable=True, wrap=True),
]


def write_requests_sheet(wb: Any, data: ReportData, colour: str) -> None:
    """Add the Evidence requests sheet (only when the assessment has requests)."""
    requests: tuple[EvidenceRequestRow, ...] = data.voice.requests if data.voice else ()
    if not requests:
        return
    ws = wb.create_sheet(REQUESTS_SHEET)
    count = write_table(ws, _COLUMNS, requests, header_colour=colour, freeze="B2")
    headers = [c.header for c in _COLUMNS]
    add_list_validation(
        ws, headers.index(H_STATUS) + 1, STATUS_CHOICES, count, prompt="Where the request stands"
    )
    add_date_validation(ws, headers.index(H_RECEIVED) + 1, count)
