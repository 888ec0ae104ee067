"""Run a long service function in a child process, with progress and Cancel over a pipe.

Rendering a 100-page report or applying a large import builds millions of short-lived Python
objects. In a thread of the desktop app, every garbage collection they trigger stops the UI
thread too (one interpreter, one collector), so the window stalls for up to a second. In a
child process the collector pauses only the child. The parent's relay loop allocates almost
nothing and spends its time waiting on the pipe with the interpreter lock released.

The function and its arguments cross the boundary by pickling: a ``Workspace`` travels as its
path and is reopened in the child. Only small values should go either way.

Protocol, child to parent: ``("progress", fraction, message)``, then exactly one of
``("ok", result)``, ``("cancelled", None)`` or ``("error", FailureReport)``. Parent to child:
``"cancel"``.
"""

from __future__ import annotations

import logging
import pickle
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.services.errors import UserError
from app.services.progress import Cancelled, NullProgress, Progress

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05
"""How often the parent looks at the pipe, the child's liveness and the Cancel flag."""
CANCEL_GRACE_SECONDS = 10.0
"""How long a child may take to stop after Cancel before it is terminated."""


class BackgroundProcessError(RuntimeError):
    """The child process died or failed with an error that could not be sent back as is."""


@dataclass(frozen=True)
class FailureReport:
    """An exception raised in the child, in a form that always survives the pipe."""

    pickled: bytes | None
    type_name: str
    message: str
    traceback_text: str
    user_error: bool

    @classmethod
    def of(cls, exc: BaseException) -> FailureReport:
        """Describe ``exc``, keeping the exception itself when it round-trips through pickle."""
        try:
            dumped = pickle.dumps(exc)
            pickle.loads(dumped)  # noqa: S301 - our own bytes, checked before they travel
            pickled: bytes | None = dumped
        except Exception:  # an exception type whose arguments do not pickle
            pickled = None
        return cls(
            pickled=pickled,
            type_name=type(exc).__qualname__,
            message=str(exc),
            traceback_text="".join(traceback.format_exception(exc)),
            user_error=isinstance(exc, UserError),
        )

    def exception(self) -> BaseException:
        """Return the child's exception (or a stand-in) with the child's traceback attached."""
        exc: BaseException
        if self.pickled is not None:
            exc = pickle.loads(self.pickled)  # noqa: S301 - bytes made by our own child
        elif self.user_error:
            exc = UserError(self.message)
        else:
            exc = BackgroundProcessError(f"{self.type_name}: {self.message}")
        exc.__traceback_text__ = self.traceback_text  # type: ignore[attr-defined]
        return exc


class _PipeProgress:
    """The child's progress sink: sends whole-percent reports, reads Cancel from the pipe."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._last_percent = -1
        self._cancelled = False

    def report(self, fraction: float, message: str = "") -> None:
        percent = int(max(0.0, min(1.0, fraction)) * 100)
        if percent != self._last_percent:
            self._last_percent = percent
            self._connection.send(("progress", percent / 100, message))

    @property
    def cancelled(self) -> bool:
        while not self._cancelled and self._connection.poll():
            self._cancelled = self._connection.recv() == "cancel"
        return self._cancelled


def _child_main(
    connection: Connection, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Entry point of the child: run ``fn`` and send its outcome (runs in the child only)."""
    from app.support.logging_setup import configure_logging

    configure_logging()
    try:
        result = fn(*args, progress=_PipeProgress(connection), **kwargs)
    except Cancelled:
        connection.send(("cancelled", None))
    except BaseException as exc:  # every failure must reach the parent
        logger.exception("child task %s failed", getattr(fn, "__name__", fn))
        connection.send(("error", FailureReport.of(exc)))
    else:
        connection.send(("ok", result))
    finally:
        connection.close()


