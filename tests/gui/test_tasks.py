"""Worker tasks: results, failures, progress and Cancel reach the UI thread."""

from __future__ import annotations

import threading

from app.gui import tasks
from app.services.progress import check_cancelled


def _count(n: int, progress) -> int:
    for i in range(n):
        progress.report((i + 1) / n, f"step {i}")
    return threading.get_ident()


def test_result_arrives_from_another_thread(qtbot):
    with qtbot.waitSignal(tasks.run_task(_count, 10).signals.succeeded, timeout=5000) as blocker:
        pass
    assert blocker.args[0] != threading.get_ident()


def test_progress_is_throttled_to_whole_percents(qtbot):
    seen = []
    task = tasks.run_task(_count, 1000, on_progress=lambda f, _m: seen.append(f))
    qtbot.waitSignal(task.signals.finished, timeout=5000).wait()
    qtbot.waitUntil(lambda: bool(seen) and seen[-1] == 1.0)
    assert len(seen) <= 101


def test_failure_is_delivered_with_its_traceback(qtbot):
    def explode(progress) -> None:
        raise ValueError("bad cell")

    with qtbot.waitSignal(tasks.run_task(explode).signals.failed, timeout=5000) as blocker:
        pass
    assert "bad cell" in str(blocker.args[0])
    assert "ValueError" in blocker.args[0].__traceback_text__


def test_cancel_stops_the_work(qtbot):
    started = threading.Event()

    def wait_for_cancel(progress) -> None:
        started.set()
        while True:
            check_cancelled(progress)
            threading.Event().wait(0.01)

    task = tasks.run_task(wait_for_cancel)
    assert started.wait(5)
    with qtbot.waitSignal(task.cancelled_signal, timeout=5000):
        task.cancel()
    qtbot.waitUntil(lambda: tasks.live_task_count() == 0)
