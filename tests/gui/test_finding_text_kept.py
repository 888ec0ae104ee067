"""Text typed in the finding editor is kept, whatever the user does next."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.gui.widgets.finding_editor import TEXT_DELAY_MS
from app.services.findings import create_finding, get_finding, list_findings
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from tests.gui.test_findings_page import SYSTEM, findings_page, gap_assessment, wait_loaded
from tests.gui.writes import wait_written


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "findings.assay", actor="tester")
    with workspace.db.write() as session:
        session.add(AISystem(external_id=SYSTEM, name="Pricing copilot", autonomy="advisory"))
    return workspace


def _chosen(make_main_window, qtbot, ws):
    gap_assessment(ws)
    [finding] = list_findings(ws)
    page = findings_page(make_main_window, qtbot, ws)
    assert page.select_finding(finding.id)
    return page, finding


def test_recommendation_saved_after_a_pause(make_main_window, qtbot, ws):
    page, finding = _chosen(make_main_window, qtbot, ws)
    page.editor.recommendation_edit.selectAll()
    qtbot.keyClicks(page.editor.recommendation_edit, "Approve the policy by Q3.")
    qtbot.wait(TEXT_DELAY_MS * 3)  # the pause alone saves
    assert get_finding(ws, finding.id).recommendation == "Approve the policy by Q3."


def test_recommendation_kept_when_the_severity_changes_after_typing(make_main_window, qtbot, ws):
    page, finding = _chosen(make_main_window, qtbot, ws)
    editor = page.editor
    editor.recommendation_edit.selectAll()
    qtbot.keyClicks(editor.recommendation_edit, "Name an owner for the register.")
    editor.severity_box.setCurrentIndex(editor.severity_box.findData("high"))
    editor.severity_box.activated.emit(editor.severity_box.currentIndex())
    wait_loaded(qtbot, page)
    qtbot.wait(TEXT_DELAY_MS * 3)
    assert editor.recommendation_edit.toPlainText() == "Name an owner for the register."
    stored = get_finding(ws, finding.id)
    assert (stored.severity, stored.recommendation) == ("high", "Name an owner for the register.")


def test_owner_typed_survives_a_refresh_and_is_saved_on_switching(make_main_window, qtbot, ws):
    page, finding = _chosen(make_main_window, qtbot, ws)
    other = create_finding(ws, title="Shared API key", severity="medium", system="AIS-007")
    page.refresh()
    wait_loaded(qtbot, page)
    assert page.select_finding(finding.id)
    editor = page.editor
    editor.owner_edit.setFocus()
    qtbot.keyClicks(editor.owner_edit, "ciso@example.com")
    page.refresh()  # another change elsewhere reads the findings again
    wait_loaded(qtbot, page)
    assert editor.owner_edit.text() == "ciso@example.com"
    assert page.select_finding(other.id)  # switching saves what was typed
    assert editor.finding.id == other.id
    wait_written(qtbot)
    assert get_finding(ws, finding.id).owner == "ciso@example.com"
    assert page.select_finding(finding.id)
    assert editor.owner_edit.text() == "ciso@example.com"


def test_recommendation_saved_when_the_window_closes(make_main_window, qtbot, ws):
    page, finding = _chosen(make_main_window, qtbot, ws)
    page.editor.recommendation_edit.selectAll()
    qtbot.keyClicks(page.editor.recommendation_edit, "Rotate within 90 days.")
    page.window().close()
    assert get_finding(ws, finding.id).recommendation == "Rotate within 90 days."
    qtbot.keyClick(page.editor.title_edit, Qt.Key.Key_Return)  # nothing left to save
