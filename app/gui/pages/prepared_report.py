"""Keeps a report process ready while the Reports page is in use (see ``report_process``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from app.gui import tasks
from app.services.progress import Progress
from app.services.reporting.report_process import ReportProcess

logger = logging.getLogger(__name__)


class PreparedReport:
    """The Reports page's report process: started when the page shows, used by one PDF.

    A worker starts it: starting a process from the window's large process holds the thread
    that calls it for a frame or more (longer on a busy machine), and the page is being shown
    then. A report asked for while the process is still starting runs in it once it has
    started (:class:`ReportRun`); the bookkeeping below is done on the UI thread only.
    """

    def __init__(self) -> None:
        self._process: ReportProcess | None = None
        self._starting: Future[ReportProcess] | None = None
        """The process a worker is starting, until it is adopted or taken by a report."""
        self._closed = False
        self._wanted = False
        """True while the page shows: a process started meanwhile is kept."""

    def prepare(self) -> None:
        """Start a report process on a worker unless one is ready or starting (the page shows)."""
        self._wanted = True
        if self._process is None and self._starting is None and not self._closed:
            starting: Future[ReportProcess] = Future()
            self._starting = starting
            tasks.run_task(
                _start_process,
                starting,
                with_progress=False,
                on_success=lambda process: self._adopt(starting, process),
                on_failure=lambda exc: self._failed(starting, exc),
            )

    def stop(self) -> None:
        """The page is hidden: let the ready process go (by a worker); showing prepares again.

        A ready process and its render workers hold a few hundred megabytes.
        """
        self._wanted = False
        process, self._process = self._process, None
        if process is not None:
            _close_on_worker(process)

    def _failed(self, starting: Future[ReportProcess], exc: BaseException) -> None:
        """The process could not start: a report asked for starts one of its own."""
        if self._starting is starting:
            self._starting = None
        logger.warning("could not prepare a report process: %s", exc)

    def _adopt(self, starting: Future[ReportProcess], process: ReportProcess) -> None:
        if self._starting is not starting:
            return  # a report took it while it was starting: that report runs in it
        self._starting = None
        if self._closed or not self._wanted or self._process is not None:
            _close_on_worker(process)
        else:
            self._process = process

    def take(self) -> ReportRun:
        """Return what runs one report: the ready process, the starting one, or a new one.

        The next process is prepared after the report (:meth:`prepare`).
        """
        process, self._process = self._process, None
        starting, self._starting = self._starting, None  # never both: one is adopted
        return ReportRun(ready=process, starting=starting)

    def close(self) -> None:
        """Stop the ready process (the page goes away); a starting one stops when it has started."""
        self._closed = True
        if self._process is not None:
            self._process.close()
            self._process = None


class ReportRun:
    """One report's process: ready, still starting on a worker, or started when the report runs.

    :meth:`run` is called on the worker that writes the report; it waits for a starting
    process there, never on the UI thread.
    """

    def __init__(
        self,
        *,
        ready: ReportProcess | None = None,
        starting: Future[ReportProcess] | None = None,
    ) -> None:
        self._ready = ready
        self._starting = starting

    def run(
        self, fn: Callable[..., Any], *args: Any, progress: Progress | None = None, **kwargs: Any
    ) -> Any:
        """Run ``fn`` in the report process (see :meth:`ReportProcess.run`); on a worker."""
        return self._process().run(fn, *args, progress=progress, **kwargs)

    def _process(self) -> ReportProcess:
        if self._ready is not None:
            return self._ready
        if self._starting is not None:
            try:
                return self._starting.result()
            except Exception as exc:
                logger.warning("the prepared report process did not start (%s); starting one", exc)
        return ReportProcess()


def _start_process(starting: Future[ReportProcess]) -> ReportProcess:
    """Start a report process and hand it to ``starting`` as well (on a worker)."""
    try:
        process = ReportProcess()
    except BaseException as exc:
        starting.set_exception(exc)
        raise
    starting.set_result(process)
    return process


def _close_on_worker(process: ReportProcess) -> None:
    tasks.run_task(process.close, with_progress=False)
