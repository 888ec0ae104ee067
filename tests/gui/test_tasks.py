"""Worker tasks: results, failures, progress and Cancel reach the UI thread.

Outcomes are received through ``run_task``'s callbacks, which are connected before the worker
starts: a signal a test connects to after ``run_task`` returns may already have been emitted
by a warm worker thread, and would be missed.
"""

from __future__ import annotations

import threading

from app.gui import tasks
from app.services.progress import check_cancelled


def _count(n: int, progress) -> int:
    for i in range(n):
        progress.report((i + 1) / n, f"step {i}")
    return threading.get_ident()


def test_result_arrives_from_another_thread(qtbot):
    results = []
    tasks.run_task(_count, 10, on_success=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert results[0] != threading.get_ident()


def test_progress_is_throttled_to_whole_percents(qtbot):
    seen = []
    tasks.run_task(_count, 1000, on_progress=lambda f, _m: seen.append(f))
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == 1.0, timeout=5000)
    assert len(seen) <= 101


def test_failure_is_delivered_with_its_traceback(qtbot):
    def explode(progress) -> None:
        raise ValueError("bad cell")

    failures = []
    tasks.run_task(explode, on_failure=failures.append)
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    assert "bad cell" in str(failures[0])
    assert "ValueError" in failures[0].__traceback_text__


def test_cancel_stops_the_work(qtbot):
    started = threading.Event()

    def wait_for_cancel(progress) -> None:
        started.set()
        while True:
            check_cancelled(progress)
            threading.Event().wait(0.01)

    cancelled = []
    task = tasks.run_task(wait_for_cancel, on_cancelled=lambda: cancelled.append(True))
    assert started.wait(5)
    task.cancel()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    qtbot.waitUntil(lambda: tasks.live_task_count() == 0)
