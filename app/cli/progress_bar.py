"""Progress of long CLI work on stderr: a bar with rate and time left, only on a terminal.

Long commands (import, findings refresh, reports, checks) pass a :class:`TerminalProgress` to
the service. On a terminal it draws one line on stderr — what is being done, a bar, the
percentage, items per second when the service says how many, the time spent and the time
left; with ``--json`` or when stderr is a file or a pipe it draws nothing. The first Ctrl-C asks
the service to stop (it rolls back and says nothing was written); a second one interrupts.
"""

from __future__ import annotations

import logging
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

logger = logging.getLogger(__name__)

_COUNT = re.compile(r"(\d[\d,]*)\s*(?:/|of)\s*(\d[\d,]*)")
_STEPS = 1000


class TerminalProgress:
    """The progress protocol of :mod:`app.support.progress`, drawn on stderr when wanted.

    Args:
        label: What the command does, shown before the bar.
        visible: Draw the bar; False keeps the object silent (it still carries cancellation).
    """

    def __init__(self, label: str, *, visible: bool) -> None:
        self._label = label
        self._visible = visible
        self._cancelled = threading.Event()
        self._bar: Any = None
        self._task: Any = None
        self._started = time.monotonic()

    @property
    def cancelled(self) -> bool:
        """Return True once the user pressed Ctrl-C."""
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Ask the running work to stop."""
        self._cancelled.set()

    def report(self, fraction: float, message: str = "") -> None:
        """Move the bar to ``fraction`` and show ``message`` (with a rate when it has a count)."""
        if self._bar is None:
            return
        detail = message or self._label
        rate = _rate(message, time.monotonic() - self._started)
        self._bar.update(
            self._task,
            completed=round(min(max(fraction, 0.0), 1.0) * _STEPS),
            description=f"{detail}{rate}",
        )

    def start(self) -> None:
        """Draw the bar (on a terminal only)."""
        if not self._visible:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            TextColumn("left"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._task = self._bar.add_task(self._label, total=_STEPS)
        self._bar.start()

    def stop(self) -> None:
        """Remove the bar from the terminal."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _rate(message: str, elapsed: float) -> str:
    """Return ' (1,234/s)' when the message carries a count such as '3,000 of 100,000'."""
    match = _COUNT.search(message)
    if not match or elapsed <= 0.5:
        return ""
    done = int(match.group(1).replace(",", ""))
    return f" ({done / elapsed:,.0f}/s)"


@contextmanager
def terminal_progress(label: str, *, quiet: bool = False) -> Iterator[TerminalProgress]:
    """Yield a progress for one long command; Ctrl-C once cancels it, twice interrupts.

    Args:
        label: What the command does.
        quiet: Never draw (``--json``); the bar is also hidden when stderr is not a terminal.
    """
    progress = TerminalProgress(label, visible=not quiet and sys.stderr.isatty())
    restore = _cancel_on_first_interrupt(progress)
    progress.start()
    try:
        yield progress
    finally:
        progress.stop()
        restore()


def _cancel_on_first_interrupt(progress: TerminalProgress) -> Any:
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGINT)

    def on_interrupt(signum: int, frame: FrameType | None) -> None:
        if progress.cancelled:
            raise KeyboardInterrupt
        progress.cancel()
        print(
            "\nassay: stopping after the current step (Ctrl-C again to interrupt)", file=sys.stderr
        )

    signal.signal(signal.SIGINT, on_interrupt)
    return lambda: signal.signal(signal.SIGINT, previous)
