"""Service functions run in a child process: results, progress, Cancel and failures come back."""

from __future__ import annotations

import os
import pickle
import sys
import threading
import time
from pathlib import Path

import pytest

from app.services import child_process
from app.services.child_process import BackgroundProcessError, run_in_child
from app.services.errors import UserError, WorkspaceError
from app.services.progress import Cancelled
from app.services.workspace import open_workspace

# The jobs live in a sibling module that a child process can import by name: the child
# receives this process's sys.path.
sys.path.insert(0, str(Path(__file__).parent))
import child_jobs  # noqa: E402


class Recorder:
    """A progress sink that records reports and can be cancelled from the test."""

    def __init__(self) -> None:
        self.reports: list[tuple[float, str]] = []
        self._cancel = threading.Event()

    def report(self, fraction: float, message: str = "") -> None:
        self.reports.append((fraction, message))

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()


def test_the_result_comes_from_another_process_with_its_progress():
    progress = Recorder()
    result = run_in_child(child_jobs.count_to, (500,), progress=progress)
    assert result["steps"] == 500
    assert result["pid"] != os.getpid()
    assert progress.reports[-1] == (1.0, "step 500")
    assert len(progress.reports) <= 101, "reports are throttled to whole percents"


def test_a_user_error_arrives_as_itself_with_the_childs_traceback():
    with pytest.raises(UserError, match="has no header row") as caught:
        run_in_child(child_jobs.refuse)
    assert "child_jobs.py" in caught.value.__traceback_text__
    assert "def refuse" not in caught.value.__traceback_text__  # a traceback, not source


def test_an_exception_that_does_not_pickle_still_names_its_type_and_message():
    with pytest.raises(BackgroundProcessError, match="StubbornError: code 7: odd failure"):
        run_in_child(child_jobs.fail_oddly)


def test_a_child_that_dies_is_reported_with_its_exit_code():
    with pytest.raises(BackgroundProcessError, match="exit code 3"):
        run_in_child(child_jobs.die)


def test_cancel_reaches_the_child_and_it_stops():
    progress = Recorder()
    timer = threading.Timer(1.0, progress.cancel)  # after the child has started
    timer.start()
    try:
        with pytest.raises(Cancelled):
            run_in_child(child_jobs.wait_for_cancel, progress=progress)
    finally:
        timer.cancel()
    assert progress.reports[0] == (0.1, "waiting")


def test_a_child_ignoring_cancel_is_terminated_after_the_grace_period(monkeypatch):
    monkeypatch.setattr(child_process, "CANCEL_GRACE_SECONDS", 0.5)
    progress = Recorder()
    progress.cancel()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        run_in_child(child_jobs.ignore_cancel, progress=progress)
    assert time.monotonic() - started < 30, "it did not wait for the 60-second sleep"


def test_a_workspace_travels_by_path_and_is_reopened(tmp_path):
    ws = open_workspace(tmp_path / "client.assay", actor="Ada Assessor")
    try:
        path, actor, tables = run_in_child(child_jobs.workspace_facts, (ws,))
    finally:
        ws.close()
    assert (path, actor) == (ws.location, "Ada Assessor")
    assert tables > 10


def test_a_workspace_that_vanished_is_not_recreated_by_another_process(tmp_path):
    ws = open_workspace(tmp_path / "gone.assay", actor="tester")
    ws.close()
    carried = pickle.dumps(ws)
    for leftover in tmp_path.glob("gone.assay*"):
        leftover.unlink()
    with pytest.raises(WorkspaceError, match="no workspace at"):
        pickle.loads(carried)
    assert not (tmp_path / "gone.assay").exists()
