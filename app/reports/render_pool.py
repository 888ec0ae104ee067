"""Worker processes that lay out the parts of a long report side by side.

A worker is spawned (never forked: the desktop app is a Qt process), loads the layout engine and
lays out one small page to load the report's fonts, then waits for parts. It needs nothing of the
workspace: a part is a whole HTML document (:mod:`app.reports.report_parts`), and the templates,
stylesheets and fonts it links to are read from the app's own folders.

Protocol for one part, parent to worker: the part's HTML; worker to parent ``("pages", n)`` once
the pages are laid out; parent to worker ``(shift, total)`` (see
:mod:`app.reports.page_numbers`); worker to parent ``("anchors", {name: page index})`` and then
``("pdf", bytes)``, or ``("error", text)`` at any point. ``None`` stops a worker. A worker whose
parent has gone stops by itself, so a cancelled or killed report leaves no process behind.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from typing import TYPE_CHECKING, Any

from app.reports.progress import Steps

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

logger = logging.getLogger(__name__)

MAX_WORKERS = 4
"""Parts laid out at once at most: the longest section bounds the gain beyond that."""
POLL_SECONDS = 0.05
_WARM_UP = (
    '<html><head><link rel="stylesheet" href="base.css"><link rel="stylesheet" '
    'href="report/report.css"></head><body><p>Assay <b>report</b> <i>fonts</i></p><table '
    'class="data"><tr><td><span class="mono">0</span></td></tr></table></body></html>'
)


class PartFailedError(RuntimeError):
    """A worker could not lay out its part (it died or raised)."""


def default_size() -> int:
    """Return how many workers to start here: one per core, at most :data:`MAX_WORKERS`."""
    return min(os.cpu_count() or 1, MAX_WORKERS)


def can_start_workers() -> bool:
    """Return False in a daemonic process, which may not start processes of its own."""
    import multiprocessing

    return not multiprocessing.current_process().daemon


class Worker:
    """The parent's handle on one worker process."""

    def __init__(self, process: Any, connection: Connection) -> None:
        self.process = process
        self.connection = connection

    def send(self, message: object) -> None:
        """Send a message; a worker that is gone shows at the next :meth:`receive`."""
        try:
            self.connection.send(message)
        except OSError:
            logger.info("render worker %s is gone", self.process.name)

    def receive(self, kind: str, steps: Steps) -> Any:
        """Wait for the worker's next message, which must be ``kind``; return its payload.

        Raises:
            ReportCancelled: The caller cancelled while waiting.
            PartFailedError: The worker died or reported an error.
        """
        while not self.connection.poll(POLL_SECONDS):
            steps.check()
            if not self.process.is_alive():
                raise PartFailedError(f"render worker stopped (exit code {self.process.exitcode})")
        try:
            got, payload = self.connection.recv()
        except (EOFError, OSError) as exc:
            raise PartFailedError("render worker stopped") from exc
        if got != kind:
            raise PartFailedError(f"render worker: {payload}")
        return payload


class RenderPool:
    """Worker processes for report parts, started on first use (or at once with :meth:`start`)."""

    def __init__(self, size: int | None = None) -> None:
        self.size = default_size() if size is None else size
        self._workers: list[Worker] = []

    @property
    def started(self) -> bool:
        """Return True once the worker processes are running."""
        return bool(self._workers)

    def start(self) -> RenderPool:
        """Start the workers (once); they warm up in the background."""
        if self._workers or self.size < 2:
            return self
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        for number in range(1, self.size + 1):
            ours, theirs = context.Pipe(duplex=True)
            process = context.Process(
                target=_worker_main,
                args=(theirs, os.getpid()),
                name=f"assay-render-{number}",
                daemon=True,
            )
            process.start()
            theirs.close()
            self._workers.append(Worker(process, ours))
        logger.info("started %d report render workers", self.size)
        return self

    def workers(self, count: int) -> list[Worker]:
        """Return ``count`` running workers (starting them if needed)."""
        return self.start()._workers[:count]

    def close(self) -> None:
        """Stop the workers; those not gone at once are killed (they hold nothing to keep)."""
        for worker in self._workers:
            worker.send(None)
        for worker in self._workers:
            worker.process.join(0.2)
        self.terminate()

    def terminate(self) -> None:
        """Kill every worker now (Cancel, or a part that failed)."""
        for worker in self._workers:
            if worker.process.is_alive():
                worker.process.kill()
            worker.process.join(5.0)
            worker.connection.close()
        self._workers = []

    def __enter__(self) -> RenderPool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


# --------------------------------------------------------------------------- in the worker


class _StoppedError(Exception):
    """The parent asked the worker to stop in the middle of a part."""


def _worker_main(connection: Connection, parent: int) -> None:
    """Entry point of a worker process (runs in the worker only).

    Args:
        connection: The worker's end of the pipe to the process that started it.
        parent: That process's id, given at the start: a worker that comes up after its
            parent is gone already has another parent and must not wait for it to go.
    """
    _stop_with_parent(parent)
    from app.support.logging_setup import configure_logging

    configure_logging()
    from app.reports.pdf import lay_out, pdf_bytes

    pdf_bytes(lay_out(_WARM_UP))  # loads the layout engine's fonts and caches now
    while True:
        try:
            html = connection.recv()
        except (EOFError, OSError):
            return
        if html is None:
            return
        try:
            _lay_out_part(connection, html)
        except _StoppedError:
            return
        except Exception as exc:  # the parent lays the report out itself instead
            logger.exception("a report part could not be laid out")
            connection.send(("error", f"{type(exc).__name__}: {exc}"))
        gc.collect()


def _lay_out_part(connection: Connection, html: str) -> None:
    from app.reports.page_numbers import continued_page_numbers
    from app.reports.pdf import lay_out, pdf_bytes, without_cycle_collection

    def numbering(pages: int) -> tuple[int, int]:
        connection.send(("pages", pages))
        reply = connection.recv()
        if reply is None:
            raise _StoppedError()
        shift, total = reply
        return shift, total

    with without_cycle_collection(), continued_page_numbers(numbering):
        document = lay_out(html)
        anchors: dict[str, int] = {}
        for index, page in enumerate(document.pages):
            for name in page.anchors:
                anchors.setdefault(name, index)
        connection.send(("anchors", anchors))
        # Sent before the cycle collector is on again: its first pass then walks every object
        # of the laid-out part (0.24 to 0.31 s of CPU for the 27 pages of the 400-answer
        # register), after the parent has the PDF.
        connection.send(("pdf", pdf_bytes(document)))


def _stop_with_parent(parent: int) -> None:
    """Exit when the process ``parent`` is gone (killed, or terminated after a Cancel).

    Checked once at once, then twice a second: a worker whose parent died while it was still
    starting has already been handed to another process.
    """
    if os.getppid() != parent:
        os._exit(0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
