"""The one place where the GUI starts threads.

``run_task`` runs a plain service function on a worker thread. The function receives a
``progress`` object that implements ``app.services.progress.Progress``: reports reach the UI
thread throttled to whole percents, and ``cancelled`` reads a flag the UI can set.

Every write goes to the one writer: a single thread that runs write tasks in the order they were
asked for (see :mod:`app.gui.writer`). Around each one it reads the journal's head, collects the
change records of the units the task commits, and reads the journal entries the task added
(services that report no change records yet, work done in a child process); those changes reach
the change sink on the UI thread, before the task's own outcome.

With ``in_child=True`` the worker thread only relays: the function runs in a child process
(``app.services.child_process``), so the garbage collections of a big render or import pause
the child, never the UI thread.

Lifetimes: a worker never holds a Qt object. It holds a plain :class:`Job` and sends what
happens through one long-lived :class:`_Bridge` that lives on the UI thread; the bridge hands
each event to its :class:`Task`, which only the UI thread references. So a task's Qt object is
always destroyed on the UI thread, never by a worker dropping the last reference while the UI
thread still handles its events.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from app.services.child_process import run_in_child
from app.services.errors import UserError
from app.services.progress import Cancelled
from app.support.gc_pause import paused_gc

if TYPE_CHECKING:  # the database layers load after the window is painted, not with this module
    from app.gui import writer
    from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_live_tasks: dict[int, Task] = {}
_task_numbers = itertools.count(1)
_write_pool: QThreadPool | None = None
_bridge: _Bridge | None = None

PROGRESS, SUCCEEDED, FAILED, CANCELLED, FINISHED, CHANGED = range(6)


def write_pool() -> QThreadPool:
    """Return the pool of the one writer: one thread that never expires, tasks in order."""
    global _write_pool  # noqa: PLW0603 - one pool for the process, created on first use
    if _write_pool is None:
        _write_pool = QThreadPool()
        _write_pool.setMaxThreadCount(1)
        _write_pool.setExpiryTimeout(-1)
    return _write_pool


class _Bridge(QObject):
    """Carries events from workers to the UI thread; created once, on the UI thread."""

    event = Signal(int, int, object)
    """Task number, event kind, payload."""

    def __init__(self) -> None:
        super().__init__()
        self.event.connect(self._dispatch)

    def _dispatch(self, number: int, kind: int, payload: object) -> None:
        if kind == CHANGED:
            from app.gui import writer  # loaded by then: only a write reports changes

            writer.deliver(payload)  # type: ignore[arg-type]
            return
        task = _live_tasks.get(number)
        if task is None:
            return
        if kind == FINISHED:
            del _live_tasks[number]
        task.deliver(kind, payload)


def _the_bridge() -> _Bridge:
    global _bridge  # noqa: PLW0603 - one bridge for the process, made on the UI thread
    if _bridge is None:
        _bridge = _Bridge()
    return _bridge


class Job:
    """What a worker runs: a function, its arguments and the progress it reports.

    Implements the ``Progress`` protocol for the function. Holds no Qt object but the
    long-lived bridge.
    """

    def __init__(self, number: int, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        self.number = number
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self._cancel = threading.Event()
        self._last_percent = -1
        self._bridge = _the_bridge()

    def report(self, fraction: float, message: str = "") -> None:
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if percent != self._last_percent:
            self._last_percent = percent
            self._bridge.event.emit(self.number, PROGRESS, (percent / 100, message))

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the function to stop at its next cancellation check."""
        self._cancel.set()

    def run(self) -> None:
        """Run the function on the calling (worker) thread and send the outcome."""
        emit = self._bridge.event.emit
        try:
            with paused_gc():  # a worker's garbage must not trigger pauses of the UI thread
                result = self._call()
        except Cancelled:
            emit(self.number, CANCELLED, None)
        except Exception as exc:  # every failure reaches the UI, never a silent thread death
            if not hasattr(exc, "__traceback_text__"):  # a child's own traceback says more
                exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            name = getattr(self._fn, "__name__", self._fn)
            if isinstance(exc, UserError):  # refused with a sentence: the user is told; no trace
                logger.info("task %s refused: %s", name, exc)
            else:
                logger.exception("task %s failed", name)
            emit(self.number, FAILED, exc)
        else:
            emit(self.number, SUCCEEDED, result)
        finally:
            self._fn = self._args = self._kwargs = None  # type: ignore[assignment]
            emit(self.number, FINISHED, None)

    def _call(self) -> Any:
        return self._fn(*self._args, **self._kwargs)


