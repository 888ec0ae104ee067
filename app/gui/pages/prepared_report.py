"""Keeps a report process ready while the Reports page is in use (see ``report_process``)."""

from __future__ import annotations

import logging

from app.services.reporting.report_process import ReportProcess

logger = logging.getLogger(__name__)


class PreparedReport:
    """The Reports page's report process: started when the page shows, used by one PDF."""

    def __init__(self) -> None:
        self._process: ReportProcess | None = None

    def prepare(self) -> None:
        """Start a report process in the background unless one is ready."""
        if self._process is None:
            self._process = ReportProcess()

    def take(self) -> ReportProcess:
        """Return the ready process (or a new one) for a report; the next one starts later."""
        process, self._process = self._process or ReportProcess(), None
        return process

    def close(self) -> None:
        """Stop the ready process (the page goes away)."""
        if self._process is not None:
            self._process.close()
            self._process = None
