"""Progress and cancellation protocol for long-running service functions.

A long operation takes a ``progress`` argument, reports fractions in ``[0, 1]`` and stops with
:class:`Cancelled` when ``progress.cancelled`` becomes true. The GUI's task runner implements the
protocol with Qt signals; the CLI and tests use :class:`NullProgress` or a recorder.
"""

from __future__ import annotations

import logging
from typing import Protocol, runtime_checkable

logger = logging.getLogger(__name__)


class Cancelled(Exception):  # noqa: N818 - the name reads as what happened
    """Raised by a service when the user cancelled the operation."""


@runtime_checkable
class Progress(Protocol):
    """What a long operation reports to and asks of its caller."""

    def report(self, fraction: float, message: str = "") -> None:
        """Report how far the work is, between 0 and 1, with an optional message."""

    @property
    def cancelled(self) -> bool:
        """Return True once the caller asked the operation to stop."""


class NullProgress:
    """A progress sink that ignores reports and is never cancelled."""

    def report(self, fraction: float, message: str = "") -> None:
        """Ignore the report."""

    @property
    def cancelled(self) -> bool:
        """Return False: a null progress is never cancelled."""
        return False


def check_cancelled(progress: Progress | None) -> None:
    """Raise :class:`Cancelled` if the caller asked to stop.

    Args:
        progress: The caller's progress object, or None.

    Raises:
        Cancelled: When ``progress.cancelled`` is true.
    """
    if progress is not None and progress.cancelled:
        raise Cancelled()


def scaled(progress: Progress | None, start: float, end: float) -> Progress:
    """Return a progress that maps ``[0, 1]`` onto ``[start, end]`` of ``progress``."""
    return _ScaledProgress(progress or NullProgress(), start, end)


class _ScaledProgress:
    def __init__(self, inner: Progress, start: float, end: float) -> None:
        self._inner, self._start, self._end = inner, start, end

    def report(self, fraction: float, message: str = "") -> None:
        clamped = min(max(fraction, 0.0), 1.0)
        self._inner.report(self._start + (self._end - self._start) * clamped, message)

    @property
    def cancelled(self) -> bool:
        return self._inner.cancelled
