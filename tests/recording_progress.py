"""A progress for tests: notes every report, and asks to stop when told to."""

from __future__ import annotations


class RecordingProgress:
    """Records the fractions and messages reported; cancelled at once or at a message.

    Args:
        cancel: Ask the work to stop from the start.
        stop_at: Ask it to stop once a message containing this text was reported.
    """

    def __init__(self, *, cancel: bool = False, stop_at: str = "") -> None:
        self.reports: list[float] = []
        self.messages: list[str] = []
        self._cancel = cancel
        self._stop_at = stop_at

    def report(self, fraction: float, message: str = "") -> None:
        """Note the report."""
        self.reports.append(fraction)
        self.messages.append(message)

    @property
    def cancelled(self) -> bool:
        """Return True when told to cancel, or once the ``stop_at`` message was reported."""
        if self._cancel:
            return True
        return bool(self._stop_at) and any(self._stop_at in m for m in self.messages)
