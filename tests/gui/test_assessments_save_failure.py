"""A save the workspace refuses (another program holds the write lock) is not shown as saved."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.gui import writer
from app.services import assessments as svc
from app.services.workspace import open_workspace
from tests.gui.test_assessments_page import add_system, open_page, small_assessment, wait_scored
from tests.gui.writes import wait_written


@pytest.fixture
def ws(tmp_path, monkeypatch):
    # The window's changes give up on another program's lock after a moment (shortened here).
    monkeypatch.setattr(writer, "WRITE_WAIT_MS", 300)
    workspace = open_workspace(tmp_path / "engagement.assay", actor="tester")
    add_system(workspace)
    return workspace


@contextmanager
def another_program_writing(workspace):
    """Hold the workspace's write lock from a second connection, as another process would."""
    other = sqlite3.connect(workspace.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@pytest.fixture
def told(monkeypatch):
    """The texts of the error boxes shown (instead of blocking on them)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    return shown


def test_failed_answer_shows_the_stored_answer_again(make_main_window, qtbot, ws, told):
    assessment_id = small_assessment(ws)
    window, page = open_page(make_main_window, qtbot, ws)
    messages: list[str] = []
    window.context.status_message.connect(messages.append)
    question = page.panel.question_id
    page.answer_level(2)
    wait_written(qtbot)
    wait_scored(qtbot, page)
    panel = page.panel

    with another_program_writing(ws):
        qtbot.mouseClick(panel.level_buttons[4], Qt.MouseButton.LeftButton)
        qtbot.mouseClick(panel.flag_box, Qt.MouseButton.LeftButton)
        assert panel.chosen_level() == 4  # shown at once
        assert panel.flag_box.isChecked()
        assert page.navigator.question_badge(question) == "⚑ 4"
        wait_written(qtbot)  # both refused after the brief wait for the lock

    assert panel.chosen_level() == 2
    assert not panel.flag_box.isChecked()
    assert page.navigator.question_badge(question) == "2"
    assert page.state.responses[question].level == 2
    stored = svc.get_response(ws, assessment_id, question)
    assert (stored.level, stored.flagged) == (2, False)
    assert len(told) == 2
    assert "was not saved" in told[0]
    assert "another program or window is writing" in told[0]
    assert sum("was not saved" in m for m in messages) == 2

    # Once the other program is done the same click saves.
    qtbot.mouseClick(panel.level_buttons[4], Qt.MouseButton.LeftButton)
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, question).level == 4
    assert panel.chosen_level() == 4
    assert len(told) == 2


def test_failed_notes_save_keeps_the_typing_and_saves_it_later(make_main_window, qtbot, ws, told):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    panel = page.panel

    with another_program_writing(ws):
        panel.notes.setPlainText("Key vault policy seen on screen.")
        panel.flush_notes()
        wait_written(qtbot)

    assert len(told) == 1
    assert "was not saved" in told[0]
    assert svc.get_response(ws, assessment_id, question).notes == ""
    assert panel.notes.toPlainText() == "Key vault policy seen on screen."
    assert panel.notes_unsaved
    panel.flush_notes()  # the next flush (question change, closing) tries again
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, question).notes == "Key vault policy seen on screen."
    assert not panel.notes_unsaved


def test_failed_undo_can_be_tried_again(make_main_window, qtbot, ws, told):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    page.answer_level(3)
    wait_written(qtbot)
    with another_program_writing(ws):
        page.undo()
        wait_written(qtbot)
    assert page.panel.chosen_level() == 3
    assert len(page.undo_stack) == 1
    page.undo()
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, question).level is None
    assert page.panel.chosen_level() is None
