"""The Findings page edits findings in place; every edit is stored through the service."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

from app.gui import tasks
from app.services import assessments as svc
from app.services.finding_themes import refresh_gap_findings
from app.services.findings import create_finding, get_finding, list_findings
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from tests.gui.writes import wait_written

SYSTEM = "AIS-007"


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "findings.assay", actor="tester")
    with workspace.db.write() as session:
        session.add(AISystem(external_id=SYSTEM, name="Pricing copilot", autonomy="advisory"))
    return workspace


def gap_assessment(workspace) -> tuple[int, str]:
    """An assessment with one answer below target and its themed finding raised."""
    info = svc.new_assessment(workspace, SYSTEM, ["nist-ai-rmf"], target=3)
    question = svc.list_responses(workspace, info.id)[0].question_id
    svc.answer(workspace, info.id, question, 1)
    refresh_gap_findings(workspace, info.id)
    return info.id, question


def findings_page(make_main_window, qtbot, workspace):
    window = make_main_window(workspace=workspace)
    window.show()
    window.show_page("findings")
    page = window.page("findings")
    wait_loaded(qtbot, page)
    return page


def wait_loaded(qtbot, page) -> None:
    """Wait until the page shows what its newest read found."""
    qtbot.waitUntil(lambda: not page.loading(), timeout=10_000)


def test_edits_status_owner_due_date_and_recommendation(make_main_window, qtbot, ws):
    assessment_id, question = gap_assessment(ws)
    [finding] = list_findings(ws)
    page = findings_page(make_main_window, qtbot, ws)
    assert page.table.model.rows == [finding]
    assert page.select_finding(finding.id)
    editor = page.editor
    assert editor.title_edit.text() == finding.title
    assert f"assessment #{assessment_id}" in editor.origin.text()

    editor.status_box.setCurrentIndex(editor.status_box.findData("in-progress"))
    editor.status_box.activated.emit(editor.status_box.currentIndex())
    editor.owner_edit.selectAll()
    qtbot.keyClicks(editor.owner_edit, "dana.lopez@example.com")
    qtbot.keyClick(editor.owner_edit, Qt.Key.Key_Return)
    editor.due_check.setChecked(True)
    editor.due_edit.setDate(QDate(2026, 9, 30))
    editor.severity_box.setCurrentIndex(editor.severity_box.findData("high"))
    editor.severity_box.activated.emit(editor.severity_box.currentIndex())
    editor.recommendation_edit.selectAll()
    qtbot.keyClicks(editor.recommendation_edit, "Write and approve the AI risk policy.")
    editor.flush()
    wait_written(qtbot)

    stored = get_finding(ws, finding.id)
    assert stored.status == "in-progress"
    assert stored.owner == "dana.lopez@example.com"
    assert stored.due_date == dt.date(2026, 9, 30)
    assert stored.severity == "high"
    assert stored.recommendation == "Write and approve the AI risk policy."
    assert [item.key for item in stored.items] == [question]
    row = page.table.selected_row()
    assert row.owner == "dana.lopez@example.com"
    assert row.status == "in-progress"

    editor.due_check.setChecked(False)
    wait_written(qtbot)
    assert get_finding(ws, finding.id).due_date is None


def test_resolved_finding_leaves_the_open_filter_but_stays_in_the_editor(
    make_main_window, qtbot, ws
):
    gap_assessment(ws)
    manual = create_finding(ws, title="Prompt logs kept forever", system=SYSTEM)
    page = findings_page(make_main_window, qtbot, ws)
    assert page.table.proxy.rowCount() == 2
    assert page.select_finding(manual.id)
    editor = page.editor
    editor.status_box.setCurrentIndex(editor.status_box.findData("resolved"))
    editor.status_box.activated.emit(editor.status_box.currentIndex())
    wait_written(qtbot)
    assert get_finding(ws, manual.id).status == "resolved"
    assert page.table.proxy.rowCount() == 1
    assert editor.finding.id == manual.id
    page.table.filter_box.setCurrentIndex(7)  # Resolved or accepted
    assert [r.id for r in page.table.model.rows if r.status == "resolved"] == [manual.id]
    assert page.table.proxy.rowCount() == 1


def test_findings_of_a_final_assessment_freeze_the_report_but_track_remediation(
    make_main_window, qtbot, ws
):
    assessment_id, _ = gap_assessment(ws)
    svc.submit_for_review(ws, assessment_id)
    svc.finalize(ws, assessment_id, force=True)
    [finding] = list_findings(ws, assessment_id=assessment_id)
    page = findings_page(make_main_window, qtbot, ws)
    page.table.filter_box.setCurrentIndex(1)  # All findings
    assert page.select_finding(finding.id)
    editor = page.editor
    assert editor.status_box.isEnabled()
    assert editor.owner_edit.isEnabled()
    assert not editor.severity_box.isEnabled()
    assert not editor.title_edit.isEnabled()
    assert editor.recommendation_edit.isReadOnly()
    assert "final" in editor.lock_label.text()
    editor.status_box.setCurrentIndex(editor.status_box.findData("in-progress"))
    editor.status_box.activated.emit(editor.status_box.currentIndex())
    qtbot.waitUntil(lambda: get_finding(ws, finding.id).status == "in-progress")


def test_gap_findings_raised_on_the_assessments_page_reach_the_findings_page(
    make_main_window, qtbot, ws
):
    info = svc.new_assessment(ws, SYSTEM, ["nist-ai-rmf"], target=3)
    question = svc.list_responses(ws, info.id)[0].question_id
    svc.answer(ws, info.id, question, 0)
    window = make_main_window(workspace=ws)
    window.show()
    findings = window.page("findings")
    wait_loaded(qtbot, findings)
    assert findings.table.model.rows == []
    window.show_page("assessments")
    assessments = window.page("assessments")
    qtbot.waitUntil(lambda: assessments.state is not None)
    assessments.lifecycle.gaps_button.click()
    with qtbot.waitSignal(findings.refreshed, timeout=10_000):
        window.show_page("findings")
    assert [[i.key for i in f.items] for f in findings.table.model.rows] == [[question]]


def test_a_stale_read_never_overwrites_a_newer_one(make_main_window, qtbot, ws, monkeypatch):
    from app.gui.pages import findings_page as module

    page = findings_page(make_main_window, qtbot, ws)
    assert page.table.model.rows == []
    read, release = threading.Event(), threading.Event()
    original = module.list_findings
    calls: list[int] = []

    def first_read_answers_late(*args, **kwargs):
        calls.append(1)
        found = original(*args, **kwargs)
        if len(calls) == 1:
            read.set()
            release.wait(10)
        return found

    monkeypatch.setattr(module, "list_findings", first_read_answers_late)
    page.refresh()
    assert read.wait(10), "the first read ran"
    manual = create_finding(ws, title="Prompt logs kept forever", system=SYSTEM)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    assert [f.id for f in page.table.model.rows] == [manual.id]
    release.set()
    qtbot.waitUntil(lambda: tasks.live_task_count() == 0, timeout=10_000)
    assert [f.id for f in page.table.model.rows] == [manual.id]
    assert not page.loading()


def test_refresh_keeps_the_chosen_finding(make_main_window, qtbot, ws):
    gap_assessment(ws)
    manual = create_finding(ws, title="Prompt logs kept forever", system=SYSTEM)
    page = findings_page(make_main_window, qtbot, ws)
    assert page.select_finding(manual.id)
    create_finding(ws, title="Shared API key", severity="critical", system=SYSTEM)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.refresh()
    assert page.table.proxy.rowCount() == 3
    assert page.table.selected_row().id == manual.id
    assert page.editor.finding.id == manual.id


@pytest.fixture
def errors(monkeypatch):
    """Error boxes are recorded instead of shown (a modal box would stop the test)."""
    shown: list[str] = []

    def record(box):
        shown.append(f"{box.text()} {box.informativeText()}")
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    return shown


def test_new_finding_is_recorded_through_the_dialog_and_chosen(make_main_window, qtbot, ws, errors):
    assessment_id, _ = gap_assessment(ws)
    page = findings_page(make_main_window, qtbot, ws)
    seen: dict[str, object] = {}

    def fill_in_and_record():
        dialog = page.finding_dialog
        qtbot.waitUntil(lambda: not dialog.loading(), timeout=10_000)
        seen["offered"] = [dialog.about_box.itemText(i) for i in range(dialog.about_box.count())]
        seen["ok_before_title"] = dialog.ok_button.isEnabled()
        assert dialog.choose("system", SYSTEM)
        qtbot.keyClicks(dialog.title_edit, "Prompt logs kept forever")
        dialog.severity_box.setCurrentIndex(dialog.severity_box.findData("high"))
        dialog.detail_edit.setPlainText("Every prompt since 2023 is in one bucket.")
        dialog.recommendation_edit.setPlainText("Keep 90 days.")
        qtbot.keyClicks(dialog.owner_edit, "dana.lopez@example.com")
        dialog.due_check.setChecked(True)
        dialog.due_edit.setDate(QDate(2026, 12, 31))
        dialog.ok_button.click()

    QTimer.singleShot(0, fill_in_and_record)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.new_button.click()
    assert seen["ok_before_title"] is False
    assert seen["offered"][0].startswith(f"Assessment #{assessment_id}: {SYSTEM}")
    assert f"AI system {SYSTEM} — Pricing copilot" in seen["offered"]
    [manual] = list_findings(ws, source="manual")
    assert (manual.title, manual.severity, manual.system) == (
        "Prompt logs kept forever", "high", SYSTEM
    )  # fmt: skip
    assert manual.assessment_id is None
    assert manual.detail == "Every prompt since 2023 is in one bucket."
    assert manual.recommendation == "Keep 90 days."
    assert manual.owner == "dana.lopez@example.com"
    assert manual.due_date == dt.date(2026, 12, 31)
    assert page.editor.finding.id == manual.id
    assert page.table.selected_row().id == manual.id
    assert page.delete_button.isEnabled()
    assert errors == []


def test_a_new_finding_of_an_assessment_made_final_meanwhile_is_refused(
    make_main_window, qtbot, ws, errors
):
    assessment_id, _ = gap_assessment(ws)
    page = findings_page(make_main_window, qtbot, ws)
    page.assessment_box.setCurrentIndex(page.assessment_box.findData(assessment_id))
    dialog = page.new_finding_dialog()
    qtbot.waitUntil(lambda: not dialog.loading(), timeout=10_000)
    assert dialog.about_box.currentData() == f"assessment:{assessment_id}"
    qtbot.keyClicks(dialog.title_edit, "Late thought")
    values = dialog.values()
    assert (values["assessment_id"], values["system"]) == (assessment_id, None)
    svc.submit_for_review(ws, assessment_id)
    svc.finalize(ws, assessment_id, force=True)
    page.record_finding(values)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "final" in errors[0]
    assert list_findings(ws, source="manual") == []
    assert page.new_button.isEnabled()
    wait_loaded(qtbot, page)  # the page reads what changed
    later = page.new_finding_dialog()  # a final assessment is not offered
    assert later.about_box.findData(f"assessment:{assessment_id}") == -1
    qtbot.waitUntil(lambda: not later.loading(), timeout=10_000)


def test_only_findings_entered_by_hand_are_deleted_after_confirming(
    make_main_window, qtbot, ws, monkeypatch, errors
):
    gap_assessment(ws)
    [gap] = list_findings(ws)
    manual = create_finding(ws, title="Prompt logs kept forever", system=SYSTEM)
    page = findings_page(make_main_window, qtbot, ws)
    assert not page.delete_button.isEnabled()  # nothing chosen
    assert page.select_finding(gap.id)
    assert not page.delete_button.isEnabled()
    assert "entered by hand" in page.delete_button.toolTip()
    assert page.select_finding(manual.id)
    assert page.delete_button.isEnabled()

    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: answers.pop(0))
    page.delete_button.click()  # No: nothing happens
    assert get_finding(ws, manual.id).title == "Prompt logs kept forever"
    assert page.editor.finding.id == manual.id
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.delete_button.click()
    assert [f.id for f in list_findings(ws)] == [gap.id]
    assert [f.id for f in page.table.model.rows] == [gap.id]
    assert page.editor.finding is None
    assert not page.delete_button.isEnabled()
    assert errors == []


def test_findings_entered_by_hand_stay_once_their_assessment_is_final(make_main_window, qtbot, ws):
    info = svc.new_assessment(ws, SYSTEM, ["nist-ai-rmf"], target=3)
    manual = create_finding(ws, title="Reported", assessment_id=info.id)
    svc.submit_for_review(ws, info.id)
    svc.finalize(ws, info.id, force=True)
    page = findings_page(make_main_window, qtbot, ws)
    assert page.select_finding(manual.id)
    assert not page.delete_button.isEnabled()
    assert f"Assessment #{info.id} is final" in page.delete_button.toolTip()
    assert page.delete_chosen() is None
    assert get_finding(ws, manual.id).id == manual.id
