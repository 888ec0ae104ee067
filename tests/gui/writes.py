"""Waiting for the window's one writer in tests."""

from __future__ import annotations

from app.gui import tasks
from app.gui.writer import Written
from app.storage.unit_of_work import Change


def wait_written(qtbot, timeout: int = 15_000) -> None:
    """Wait until every write sent to the one writer is done and its outcome was handled."""
    qtbot.waitUntil(lambda: tasks.writes_pending() == 0, timeout=timeout)


def announce(context, *entities: str) -> None:
    """Tell the window's views that records of these kinds changed (as another program would)."""
    context.changed.emit(Written([Change("test.change", entity, "1") for entity in entities]))
