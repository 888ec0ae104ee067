"""How responsive the real main window stays during its long operations.

Drives the real window through an inventory import with the wizard (a generated workbook of
5,000 AI systems), the scoring of a fully answered assessment, a PDF report and a signed PDF
report, while ``UiGapRecorder`` (a UI-thread timer) records the longest time the UI thread could
not react. Prints the wall time and the longest gap of every step; the aims are no gap above
100 ms and the wizard's apply-and-refresh step of 5,000 systems within 3 s. Each line also
gives the longest garbage-collection pause in the step: a collection stops every Python
thread, the UI thread too, so a gap about as long as that pause comes from the collector
(objects made by the worker), not from work done in a slot. The render of the unsigned PDF
report also has an aim on its wall time (:data:`REPORT_RENDER_AIM_S`). An aim that is missed
fails the benchmark (the ``aims`` fixture).
"""

from __future__ import annotations

import datetime as dt
import gc
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QInputDialog, QWizard

from app.gui import file_dialogs
from app.gui.diagnostics import UiGapRecorder

SYSTEMS, IDENTITIES, RESOURCES, GRANTS = 5_000, 10_000, 1_000, 20_000
AIM_MS = 100
#: Aim of issue 19: wall seconds to render the demo's report in the window (before its preview).
REPORT_RENDER_AIM_S = 8.0
APPLY_AIM_S = 3.0
TIMEOUT_MS = 240_000
PASSWORD = "bench-Secret-8596!"

SYSTEM_HEADERS = ["System ID", "Name", "Description", "Owner", "Owner email", "Business unit",
                  "Provider", "Model", "Stage", "Env", "Autonomy", "Classification", "Exposure",
                  "Tools", "Identities", "Cost centre"]  # fmt: skip
IDENTITY_HEADERS = ["Identity", "Name", "Type", "Provider", "Owner email", "Env", "Created",
                    "Last rotated", "Last used", "Expires"]  # fmt: skip
RESOURCE_HEADERS = ["Resource", "Name", "Type", "Env", "Sensitivity"]
GRANT_HEADERS = ["Identity", "Resource", "Action", "Scope", "Logged", "Last used"]


# --------------------------------------------------------------------------- measuring