class WriteJob(Job):
    """A job of the one writer: its function runs inside :func:`writer.watching`.

    The changes it made are sent to the UI thread before its outcome, whether it succeeded
    or not (a failed task may have committed part of its work).
    """

    def __init__(self, number: int, call: tuple[Callable[..., Any], tuple, dict],
                 workspace: Workspace | None, origin: object) -> None:  # fmt: skip
        super().__init__(number, *call)
        self._workspace, self._origin = workspace, origin

    def _call(self) -> Any:
        from app.gui import writer  # on the worker: the database layers load off the UI thread

        try:
            with writer.watching(self._workspace, self._report_changes, self._origin):
                return super()._call()
        finally:
            self._workspace = self._origin = None

    def _report_changes(self, written: writer.Written) -> None:
        self._bridge.event.emit(self.number, CHANGED, written)


class Task(QObject):
    """The UI thread's handle on a running job: its signals and its Cancel."""

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

    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job

    def cancel(self) -> None:
        """Ask the function to stop at its next cancellation check."""
        self.job.cancel()

    def deliver(self, kind: int, payload: object) -> None:
        """Emit the signal of one event (on the UI thread)."""
        if kind == PROGRESS:
            fraction, message = payload  # type: ignore[misc]
            self.progressed.emit(fraction, message)
        elif kind == SUCCEEDED:
            self.succeeded.emit(payload)
        elif kind == FAILED:
            self.failed.emit(payload)
        elif kind == CANCELLED:
            self.cancelled_signal.emit()
        else:
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
    origin: object = None,
    **kwargs: Any,
) -> Task:
    """Run ``fn(*args, progress=job, **kwargs)`` off the UI thread.

    Args:
        fn: A plain function (a service call); it must not touch widgets.
        *args: Positional arguments for ``fn``.
        on_success: Called on the UI thread with the return value.
        on_failure: Called on the UI thread with the exception.
        on_progress: Called on the UI thread with (fraction, message).
        on_cancelled: Called on the UI thread when the function stopped on Cancel.
        on_finished: Called on the UI thread last, whatever the outcome.
        writes: Run on the one writer (the function writes to the workspace, which is its
            first argument), after every write asked for before.
        with_progress: Pass the job as ``progress=`` to ``fn``.
        in_child: Run ``fn`` in a child process; ``fn`` must be a module-level function taking
            ``progress``, and its arguments and result must pickle.
        origin: For a write, the view that asked for it (it already shows the change); the
            change sink receives it with the change records.
        **kwargs: Keyword arguments for ``fn``.

    Returns:
        The running task; call ``cancel()`` to ask it to stop. Its outcome is delivered through
        the UI thread's event loop, so signals connected right after this returns are in time;
        the ``on_*`` callbacks are the simplest way to receive it.
    """
    number = next(_task_numbers)
    call: tuple[Callable[..., Any], tuple, dict] = (fn, args, dict(kwargs))
    if in_child:
        call = (run_in_child, (fn, args, dict(kwargs)), {})
    if writes:
        job: Job = WriteJob(number, call, _workspace_of(fn, args), origin)
    else:
        job = Job(number, *call)
    if with_progress or in_child:
        job._kwargs["progress"] = job  # noqa: SLF001 - the job is its own progress sink
    task = Task(job)
    for signal, slot in (
        (task.succeeded, on_success),
        (task.failed, on_failure),
        (task.progressed, on_progress),
        (task.cancelled_signal, on_cancelled),
        (task.finished, on_finished),
    ):
        if slot is not None:
            signal.connect(slot)
    _live_tasks[number] = task
    pool = write_pool() if writes else QThreadPool.globalInstance()
    pool.start(job.run)
    return task


def _workspace_of(fn: Callable[..., Any], args: tuple) -> Workspace | None:
    """Return the workspace a write is given (among its arguments or its partial's)."""
    from app.services.workspace import Workspace

    bound = fn.args if isinstance(fn, functools.partial) else ()
    return next((a for a in (*bound, *args) if isinstance(a, Workspace)), None)


def writes_pending() -> int:
    """Return how many write tasks are queued or running on the one writer."""
    return sum(isinstance(task.job, WriteJob) for task in _live_tasks.values())


def live_task_count() -> int:
    """Return how many tasks are still running (used on close and in tests)."""
    return len(_live_tasks)


def wait_for_writes(timeout_ms: int = 30_000) -> bool:
    """Block until the one writer has run every write asked for (another workspace opens)."""
    return write_pool().waitForDone(timeout_ms)


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Block until every task has finished (used when the app closes)."""
    done = QThreadPool.globalInstance().waitForDone(timeout_ms)
    return write_pool().waitForDone(timeout_ms) and done