def run_in_child(
    fn: Callable[..., Any],
    args: tuple[Any, ...] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    progress: Progress | None = None,
) -> Any:
    """Run ``fn(*args, progress=..., **kwargs)`` in a fresh child process and return its result.

    Blocks the calling thread (a worker thread in the GUI) while the child runs, relaying the
    child's progress reports to ``progress`` and passing on a Cancel.

    Args:
        fn: A module-level function (it is pickled by name); it must accept ``progress``.
        args: Positional arguments; they must pickle.
        kwargs: Keyword arguments; they must pickle.
        progress: Receives the child's reports; its ``cancelled`` flag is sent to the child.

    Returns:
        What ``fn`` returned in the child.

    Raises:
        Cancelled: The child stopped on Cancel (or was terminated after the grace period).
        BackgroundProcessError: The child died without an answer.
        Exception: Whatever ``fn`` raised in the child, re-raised here.
    """
    import multiprocessing  # only when a child is started: it costs start-up time otherwise

    progress = progress or NullProgress()
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe(duplex=True)
    process = context.Process(
        target=_child_main,
        args=(theirs, fn, args, kwargs or {}),
        name=f"assay-{getattr(fn, '__name__', 'task')}",
        daemon=True,
    )
    process.start()
    theirs.close()
    logger.info("started child process %s (pid %s)", process.name, process.pid)
    try:
        return _relay(ours, process, progress)
    finally:
        ours.close()
        _reap(process)


def _relay(connection: Connection, process: Any, progress: Progress) -> Any:
    cancel_sent_at: float | None = None
    while True:
        if connection.poll(POLL_SECONDS):
            try:
                kind, *payload = connection.recv()
            except EOFError:
                kind, payload = "died", []
            if kind == "progress":
                progress.report(*payload)
                continue
            if kind == "ok":
                return payload[0]
            if kind == "cancelled":
                raise Cancelled()
            if kind == "error":
                raise payload[0].exception()
            raise BackgroundProcessError(_died_message(process))
        if not process.is_alive() and not connection.poll():
            raise BackgroundProcessError(_died_message(process))
        if progress.cancelled:
            if cancel_sent_at is None:
                connection.send("cancel")
                cancel_sent_at = time.monotonic()
            elif time.monotonic() - cancel_sent_at > CANCEL_GRACE_SECONDS:
                logger.warning("child %s ignored Cancel; terminating it", process.name)
                process.terminate()
                raise Cancelled()


def _died_message(process: Any) -> str:
    process.join(1.0)
    return f"the background process stopped unexpectedly (exit code {process.exitcode})"


def _reap(process: Any) -> None:
    process.join(5.0)
    if process.is_alive():
        process.terminate()
        process.join(5.0)


def run_child_job(
    connection: Connection,
    process: Any,
    job: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]],
    progress: Progress | None = None,
) -> Any:
    """Hand a child started ahead of time its job and relay it as :func:`run_in_child` does.

    The child runs :func:`serve_child_job`; the connection and the process are used up.

    Raises:
        Cancelled: The child stopped on Cancel (or was terminated after the grace period).
        BackgroundProcessError: The child died without an answer.
        Exception: Whatever the job raised in the child, re-raised here.
    """
    try:
        try:
            connection.send(job)
        except OSError as exc:  # the child died while it waited for its job
            raise BackgroundProcessError(_died_message(process)) from exc
        return _relay(connection, process, progress or NullProgress())
    finally:
        connection.close()
        _reap(process)


def serve_child_job(
    connection: Connection, prepare: Callable[[Callable[..., Any]], Callable[..., Any]]
) -> bool:
    """In a child started ahead of time: wait for its job, run it and send the outcome.

    Args:
        connection: The child's end of the pipe.
        prepare: Turns the job's function into the one to call (to hand it what the child
            prepared while it waited).

    Returns:
        False when the parent closed the pipe or sent ``None`` instead of a job.
    """
    try:
        job = connection.recv()
    except (EOFError, OSError):
        return False
    if job is None:
        return False
    fn, args, kwargs = job
    _child_main(connection, prepare(fn), args, kwargs)
    return True
