"""Keeps a report process ready while the Reports page is in use (see ``report_process``)."""

from __future__ import annotations

import logging

from app.gui import tasks
from app.services.reporting.report_process import ReportProcess

logger = logging.getLogger(__name__)


class PreparedReport:
    """The Reports page's report process: started when the page shows, used by one PDF.

    When the page shows, the process is started on the UI thread, so that it is certainly
    ready when the user clicks however busy the workers are (it loads in the background).
    After a report, the next one is started by a worker: starting a process from the window's
    large process can hold the thread that calls it for a frame or more on a busy machine, and
    the user is reading the new report then.
    """

    def __init__(self) -> None:
        self._process: ReportProcess | None = None
        self._closed = False
        self._starting = False
        self._wanted = False
        """True while the page shows: a process started meanwhile is kept."""

    def prepare(self) -> None:
        """Start a report process in the background unless one is ready (the page shows)."""
        self._wanted = True
        if self._process is None and not self._closed:
            self._process = ReportProcess()

    def stop(self) -> None:
        """The page is hidden: let the ready process go (by a worker); showing prepares again.

        A ready process and its render workers hold a few hundred megabytes.
        """
        self._wanted = False
        process, self._process = self._process, None
        if process is not None:
            tasks.run_task(process.close, with_progress=False)

    def prepare_in_background(self) -> None:
        """Start the next report process from a worker (after a report was written)."""
        if self._process is None and not self._starting and not self._closed:
            self._starting = True
            tasks.run_task(
                ReportProcess, with_progress=False, on_success=self._adopt, on_failure=self._failed
            )

    def _failed(self, exc: BaseException) -> None:
        """The next process could not start: a later report starts one of its own."""
        self._starting = False
        logger.warning("could not prepare a report process: %s", exc)

    def _adopt(self, process: ReportProcess) -> None:
        self._starting = False
        if self._closed or not self._wanted or self._process is not None:
            process.close()
        else:
            self._process = process

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
