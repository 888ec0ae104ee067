"""Progress reporting for long renderings, with cancellation between steps.

A rendering function takes an optional ``progress`` argument: ``None`` (no reporting) or an
object of the one progress protocol, :class:`app.support.progress.Progress`, shared with the
services. Fractions go to ``report`` and, between steps, a true ``cancelled`` stops the work
with :class:`~app.reports.errors.ReportCancelled` (a :class:`~app.support.progress.Cancelled`).

Steps are coarse (charts, HTML, layout, writing); WeasyPrint's layout itself cannot be
interrupted, so a cancel takes effect at the next step.
"""

from __future__ import annotations

import logging

from app.reports.errors import ReportCancelled
from app.support.progress import Progress

logger = logging.getLogger(__name__)

ProgressArg = Progress | None


class Steps:
    """Wraps a caller's ``progress`` argument; see the module docstring."""

    def __init__(self, progress: ProgressArg = None, start: float = 0.0, end: float = 1.0):
        self._progress = progress
        self._start, self._end = start, end

    def _send(self, fraction: float, message: str) -> None:
        scaled = self._start + (self._end - self._start) * min(max(fraction, 0.0), 1.0)
        if self._progress is not None:
            self._progress.report(scaled, message)

    def report(self, fraction: float, message: str = "") -> None:
        """Report ``fraction`` (0–1 of this range) without checking for cancellation."""
        self._send(fraction, message)

    @property
    def cancelled(self) -> bool:
        """Return True once the caller asked to stop."""
        return self._progress is not None and self._progress.cancelled

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
