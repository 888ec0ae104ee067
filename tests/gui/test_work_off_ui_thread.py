"""The long operations of the window call their services on worker threads, never the UI thread.

Each test wraps the service functions a page calls so that every call records the thread it
ran on, drives the real window like a user, and checks that no call ran on the UI thread (the
thread running the test). Times are not measured here; ``tests/bench`` prints them.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWizard

from app.gui import file_dialogs
from app.gui.dialogs import (
    identity_dialog,
    import_preview_page,
    import_sheet_page,
    new_assessment_dialog,
    new_finding_dialog,
)
from app.gui.pages import assessments_page, findings_page
from app.services import prepared_child
from app.services.assessments import list_responses
from app.services.findings import list_findings
from app.services.inventory_import import file_sha256
from app.services.inventory_import.prepared import apply_prepared
from app.services.inventory_queries import get_system
from app.services.reporting import create_certificate, generate_pdf
from app.services.workspace import open_workspace
from tests.gui.writes import announce, wait_written

PASSWORD = "thread-Secret-8596!"
_SETUP = Path(__file__).parents[1] / "services" / "test_reporting_setup.py"


def _setup_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("reporting_setup", _SETUP)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("reporting_setup", module)
    spec.loader.exec_module(module)
    return module


setup = _setup_module()


class ThreadLog:
    """Wraps service functions so that each call records the thread it ran on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._monkeypatch = monkeypatch
        self.calls: list[tuple[str, int]] = []

    def watch(self, module: ModuleType, name: str, before: Callable | None = None) -> None:
        """Record every call of ``module.name``; ``before`` runs first with the arguments."""
        original = getattr(module, name)

        def recorded(*args, **kwargs):
            self.calls.append((name, threading.get_ident()))
            if before is not None:
                before(args, kwargs)
            return original(*args, **kwargs)

        self._monkeypatch.setattr(module, name, recorded)

    def threads(self, name: str) -> list[int]:
        return [thread for called, thread in self.calls if called == name]


@pytest.fixture
def log(monkeypatch):
    return ThreadLog(monkeypatch)


@pytest.fixture
def errors(monkeypatch):
    """Error boxes are recorded instead of shown (a modal box would stop the test)."""
    shown: list[str] = []

    def record(box):
        shown.append(box.text())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    return shown


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return setup.build_report_workspace(tmp_path_factory.mktemp("built"))


@pytest.fixture
def window(built, tmp_path, make_main_window):
    copy = setup.copy_workspace(built, tmp_path / "ws")
    window = make_main_window(workspace=open_workspace(copy.path, actor="tester"))
    window.show()
    return window


def assert_off_ui_thread(log: ThreadLog, *names: str) -> None:
    ui = threading.get_ident()
    for name in names:
        threads = log.threads(name)
        assert threads, f"{name} was never called"
        assert ui not in threads, f"{name} ran on the UI thread"


def test_import_wizard_reads_and_checks_on_workers_and_applies_in_its_prepared_child(
    window, qtbot, tmp_path, log, errors
):
    from openpyxl import Workbook

    jobs = []
    for module, name in ((import_sheet_page, "inspect_file"), (import_preview_page, "plan_import")):
        log.watch(module, name)
    log.watch(prepared_child, "run_child_job", before=lambda args, _kwargs: jobs.append(args[2]))
    book = Workbook()
    book.active.title = "AI systems"
    book.active.append(["System ID", "Name", "Owner email", "Autonomy"])
    book.active.append(["AIS-900", "Thread test agent", "tess@example.com", "advisory"])
    path = tmp_path / "one-system.xlsx"
    book.save(path)
    window.show_page("inventory")
    page = window.page("inventory")
    wizard = page.start_import()
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    qtbot.waitUntil(lambda: wizard.file_preview is not None, timeout=10_000)
    wizard.next()
    with qtbot.waitSignal(wizard.preview_page.plan_ready, timeout=15_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.prepared.ready, timeout=15_000)
    with qtbot.waitSignal(wizard.imported, timeout=15_000):
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert get_system(window.context.workspace, "AIS-900").row.name == "Thread test agent"
    assert_off_ui_thread(log, "inspect_file", "plan_import", "run_child_job")
    [(job, (checked,), kwargs)] = jobs  # only the command travels: the child planned the file
    assert job is apply_prepared
    assert checked == file_sha256(path)
    assert kwargs == {"valid_only": False, "delete_missing": False}
    assert errors == []


