"""A child process started before its job is known, so the job starts without waiting.

Starting a child process costs about a second before it does any work: the interpreter and the
app's modules load. Where the window can tell that a long job is coming (the user is reading a
dry run, or choosing what a report holds), it starts a :class:`PreparedChild` early. The child
loads what the job needs, may receive a few messages to prepare further (see
:meth:`PreparedChild.send`), then waits for its one job; the job runs exactly as with
:func:`~app.services.child_process.run_in_child`, with progress and Cancel over the pipe.

A prepared child serves one job. Closed unused, it exits without doing any work of the job; it
also exits by itself when the window's process goes away (its end of the pipe closes).
"""

from __future__ import annotations

import atexit
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.services.child_process import run_child_job
from app.services.progress import Cancelled, Progress

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

logger = logging.getLogger(__name__)

STOP_WAIT_SECONDS = 0.05
"""How long a closed child may take to exit by itself before it is terminated."""


class PreparedChild:
    """A child process running ``target(connection)`` that serves one job (module docstring).

    Args:
        target: A module-level function run in the child with its end of the pipe; it prepares,
            then serves the job with :func:`~app.services.child_process.serve_child_job`.
        name: The process's name (seen in logs and process lists).
        daemon: A daemonic child is terminated when the window's process exits; a child that
            starts processes of its own cannot be daemonic.
    """

    def __init__(
        self, target: Callable[[Connection], None], *, name: str, daemon: bool = True
    ) -> None:
        import multiprocessing  # only when a child is started: it costs start-up time otherwise

        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe(duplex=True)
        self._process = context.Process(target=target, args=(theirs,), name=name, daemon=daemon)
        self._process.start()
        theirs.close()
        self._used = False
        atexit.register(self.close)
        logger.info("prepared child process %s (pid %s)", name, self._process.pid)

    @property
    def used(self) -> bool:
        """Return True once the child was given its job or closed."""
        return self._used

    @property
    def pid(self) -> int | None:
        """Return the child's process id."""
        return self._process.pid

    def is_alive(self) -> bool:
        """Return True while the child process runs."""
        return self._process.is_alive()

    def send(self, message: object) -> None:
        """Send the waiting child a message that prepares its job (it must pickle).

        Raises:
            RuntimeError: The child already has its job or was closed.
        """
        if self._used:
            raise RuntimeError("the prepared child already served its job")
        self._connection.send(message)

    def run(
        self,
        fn: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        progress: Progress | None = None,
    ) -> Any:
        """Hand the child its job and relay it; blocks the calling (worker) thread.

        Returns:
            What the job returned in the child.

        Raises:
            RuntimeError: The child already served a job or was closed.
            Cancelled: Cancel was pressed (before the job was sent, the child is stopped unused).
            BackgroundProcessError: The child died without an answer.
            Exception: Whatever the job raised in the child, re-raised here.
        """
        if self._used:
            raise RuntimeError("the prepared child already served its job")
        if progress is not None and progress.cancelled:
            self.close()  # cancelled before it started: the job never reaches the child
            raise Cancelled()
        self._used = True
        atexit.unregister(self.close)
        return run_child_job(self._connection, self._process, (fn, args, kwargs or {}), progress)

    def close(self) -> None:
        """Stop the child if it has not been given its job; it exits without running one."""
        atexit.unregister(self.close)
        if self._used:
            return
        self._used = True
        with contextlib.suppress(OSError):  # the child is gone already
            self._connection.send(None)
        self._connection.close()
        self._process.join(STOP_WAIT_SECONDS)
        if self._process.is_alive():  # still loading or preparing: it has written nothing
            self._process.terminate()
            self._process.join(2.0)
        logger.info("stopped prepared child %s unused", self._process.name)


class PreparedProcess:
    """Base of the app's prepared processes: one :class:`PreparedChild` and its life.

    A subclass names what the process does and how its job is handed over; this base says
    whether it served, which process it is, and stops it unused.

    Args:
        target: The child's entry point (see :class:`PreparedChild`).
        name: The process's name.
        daemon: Whether the process is daemonic (see :class:`PreparedChild`).
    """

    def __init__(
        self, target: Callable[[Connection], None], *, name: str, daemon: bool = True
    ) -> None:
        self._child = PreparedChild(target, name=name, daemon=daemon)

    @property
    def used(self) -> bool:
        """Return True once the process was given its job or closed (it serves one)."""
        return self._child.used

    @property
    def pid(self) -> int | None:
        """Return the process id."""
        return self._child.pid

    def is_alive(self) -> bool:
        """Return True while the process runs."""
        return self._child.is_alive()

    def close(self) -> None:
        """Stop the process unless it has its job; it exits without running one."""
        self._child.close()
