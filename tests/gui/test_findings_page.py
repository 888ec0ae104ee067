"""The Findings page edits findings in place; every edit is stored through the service."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from PySide6.QtCore import QDate, Qt

from app.gui import tasks
from app.services import assessments as svc
from app.services.findings import create_finding, get_finding, list_findings, refresh_gap_findings
from app.services.workspace import open_workspace
from app.storage.models import AISystem

SYSTEM = "AIS-007"


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "findings.assay", actor="tester")
    with workspace.db.write() as session:
        session.add(AISystem(external_id=SYSTEM, name="Pricing copilot", autonomy="advisory"))
    return workspace


def gap_assessment(workspace) -> tuple[int, str]:
    """An assessment with one answer below target and its gap finding raised."""
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

    stored = get_finding(ws, finding.id)
    assert stored.status == "in-progress"
    assert stored.owner == "dana.lopez@example.com"
    assert stored.due_date == dt.date(2026, 9, 30)
    assert stored.severity == "high"
    assert stored.recommendation == "Write and approve the AI risk policy."
    assert stored.question_id == question
    row = page.table.selected_row()
    assert row.owner == "dana.lopez@example.com"
    assert row.status == "in-progress"

    editor.due_check.setChecked(False)
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
    assert [f.question_id for f in findings.table.model.rows] == [question]


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
