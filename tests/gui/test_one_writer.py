"""Every change of the window goes through the one writer, and views refresh from change records.

The window shows a change at once and writes it on one worker thread, in order; a refused
write (another program holds the write lock) puts the stored value back and says why. Views
reload when records they show change, whoever changed them: the window itself (its change
records) or another program (the journal, looked at every few seconds).
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.gui import writer
from app.gui.pages import answer_saving, findings_page
from app.gui.widgets.question_panel import NOTES_DELAY_MS
from app.services import assessments as svc
from app.services.engagement import get_engagement, update_engagement
from app.services.findings import create_finding, get_finding, list_findings
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from tests.gui.test_assessments_page import add_system, open_page, small_assessment
from tests.gui.test_assessments_save_failure import another_program_writing
from tests.gui.test_findings_page import SYSTEM as FINDINGS_SYSTEM
from tests.gui.test_findings_page import findings_page as open_findings_page
from tests.gui.test_findings_page import gap_assessment, wait_loaded
from tests.gui.writes import announce, wait_written


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "engagement.assay", actor="tester")
    add_system(workspace)
    with workspace.db.write() as session:
        session.add(AISystem(external_id=FINDINGS_SYSTEM, name="Pricing copilot"))
    return workspace


@pytest.fixture
def told(monkeypatch):
    """The texts of the error boxes shown (instead of blocking on them)."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(writer, "WRITE_WAIT_MS", 300)
    return shown


def _record_threads(monkeypatch, module, name: str, threads: list[int]) -> None:
    original = getattr(module, name)

    def recorded(*args, **kwargs):
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)


def test_typed_and_clicked_answers_are_written_in_order_on_one_worker(
    make_main_window, qtbot, ws, monkeypatch
):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    threads: list[int] = []
    _record_threads(monkeypatch, answer_saving, "update_response", threads)
    panel = page.panel
    question = panel.question_id
    for level in (1, 4, 2):  # quick clicks: the last one wins because writes keep their order
        qtbot.mouseClick(panel.level_buttons[level], Qt.MouseButton.LeftButton)
    panel.flag_box.click()
    qtbot.keyClicks(panel.notes, "Seen in the change log.")
    panel.flush_notes()
    assert page.navigator.question_badge(question) == "⚑ 2"  # shown before it is written
    wait_written(qtbot)

    stored = svc.get_response(ws, assessment_id, question)
    assert (stored.level, stored.flagged, stored.notes) == (2, True, "Seen in the change log.")
    assert panel.chosen_level() == 2
    assert len(threads) == 5
    assert len(set(threads)) == 1, "one writer thread"
    assert threading.get_ident() not in threads, "nothing written on the UI thread"


def test_a_refused_finding_owner_goes_back_and_the_window_says_why(
    make_main_window, qtbot, ws, told, monkeypatch
):
    gap_assessment(ws)
    [finding] = list_findings(ws)
    page = open_findings_page(make_main_window, qtbot, ws)
    messages: list[str] = []
    page.window().context.status_message.connect(messages.append)
    threads: list[int] = []
    _record_threads(monkeypatch, findings_page, "update_finding", threads)
    assert page.select_finding(finding.id)
    editor = page.editor

    with another_program_writing(ws):
        editor.owner_edit.setText("ciso@example.com")
        editor.owner_edit.textEdited.emit("ciso@example.com")
        editor.flush()
        wait_written(qtbot)
    wait_loaded(qtbot, page)

    assert editor.owner_edit.text() == ""  # the stored owner is shown again
    assert get_finding(ws, finding.id).owner == ""
    assert any("was not saved" in m and "busy" in m for m in messages)
    assert len(told) == 1
    assert "busy" in told[0]
    assert "Traceback" not in told[0]

    editor.owner_edit.setText("ciso@example.com")  # tried again once the lock is gone
    editor.owner_edit.textEdited.emit("ciso@example.com")
    editor.flush()
    wait_written(qtbot)
    assert get_finding(ws, finding.id).owner == "ciso@example.com"
    assert threading.get_ident() not in threads


def test_change_records_of_a_write_reach_the_views_that_show_them(make_main_window, qtbot, ws):
    window = make_main_window(workspace=ws)
    received: list[writer.Written] = []
    window.context.changed.connect(received.append)
    with qtbot.waitSignal(window.page("overview").refreshed, timeout=10_000):
        window.context.write(update_engagement, client="Acme Insurance")
        wait_written(qtbot)
    [written] = [w for w in received if "engagement" in w.entities()]
    assert [(c.action, c.entity) for c in written.changes] == [("engagement.update", "engagement")]
    assert get_engagement(ws).client == "Acme Insurance"


def test_changes_made_by_another_program_show_in_the_window(make_main_window, qtbot, ws):
    window = make_main_window(workspace=ws)
    overview = window.page("overview")
    qtbot.waitUntil(lambda: overview.summary is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.context._known_head is not None, timeout=10_000)
    assert "critical" not in overview.severity_label.text()
    other = open_workspace(ws.path, actor="cli")  # its own connections, as another process
    try:
        create_finding(other, title="Shared key", severity="critical", system=FINDINGS_SYSTEM)
    finally:
        other.close()
    qtbot.waitUntil(lambda: "<b>1</b> critical" in overview.severity_label.text(), timeout=10_000)


def test_notes_typed_while_another_programs_change_reloads_the_page_are_kept(
    make_main_window, qtbot, ws
):
    assessment_id = small_assessment(ws)
    window, page = open_page(make_main_window, qtbot, ws)
    panel = page.panel
    question = panel.question_id
    qtbot.keyClicks(panel.notes, "Rotation log requested")
    loads = page._generation
    announce(window.context, "response")  # another program answered: the page reads again
    qtbot.keyClicks(panel.notes, " and received.")
    qtbot.waitUntil(lambda: page._generation > loads and page.state is not None)
    qtbot.wait(NOTES_DELAY_MS * 3)
    wait_written(qtbot)

    assert panel.notes.toPlainText() == "Rotation log requested and received."
    stored = svc.get_response(ws, assessment_id, question)
    assert stored.notes == "Rotation log requested and received."