class GcPauses:
    """Records the longest garbage-collection pause (it stops every Python thread)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._started: dict[int, float] = {}

    def __call__(self, phase: str, _info: dict) -> None:
        now, thread = time.perf_counter(), threading.get_ident()
        if phase == "start":
            self._started[thread] = now
        elif thread in self._started:
            self.longest = max(self.longest, now - self._started.pop(thread))


class Steps:
    """Measures steps of one operation and prints a line per step and a total."""

    def __init__(self, operation: str, aim_ms: int = AIM_MS) -> None:
        self.operation = operation
        self.aim_ms = aim_ms
        self.wall = 0.0
        self.gap = 0
        self.gc_pause = 0.0
        print(f"\n{operation}")

    def run(self, label: str, action: Callable[[], object], done: Callable[[], None]) -> float:
        """Start ``action`` with the recorder running; ``done`` waits until the step is over.

        Returns:
            The step's wall time in seconds.
        """
        recorder, collections = UiGapRecorder(), GcPauses()
        gc.callbacks.append(collections)
        recorder.start()
        start = time.perf_counter()
        try:
            action()
            done()
        finally:
            wall = time.perf_counter() - start
            gap = recorder.stop()
            gc.callbacks.remove(collections)
        self.wall += wall
        self.gap = max(self.gap, gap)
        self.gc_pause = max(self.gc_pause, collections.longest)
        _line(f"  {label}", wall, gap, collections.longest, self.aim_ms)
        return wall

    def total(self, aims: Any) -> None:
        """Print the total; the longest UI gap of all the steps must stay within the aim."""
        _line("  = total", self.wall, self.gap, self.gc_pause, self.aim_ms)
        aims.check(f"{self.operation}: longest UI gap", self.gap, self.aim_ms, "ms")


def _line(label: str, wall: float, gap: int, gc_pause: float, aim_ms: int) -> None:
    verdict = "ok" if gap <= aim_ms else f"above the {aim_ms} ms aim"
    print(
        f"{label:<40} {wall * 1000:>7,.0f} ms wall | longest UI gap {gap:>5,} ms ({verdict}) "
        f"| longest GC pause {gc_pause * 1000:>4,.0f} ms"
    )


# --------------------------------------------------------------------------- the workbook


def _inventory_rows() -> dict[str, tuple[list[str], list[list]]]:
    day = dt.date(2026, 1, 5)
    envs, stages = ["production", "Staging", "test", "dev"], ["production", "pilot", "planned"]
    autonomy = ["advisory", "Human in the loop", "HOTL", "autonomous"]
    classes = ["internal", "Confidential", "restricted", "public"]
    systems = [
        [f"BEN-{i:05}", f"Bench system {i}", f"Helps team {i % 40}", f"Owner {i % 250}",
         f"owner{i % 250}@example.com", f"Unit {i % 12}", "Vendor", "model-y", stages[i % 3],
         envs[i % 4], autonomy[i % 4], classes[i % 4], "internal", "crm; mail",
         f"bsvc-{2 * i:05}; bsvc-{2 * i + 1:05}", f"CC{i % 30}"]
        for i in range(SYSTEMS)
    ]  # fmt: skip
    identities = [
        [f"bsvc-{i:05}", f"Bench service {i}", ["service account", "API key", "role"][i % 3],
         "Entra ID", f"team{i % 80}@example.com", envs[i % 4],
         day - dt.timedelta(days=300 + i % 200), day - dt.timedelta(days=i % 250),
         day - dt.timedelta(days=i % 60), day + dt.timedelta(days=200)]
        for i in range(IDENTITIES)
    ]  # fmt: skip
    resources = [[f"bres-{i:04}", f"Bench resource {i}", "database", envs[i % 4], classes[i % 4]]
                 for i in range(RESOURCES)]  # fmt: skip
    actions = ["read", "write", "execute", "admin"]
    grants = [
        [f"bsvc-{i % IDENTITIES:05}", f"bres-{(i * 7) % RESOURCES:04}", actions[i % 4],
         f"scope-{i}", "yes", day - dt.timedelta(days=i % 90)]
        for i in range(GRANTS)
    ]  # fmt: skip
    return {
        "AI systems": (SYSTEM_HEADERS, systems),
        "Identities": (IDENTITY_HEADERS, identities),
        "Resources": (RESOURCE_HEADERS, resources),
        "Grants": (GRANT_HEADERS, grants),
    }


@pytest.fixture(scope="module")
def inventory_workbook(tmp_path_factory) -> Path:
    from openpyxl import Workbook

    path = tmp_path_factory.mktemp("responsiveness") / "bench-register.xlsx"
    book = Workbook(write_only=True)
    for title, (headers, rows) in _inventory_rows().items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


# --------------------------------------------------------------------------- the operations


def test_bench_import_with_the_wizard(
    make_main_window, demo_workspace, inventory_workbook, qtbot, aims
):
    from app.services.inventory_queries import list_systems

    window = make_main_window(demo_workspace)
    window.show_page("inventory")
    page = window.page("inventory")
    # The page's first load (rows, then blast radius) ends before the import starts.
    qtbot.waitUntil(
        lambda: page._load_task is None and page._analysis_task is None, timeout=TIMEOUT_MS
    )
    before = len(list_systems(demo_workspace))
    wizard = page.start_import()
    wizard.file_page.path_edit.setText(str(inventory_workbook))
    steps = Steps(f"Import {SYSTEMS:,} AI systems with the wizard ({inventory_workbook.name})")
    steps.run(
        "read the file (sheet step)",
        wizard.next,
        lambda: qtbot.waitUntil(lambda: wizard.file_preview is not None, timeout=TIMEOUT_MS),
    )
    steps.run("column mapping step", wizard.next, lambda: qtbot.wait(50))
    with qtbot.waitSignal(wizard.preview_page.plan_ready, timeout=TIMEOUT_MS) as planned:
        steps.run("dry run", wizard.next, lambda: planned.wait())
    assert not planned.args[0].has_errors, planned.args[0].errors[:3]
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    with qtbot.waitSignal(wizard.imported, timeout=TIMEOUT_MS) as imported:
        applied = steps.run("apply and refresh findings", finish.click, lambda: imported.wait())
    aims.check(f"apply and refresh {SYSTEMS:,} systems", applied, APPLY_AIM_S)
    steps.run(
        "Inventory page shows the new systems",
        lambda: None,
        lambda: qtbot.waitUntil(
            lambda: page._load_task is None and page.systems.model.rowCount() == before + SYSTEMS,
            timeout=TIMEOUT_MS,
        ),
    )
    steps.total(aims)


def test_bench_scoring_a_fully_answered_assessment(make_main_window, demo_workspace, qtbot, aims):
    from app.services.assessments import list_assessments

    infos = [i for i in list_assessments(demo_workspace) if not i.final]
    target = max(infos, key=lambda i: i.questions)
    other = next(i for i in list_assessments(demo_workspace) if i.id != target.id)
    assert target.answered == target.questions
    window = make_main_window(demo_workspace)
    page = None

    def show_page() -> None:
        nonlocal page
        window.show_page("assessments")
        page = window.page("assessments")

    def settled(assessment_id: int) -> Callable[[], None]:
        return lambda: qtbot.waitUntil(
            lambda: (
                page.state is not None
                and page.state.info.id == assessment_id
                and not page.scoring()
            ),
            timeout=TIMEOUT_MS,
        )

    Steps("Assessments page, first visit").run(
        "build the page, read and score", show_page, settled(target.id)
    )
    box = page.assessment_box
    box.setCurrentIndex(box.findData(other.id))
    settled(other.id)()
    steps = Steps(f"Score assessment #{target.id} ({target.questions} questions, all answered)")
    steps.run(
        "open it (read, score, show)",
        lambda: box.setCurrentIndex(box.findData(target.id)),
        settled(target.id),
    )
    steps.run("score it again", page.schedule_score, settled(target.id))
    # An answer inherited from the organisation assessment is refused here (the window says so
    # in a message box that would wait for a click): change one of the assessment's own.
    question = next(q for q, r in page.state.responses.items() if not r.inherited)
    page.show_question(question)
    level = page.state.responses[question].level
    steps.run(
        "change one answer and re-score",
        lambda: page.answer_level(1 if level != 1 else 2),
        settled(target.id),
    )
    steps.total(aims)


def _generate_report(window, qtbot, tmp_path, monkeypatch, aims, *, signed: bool) -> None:
    from app.services.assessments import list_assessments
    from app.services.reporting import create_certificate

    workspace = window.context.workspace
    target = max((i for i in list_assessments(workspace) if not i.final), key=lambda i: i.questions)
    output = tmp_path / ("signed.pdf" if signed else "report.pdf")
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(output))
    window.show_page("reports")
    page = window.page("reports")
    page.assessment_box.setCurrentIndex(page.assessment_box.findData(target.id))
    qtbot.waitUntil(lambda: page.gate_label.text().startswith("Quality gate"), timeout=60_000)
    if signed:
        certificate = tmp_path / "assessor.p12"
        create_certificate(certificate, name="Bench Assessor", password=PASSWORD.encode())
        monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (PASSWORD, True))
        page.sign_check.setChecked(True)
        page.certificate_edit.setText(str(certificate))
        assert "Quality gate passed" in page.gate_label.text(), page.gate_label.text()
    preview_done = (
        page.preview.pages_ready if shutil.which("pdftoppm") else page.preview.preview_failed
    )
    title = "signed PDF report" if signed else "PDF report"
    steps = Steps(f"Generate a {title} of assessment #{target.id} ({target.questions} answers)")
    with (
        qtbot.waitSignal(page.report_written, timeout=TIMEOUT_MS) as written,
        qtbot.waitSignal(preview_done, timeout=TIMEOUT_MS) as previewed,
    ):
        rendered = steps.run("render" + (" and sign" if signed else ""),
                             page.generate_button.click, lambda: written.wait())  # fmt: skip
        steps.run("preview its pages", lambda: None, lambda: previewed.wait())
    outcome = written.args[0]
    assert outcome.path == output
    assert bool(outcome.signed_by) == signed
    print(f"  ({outcome.pages} pages, {output.stat().st_size / 1024:,.0f} KB)")
    if not signed:
        aims.check(f"render the {outcome.pages}-page report in the window", rendered,
                   REPORT_RENDER_AIM_S)  # fmt: skip
    steps.total(aims)


def test_bench_pdf_report(make_main_window, demo_workspace, qtbot, tmp_path, monkeypatch, aims):
    window = make_main_window(demo_workspace)
    _generate_report(window, qtbot, tmp_path, monkeypatch, aims, signed=False)


def test_bench_signed_pdf_report(
    make_main_window, demo_workspace, qtbot, tmp_path, monkeypatch, aims
):
    window = make_main_window(demo_workspace)
    _generate_report(window, qtbot, tmp_path, monkeypatch, aims, signed=True)
