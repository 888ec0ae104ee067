"""Notes typed in the question panel are kept, whatever the assessor does next."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.gui.widgets.question_panel import NOTES_DELAY_MS
from app.services import assessments as svc
from app.services.workspace import open_workspace
from app.storage.models import JournalEntry
from tests.gui.test_assessments_page import add_system, open_page, small_assessment, wait_scored
from tests.gui.writes import wait_written


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "engagement.assay", actor="tester")
    add_system(workspace)
    return workspace


def _notes_entries(workspace, text: str) -> list[JournalEntry]:
    with workspace.db.read() as session:
        entries = session.exec(select(JournalEntry).order_by(JournalEntry.seq)).all()
    return [e for e in entries if isinstance(e.after, dict) and e.after.get("notes") == text]


def test_notes_saved_after_a_pause_without_switching(make_main_window, qtbot, ws):
    assessment_id = small_assessment(ws)
    window, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    qtbot.keyClicks(page.panel.notes, "Interviewed the platform owner.")
    qtbot.wait(NOTES_DELAY_MS * 3)  # the pause alone saves; no question change, no flush
    wait_written(qtbot)

    assert svc.get_response(ws, assessment_id, question).notes == (
        "Interviewed the platform owner."
    )
    path = ws.path
    window.close()
    reopened = open_workspace(path, actor="tester")
    try:
        assert svc.get_response(reopened, assessment_id, question).notes == (
            "Interviewed the platform owner."
        )
        assert _notes_entries(reopened, "Interviewed the platform owner.")
    finally:
        reopened.close()


def test_notes_kept_when_the_strength_changes_after_typing(make_main_window, qtbot, ws):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    panel = page.panel
    question = panel.question_id
    qtbot.keyClicks(panel.notes, "Screenshot of the key vault policy.")
    qtbot.wait(NOTES_DELAY_MS * 2)
    panel.strength_box.setCurrentIndex(panel.strength_box.findData("document"))
    panel.strength_box.activated.emit(panel.strength_box.currentIndex())
    wait_scored(qtbot, page)
    qtbot.wait(NOTES_DELAY_MS * 2)
    wait_written(qtbot)

    assert panel.notes.toPlainText() == "Screenshot of the key vault policy."
    stored = svc.get_response(ws, assessment_id, question)
    assert stored.evidence_strength == "document"
    assert stored.notes == "Screenshot of the key vault policy."


def test_notes_kept_when_the_strength_changes_while_typing(make_main_window, qtbot, ws):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    panel = page.panel
    question = panel.question_id
    qtbot.keyClicks(panel.notes, "Asked for the rotation log")
    panel.strength_box.setCurrentIndex(panel.strength_box.findData("observed"))
    panel.strength_box.activated.emit(panel.strength_box.currentIndex())
    qtbot.keyClicks(panel.notes, " (promised Friday).")
    qtbot.wait(NOTES_DELAY_MS * 3)
    wait_written(qtbot)

    assert panel.notes.toPlainText() == "Asked for the rotation log (promised Friday)."
    stored = svc.get_response(ws, assessment_id, question)
    assert stored.notes == "Asked for the rotation log (promised Friday)."
    assert stored.evidence_strength == "observed"


def test_notes_kept_when_switching_quickly(make_main_window, qtbot, ws):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    qtbot.keyClicks(page.panel.notes, "Owner named in the register.")
    page.navigator.step(1)
    assert page.panel.question_id != question
    page.navigator.step(-1)
    assert page.panel.notes.toPlainText() == "Owner named in the register."
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, question).notes == "Owner named in the register."


def test_na_reason_of_a_failed_save_is_offered_again(make_main_window, qtbot, ws, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    from app.gui import writer
    from tests.gui.test_assessments_save_failure import another_program_writing

    monkeypatch.setattr(writer, "WRITE_WAIT_MS", 300)
    monkeypatch.setattr(QMessageBox, "exec", lambda _box: 0)
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    offered: list[str] = []

    def dialog(_parent, _title, _label, text=""):
        offered.append(text)
        return (text or "The system has no training pipeline of its own.", True)

    monkeypatch.setattr(QInputDialog, "getMultiLineText", dialog)
    with another_program_writing(ws):  # refused: another program holds the write lock
        page.answer_not_applicable()
        wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, question).not_applicable is False
    page.answer_not_applicable()
    wait_written(qtbot)
    assert offered[-1] == "The system has no training pipeline of its own."
    stored = svc.get_response(ws, assessment_id, question)
    assert (stored.not_applicable, stored.justification) == (
        True,
        "The system has no training pipeline of its own.",
    )
