"""Keeps a report process ready while the Reports page is in use (see ``report_process``)."""

from __future__ import annotations

import logging

from app.gui import tasks
from app.services.reporting.report_process import ReportProcess

logger = logging.getLogger(__name__)


class PreparedReport:
    """The Reports page's report process: started when the page shows, used by one PDF.

    The process is started by a worker (starting a process copies the window's process
    tables, which can hold the UI thread for longer than a frame on a busy machine).
    """

    def __init__(self) -> None:
        self._process: ReportProcess | None = None
        self._starting = False
        self._closed = False

    def prepare(self) -> None:
        """Start a report process in the background unless one is ready or starting."""
        if self._process is None and not self._starting and not self._closed:
            self._starting = True
            tasks.run_task(
                ReportProcess, with_progress=False, on_success=self._ready, on_failure=self._failed
            )

    def _ready(self, process: ReportProcess) -> None:
        self._starting = False
        if self._closed or self._process is not None:
            process.close()
        else:
            self._process = process

    def _failed(self, exc: BaseException) -> None:
        self._starting = False
        logger.warning("could not prepare a report process: %s", exc)

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
