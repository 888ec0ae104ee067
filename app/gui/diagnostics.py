"""Measure how responsive the UI thread stays while background work runs.

A timer on the UI thread fires every few milliseconds; the longest interval between two
firings is the longest time the UI could not react. Benchmarks print it; the app can log it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QElapsedTimer, QObject, QTimer

logger = logging.getLogger(__name__)


class UiGapRecorder(QObject):
    """Records the longest gap between ticks of a UI-thread timer.

    Args:
        interval_ms: How often the timer should fire.
    """

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_tick)
        self._clock = QElapsedTimer()
        self._last = 0
        self.max_gap_ms = 0
        self.ticks = 0

    def start(self) -> None:
        self.max_gap_ms, self.ticks = 0, 0
        self._clock.start()
        self._last = 0
        self._timer.start()

    def stop(self) -> int:
        self._timer.stop()
        self._on_tick()
        return self.max_gap_ms

    def _on_tick(self) -> None:
        now = self._clock.elapsed()
        self.max_gap_ms = max(self.max_gap_ms, now - self._last)
        self._last = now
        self.ticks += 1
