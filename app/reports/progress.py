"""Progress reporting for long renderings, with cancellation between steps.

A rendering function takes an optional ``progress`` argument, which may be:

- ``None``: no reporting;
- an object with ``report(fraction, message)`` and a ``cancelled`` boolean property (the
  services' ``Progress`` protocol): fractions go to ``report`` and, between steps, a true
  ``cancelled`` stops the work with :class:`~app.reports.errors.ReportCancelled`;
- a plain callable ``fn(fraction, message)``: reporting only, never cancelled.

Steps are coarse (charts, HTML, layout, writing); WeasyPrint's layout itself cannot be
interrupted, so a cancel takes effect at the next step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from app.reports.errors import ReportCancelled

logger = logging.getLogger(__name__)

ProgressArg = Any  # None | Progress-like object | Callable[[float, str], object]


class Steps:
    """Wraps a caller's ``progress`` argument; see the module docstring."""

    def __init__(self, progress: ProgressArg = None, start: float = 0.0, end: float = 1.0):
        self._progress = progress
        self._start, self._end = start, end

    def _send(self, fraction: float, message: str) -> None:
        scaled = self._start + (self._end - self._start) * min(max(fraction, 0.0), 1.0)
        target = self._progress
        if target is None:
            return
        report: Callable[[float, str], object] | None = getattr(target, "report", None)
        if report is not None:
            report(scaled, message)
        elif callable(target):
            target(scaled, message)

    def report(self, fraction: float, message: str = "") -> None:
        """Report ``fraction`` (0–1 of this range) without checking for cancellation."""
        self._send(fraction, message)

    @property
    def cancelled(self) -> bool:
        """Return True once the caller asked to stop."""
        return bool(getattr(self._progress, "cancelled", False))

    def check(self) -> None:
        """Raise :class:`ReportCancelled` if the caller asked to stop."""
        if self.cancelled:
            logger.info("report rendering cancelled")
            raise ReportCancelled("Report cancelled.")

    def step(self, fraction: float, message: str) -> None:
        """Check for cancellation, then report ``fraction`` (0–1 of this range)."""
        self.check()
        self._send(fraction, message)

    def sub(self, start: float, end: float) -> Steps:
        """Return steps mapping ``[0, 1]`` onto ``[start, end]`` of this range."""
        span = self._end - self._start
        return Steps(self._progress, self._start + span * start, self._start + span * end)
