"""The one place where the GUI starts threads.

``run_task`` runs a plain service function on a worker thread. The function receives a
``progress`` object that implements ``app.services.progress.Progress``: reports are emitted as
Qt signals (throttled to whole percents) and ``cancelled`` reads a flag the UI can set. Writes
go to a pool of one thread, so database writes never race each other.

With ``in_child=True`` the worker thread only relays: the function runs in a child process
(``app.services.child_process``), so the garbage collections of a big render or import pause
the child, never the UI thread.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.services.child_process import run_in_child
from app.services.progress import Cancelled

logger = logging.getLogger(__name__)

_live_tasks: set[Task] = set()
_write_pool: QThreadPool | None = None


def write_pool() -> QThreadPool:
    """Return the single-thread pool that runs every task that writes."""
    global _write_pool  # noqa: PLW0603 - one pool for the process, created on first use
    if _write_pool is None:
        _write_pool = QThreadPool()
        _write_pool.setMaxThreadCount(1)
    return _write_pool


class Task(QObject):
    """A function running on a worker thread, acting as its own progress sink.

    The pool runs a plain callable (``pool.start(task.execute)``) so Qt owns and deletes its
    internal runnable itself; the Python objects stay alive through ordinary references until
    the outcome signal has reached the UI thread.
    """

    progressed = Signal(float, str)
    """Fraction done (0..1) and a message."""
    succeeded = Signal(object)
    """The function's return value."""
    failed = Signal(object)
    """The exception the function raised, with ``__traceback_text__`` attached."""
    cancelled_signal = Signal()
    """The function stopped because the user cancelled."""
    finished = Signal()
    """Emitted last, whatever the outcome."""

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict[str, Any]) -> None:
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._cancel = threading.Event()
        self._last_percent = -1

    @property
    def signals(self) -> Task:
        """Return the object carrying the signals (the task itself)."""
        return self

    # Progress protocol -------------------------------------------------------------------
    def report(self, fraction: float, message: str = "") -> None:
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if percent != self._last_percent:
            self._last_percent = percent
            self.progressed.emit(percent / 100, message)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # Control -----------------------------------------------------------------------------
    def cancel(self) -> None:
        """Ask the function to stop at its next cancellation check."""
        self._cancel.set()

    def execute(self) -> None:
        """Run the function on the calling (worker) thread and emit the outcome."""
        try:
            result = self._fn(*self._args, **self._kwargs)
        except Cancelled:
            self.cancelled_signal.emit()
        except Exception as exc:  # every failure reaches the UI, never a silent thread death
            if not hasattr(exc, "__traceback_text__"):  # a child's own traceback says more
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            logger.exception("task %s failed", getattr(self._fn, "__name__", self._fn))
            self.failed.emit(exc)
        else:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()


def run_task(
    fn: Callable[..., Any],
    *args: Any,
    on_success: Callable[[Any], None] | None = None,
    on_failure: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[float, str], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    writes: bool = False,
    with_progress: bool = True,
    in_child: bool = False,
    **kwargs: Any,
) -> Task:
    """Run ``fn(*args, progress=task, **kwargs)`` off the UI thread.

    Args:
        fn: A plain function (a service call); it must not touch widgets.
        *args: Positional arguments for ``fn``.
        on_success: Called on the UI thread with the return value.
        on_failure: Called on the UI thread with the exception.
        on_progress: Called on the UI thread with (fraction, message).
        on_cancelled: Called on the UI thread when the function stopped on Cancel.
        on_finished: Called on the UI thread last, whatever the outcome.
        writes: Run on the single write thread (the function writes to the workspace).
        with_progress: Pass the task as ``progress=`` to ``fn``.
        in_child: Run ``fn`` in a child process; ``fn`` must be a module-level function taking
            ``progress``, and its arguments and result must pickle.
        **kwargs: Keyword arguments for ``fn``.

    Returns:
        The running task; call ``cancel()`` to ask it to stop. Its outcome may already have
        been emitted when this returns (a warm worker is fast): pass the ``on_*`` callbacks
        rather than connecting to the task's signals afterwards.
    """
    if in_child:
        task = Task(run_in_child, (fn, args, dict(kwargs)), {})
    else:
        task = Task(fn, args, dict(kwargs))
    if with_progress or in_child:
        task._kwargs["progress"] = task  # noqa: SLF001 - the task is its own progress sink
    if on_success:
        task.signals.succeeded.connect(on_success)
    if on_failure:
        task.signals.failed.connect(on_failure)
    if on_progress:
        task.signals.progressed.connect(on_progress)
    if on_cancelled:
        task.cancelled_signal.connect(on_cancelled)
    if on_finished:
        task.signals.finished.connect(on_finished)
    _live_tasks.add(task)
    task.signals.finished.connect(lambda: _live_tasks.discard(task))
    pool = write_pool() if writes else QThreadPool.globalInstance()
    pool.start(task.execute)
    return task


def live_task_count() -> int:
    """Return how many tasks are still running (used on close and in tests)."""
    return len(_live_tasks)


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Block until every task has finished (used when the app closes)."""
    done = QThreadPool.globalInstance().waitForDone(timeout_ms)
    return write_pool().waitForDone(timeout_ms) and done