def test_a_fully_answered_assessment_is_read_and_scored_on_workers(
    window, qtbot, built, log, errors
):
    log.watch(assessments_page, "load_state")
    log.watch(assessments_page, "score_state")
    responses = list_responses(window.context.workspace, built.assessment_id)
    assert all(r.answered for r in responses)
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None and not page.scoring(), timeout=10_000)
    assert page.state.info.id == built.assessment_id
    page.schedule_score()
    qtbot.waitUntil(lambda: not page.scoring(), timeout=10_000)
    level = page.state.responses[page.panel.question_id].level
    page.answer_level(1 if level != 1 else 2)  # an answer change scores the whole assessment
    wait_written(qtbot)
    qtbot.waitUntil(lambda: not page.scoring(), timeout=10_000)
    assert len(log.threads("score_state")) >= 2
    assert_off_ui_thread(log, "load_state", "score_state")
    assert errors == []


def test_the_findings_page_reads_on_a_worker(window, qtbot, log, errors):
    log.watch(findings_page, "list_assessments")
    log.watch(findings_page, "list_findings")
    window.show_page("findings")
    page = window.page("findings")
    qtbot.waitUntil(lambda: not page.loading(), timeout=10_000)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        announce(window.context, "finding")  # another page changed the findings
    stored = list_findings(window.context.workspace)
    assert stored, "the workspace has findings to show"
    assert [f.id for f in page._all] == [f.id for f in stored]
    assert len(log.threads("list_findings")) >= 2
    assert_off_ui_thread(log, "list_assessments", "list_findings")
    assert errors == []


def test_identity_details_are_read_on_a_worker(window, qtbot, log, errors):
    log.watch(identity_dialog, "get_identity")
    log.watch(identity_dialog, "analyse_identity")
    window.show_page("inventory")
    page = window.page("inventory")
    page.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: page.identities.proxy.rowCount() > 0, timeout=10_000)
    table = page.identities
    table.view.doubleClicked.emit(table.proxy.index(0, 0))
    [dialog] = page.identity_dialogs.values()
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    assert dialog.data.detail.row.ext_id == table.proxy.index(0, 0).data()
    assert_off_ui_thread(log, "get_identity", "analyse_identity")
    assert errors == []


def test_the_new_assessment_and_new_finding_dialogs_read_on_workers(window, qtbot, log, errors):
    log.watch(new_assessment_dialog, "system_risk_of")
    log.watch(new_finding_dialog, "list_systems")
    window.show_page("assessments")
    assessments = window.page("assessments")
    dialog = assessments.new_assessment_dialog()
    qtbot.waitUntil(dialog.target_known, timeout=10_000)
    window.show_page("findings")
    findings = window.page("findings")
    qtbot.waitUntil(lambda: not findings.loading(), timeout=10_000)
    finding_dialog = findings.new_finding_dialog()
    qtbot.waitUntil(lambda: not finding_dialog.loading(), timeout=10_000)
    assert finding_dialog.about_box.count() > 0
    assert_off_ui_thread(log, "system_risk_of", "list_systems")
    dialog.reject()
    finding_dialog.reject()
    assert errors == []


@pytest.mark.parametrize("signed", [False, True], ids=["pdf", "signed-pdf"])
def test_pdf_reports_are_generated_in_a_child_process(
    window, qtbot, tmp_path, monkeypatch, log, errors, signed
):
    # A worker thread hands the real generate_pdf to the report process prepared when the page
    # opened, and relays its progress. The task is cancelled first (as the progress dialog's
    # Cancel button would), so the process stops at its first cancellation check instead of
    # rendering for many seconds.
    jobs = []

    def cancel_first(args, kwargs):
        jobs.append(args[2])  # (function, arguments, keywords) as sent to the process
        args[3].cancel()

    log.watch(prepared_child, "run_child_job", before=cancel_first)
    output = tmp_path / "report.pdf"
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(output))
    window.show_page("reports")
    page = window.page("reports")
    if signed:
        certificate = tmp_path / "assessor.p12"
        create_certificate(certificate, name="Tess Thread", password=PASSWORD.encode())
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PASSWORD, True))
        page.sign_check.setChecked(True)
        page.certificate_edit.setText(str(certificate))
    page.generate_button.click()
    assert not page.generate_button.isEnabled(), "the click returns while the worker runs"
    qtbot.waitUntil(lambda: page.generate_button.isEnabled(), timeout=60_000)
    assert page.result_label.text() == "Cancelled: no report was written."
    assert not output.exists()
    assert_off_ui_thread(log, "run_child_job")
    function, _arguments, keywords = jobs[0]
    assert function is generate_pdf
    assert (keywords["signing"] is not None) == signed
    assert errors == []
