"""A report process started before the user asks for a PDF, ready to write one report.

Starting a process for a report costs seconds before the first page is laid out: the
interpreter, the app's modules and the layout engine load, and the workers that lay out a long
report's parts side by side (:mod:`app.reports.render_pool`) start and load their fonts. The
window therefore starts a :class:`ReportProcess` in the background when the Reports page opens;
when the user generates a PDF, the job goes to the process that is ready, which writes the
report exactly as :func:`~app.services.child_process.run_in_child` would (progress and Cancel
over the pipe) and then exits. A process serves one report, so nothing of one workspace or report
stays behind for the next.

The process is not daemonic (it starts the render workers, and a daemonic process may not have
children): :meth:`ReportProcess.close` stops it, and it stops by itself when the window's process
goes away.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.services.child_process import serve_child_job
from app.services.prepared_child import PreparedProcess
from app.services.progress import Progress

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

logger = logging.getLogger(__name__)


class ReportProcess(PreparedProcess):
    """A prepared child process that runs one report function (see the module docstring).

    Closing it unused stops its render workers with it.
    """

    def __init__(self) -> None:
        super().__init__(_serve, name="assay-report", daemon=False)

    def run(
        self, fn: Callable[..., Any], *args: Any, progress: Progress | None = None, **kwargs: Any
    ) -> Any:
        """Run ``fn(*args, progress=..., render_pool=..., **kwargs)`` in the prepared process.

        Blocks the calling (worker) thread; progress and Cancel travel as with
        :func:`~app.services.child_process.run_in_child`. ``fn`` must be a module-level
        function accepting ``render_pool`` (the process's render workers, or None).

        Raises:
            RuntimeError: The process already served a job.
        """
        return self._child.run(fn, args, kwargs, progress)


def _serve(connection: Connection) -> None:
    """Entry point of the report process (runs in the child only)."""
    from app.reports.render_pool import RenderPool, default_size

    pool = RenderPool().start() if default_size() > 1 else None  # they warm up meanwhile
    from app.services.reporting import generate  # noqa: F401 - loaded while the user chooses

    if not connection.poll():  # no job yet: load the layout engine before it comes
        import weasyprint  # noqa: F401

    try:
        serve_child_job(connection, lambda fn: functools.partial(fn, render_pool=pool))
    finally:
        if pool is not None:
            pool.terminate()  # the report is written: nothing of theirs is needed
        logging.shutdown()
        # The report's objects are freed with the process: tearing the interpreter down one
        # object at a time took longer than some reports take to lay out.
        os._exit(0)
