"""The report process prepared ahead of a PDF: it writes one report, and Cancel stops it all."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from app.services.pending import sha256_of
from app.services.progress import Cancelled
from app.services.reporting import generate_pdf
from app.services.reporting.report_process import ReportProcess
from app.services.workspace import open_workspace

_SETUP = Path(__file__).with_name("test_reporting_setup.py")
_PROC = Path("/proc")


def _setup_module():
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return setup.build_report_workspace(tmp_path_factory.mktemp("built"))


@pytest.fixture
def ws(built, tmp_path):
    copy = setup.copy_workspace(built, tmp_path)
    workspace = open_workspace(copy.path, actor="tester")
    yield workspace
    workspace.close()


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in (_PROC / str(pid) / "task").glob("*"):
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


def _gone(pids: set[int], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any((_PROC / str(pid)).exists() for pid in pids):
            return True
        time.sleep(0.05)
    return False


def _wait_for_workers(process: ReportProcess) -> set[int]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = _children(process._process.pid)  # noqa: SLF001 - looking at the real processes
        if len(workers) >= 2:
            return workers
        time.sleep(0.05)
    pytest.fail("the report process started no render workers")


def test_a_prepared_process_writes_one_report(ws, built, tmp_path):
    process = ReportProcess()
    output = tmp_path / "report.pdf"
    outcome = process.run(generate_pdf, ws, built.assessment_id, output)
    assert outcome.path == output
    assert outcome.pages > 1
    assert outcome.sha256 == sha256_of(output)
    assert process.used
    with pytest.raises(RuntimeError):
        process.run(generate_pdf, ws, built.assessment_id, output)


class _CancelWhenAsked:
    cancelled = False

    def report(self, fraction: float, message: str = "") -> None:
        self.cancelled = True  # the first report arrives once the job runs


@pytest.mark.skipif(not _PROC.is_dir(), reason="reads the process tree from /proc")
def test_cancel_stops_the_report_process_and_its_render_workers(ws, built, tmp_path):
    process = ReportProcess()
    pids = {process._process.pid} | _wait_for_workers(process)  # noqa: SLF001
    with pytest.raises(Cancelled):
        process.run(
            generate_pdf, ws, built.assessment_id, tmp_path / "r.pdf", progress=_CancelWhenAsked()
        )
    assert _gone(pids)
    assert list(tmp_path.glob("*.pdf*")) == []


@pytest.mark.skipif(not _PROC.is_dir(), reason="reads the process tree from /proc")
def test_closing_an_unused_process_stops_its_render_workers():
    process = ReportProcess()
    pids = {process._process.pid} | _wait_for_workers(process)  # noqa: SLF001
    process.close()
    assert _gone(pids)
