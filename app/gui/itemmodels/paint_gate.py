"""Lets a worker step aside while the UI thread paints a large table.

A table model written in Python answers every painted cell through a call into the
interpreter: a few thousand calls per paint. While a worker runs Python, each of those calls
waits for the worker to hand the interpreter over (up to the switch interval, 5 ms), so a
paint of 20 ms could take seconds. The table's view holds :data:`PAINTING` while it paints;
a worker ordering rows calls :meth:`PaintGate.step` between short steps of its work and waits
there (without the interpreter) until the paint is done.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from app.services.progress import NullProgress, Progress

logger = logging.getLogger(__name__)

STEP_ROWS = 2_048
"""Rows a worker handles between two looks at the gate (a few milliseconds of work)."""
LONGEST_WAIT_S = 0.5
"""A worker never waits longer than this for one paint."""


class PaintGate:
    """Open while no view paints; a worker waits at it while one does."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self._open.set()
        self._painting = 0

    @contextmanager
    def painting(self) -> Iterator[None]:
        """Hold the gate closed for the block (on the UI thread, around a paint)."""
        self._painting += 1
        self._open.clear()
        try:
            yield
        finally:
            self._painting -= 1
            if self._painting == 0:
                self._open.set()

    def is_open(self) -> bool:
        """Return True while no view paints."""
        return self._open.is_set()

    def step(self) -> None:
        """Wait, without the interpreter, while a view paints (on a worker)."""
        self._open.wait(LONGEST_WAIT_S)


PAINTING = PaintGate()
"""The one gate of the process: every large table's view holds it while it paints."""


def in_steps(numbers: range | list[int]) -> Iterator[range | list[int]]:
    """Yield ``numbers`` in slices of :data:`STEP_ROWS`, waiting at the gate before each."""
    for start in range(0, len(numbers), STEP_ROWS):
        PAINTING.step()
        yield numbers[start : start + STEP_ROWS]


class SteppingAside:
    """A worker's progress that waits at the gate whenever the work asks whether to stop.

    For work that runs Python for seconds in a service (which knows nothing of paints) but
    looks at ``progress.cancelled`` every few milliseconds: a paint then waits for the
    interpreter at most that long.
    """

    def __init__(self, inner: Progress | None) -> None:
        self._inner: Progress = inner if inner is not None else NullProgress()

    def report(self, fraction: float, message: str = "") -> None:
        """Pass the report on."""
        self._inner.report(fraction, message)

    @property
    def cancelled(self) -> bool:
        """Wait while a view paints, then say whether the caller asked to stop."""
        PAINTING.step()
        return self._inner.cancelled
