"""Keeps a report process ready while the Reports page is in use (see ``report_process``)."""

from __future__ import annotations

import logging

from app.services.reporting.report_process import ReportProcess

logger = logging.getLogger(__name__)


class PreparedReport:
    """The Reports page's report process: started when the page shows, used by one PDF.

    Starting it takes milliseconds (the process loads in the background); it is started on
    the UI thread so that it is certainly ready when the user clicks, however busy the
    workers are.
    """

    def __init__(self) -> None:
        self._process: ReportProcess | None = None
        self._closed = False

    def prepare(self) -> None:
        """Start a report process in the background unless one is ready."""
        if self._process is None and not self._closed:
            self._process = ReportProcess()

    def take(self) -> ReportProcess:
        """Return the ready process (or a new one) for a report; the next one starts later."""
        process, self._process = self._process or ReportProcess(), None
        return process

    def close(self) -> None:
        """Stop the ready process (the page goes away)."""
        self._closed = True
        if self._process is not None:
            self._process.close()
            self._process = None
