"""The Assessments page on a real workspace and the real catalog, driven like a user would."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox

from app.services import assessments as svc
from app.services.evidence import list_evidence
from app.services.suggestions import suggestions_for
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from tests.gui.writes import wait_written

SYSTEM = "AIS-001"


def add_system(workspace, ext_id: str = SYSTEM, autonomy: str = "autonomous") -> None:
    with workspace.db.write() as session:
        session.add(
            AISystem(
                external_id=ext_id,
                name="Claims triage agent",
                autonomy=autonomy,
                data_classification="confidential",
                exposure="internal",
                tools=["claims-db"],
            )
        )


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "engagement.assay", actor="tester")
    add_system(workspace)
    return workspace


def small_assessment(workspace) -> int:
    """IR 8596, Secure focus, High priority only, plus the OWASP agentic list."""
    info = svc.new_assessment(
        workspace,
        SYSTEM,
        ["nist-ir-8596", "owasp-asi"],
        focus_areas=["secure"],
        max_priority=1,
        target=3,
    )
    return info.id


def open_page(make_main_window, qtbot, workspace):
    window = make_main_window(workspace=workspace)
    window.show()
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None)
    return window, page


def wait_scored(qtbot, page) -> None:
    qtbot.waitUntil(lambda: not page.scoring())


def test_new_assessment_dialog_creates_the_chosen_scope(make_main_window, qtbot, ws):
    window, page = open_page_empty(make_main_window, qtbot, ws)
    assert "No assessment yet" in page.empty_label.text()
    dialog = page.new_assessment_dialog()
    dialog.set_system(SYSTEM)
    dialog.set_frameworks(["nist-ir-8596", "owasp-asi"])
    dialog.focus_boxes["defend"].setChecked(False)
    dialog.focus_boxes["thwart"].setChecked(False)
    dialog.priority_box.setCurrentIndex(dialog.priority_box.findData(1))
    qtbot.waitUntil(dialog.target_known, timeout=10_000)  # worked out on a worker
    # Confidential data, autonomous, internal: the autonomy factor sets tier high, target 4.
    assert dialog.target_spin.value() == 4
    assert "high" in dialog.risk_label.text()
    dialog.target_spin.setValue(3)
    expected = dialog.question_count()
    assert 0 < expected < 100
    page.create_assessment(dialog.choice())
    qtbot.waitUntil(lambda: page.state is not None, timeout=10_000)
    [info] = svc.list_assessments(ws)
    assert info.questions == expected == len(page.state.entries)
    assert info.scope["focus_areas"] == ["secure"]
    assert info.scope["max_priority"] == 1
    assert info.target_level == 3
    assert info.risk_tier == "high"
    assert page.lifecycle.status_label.text() == "Draft"
    assert page.panel.question_id == page.state.entries[0].id


def open_page_empty(make_main_window, qtbot, workspace):
    window = make_main_window(workspace=workspace)
    window.show()
    window.show_page("assessments")
    return window, window.page("assessments")


def test_keyboard_answers_next_previous_na_and_undo(make_main_window, qtbot, ws, monkeypatch):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    tree = page.navigator.tree
    tree.setFocus()
    first = page.panel.question_id
    framework_key = "nist-ir-8596"
    assert page.navigator.node_badges(framework_key)[0].startswith("0/")

    qtbot.keyClick(tree, Qt.Key.Key_3)
    assert page.navigator.question_badge(first) == "3"  # shown at once, written by the writer
    assert page.panel.level_buttons[3].isChecked()
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, first).level == 3

    qtbot.keyClick(tree, Qt.Key.Key_J)
    second = page.panel.question_id
    assert second != first
    assert second == page.navigator.visible_questions()[1]
    monkeypatch.setattr(
        QInputDialog, "getMultiLineText", lambda *a, **k: ("The system holds no keys.", True)
    )
    qtbot.keyClick(tree, Qt.Key.Key_N)
    wait_written(qtbot)
    stored = svc.get_response(ws, assessment_id, second)
    assert stored.not_applicable
    assert stored.justification == "The system holds no keys."
    assert page.navigator.question_badge(second) == "N/A"

    qtbot.keyClick(tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    third = page.panel.question_id
    qtbot.keyClick(tree, Qt.Key.Key_1)
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, third).level == 1
    qtbot.keyClick(tree, Qt.Key.Key_K)
    qtbot.keyClick(tree, Qt.Key.Key_K)
    assert page.panel.question_id == first

    wait_scored(qtbot, page)
    answered, score = page.navigator.node_badges(framework_key)
    applicable = len(page.state.entries) - 1
    assert answered.startswith("2/")
    assert score == "2.0 / 3"  # levels 3 and 1, equal weights
    assert page.dashboard.tile_notes["completeness"].text() == f"2 of {applicable} answered"

    # Ctrl+Z takes back the last answer change (level 1 on the third question) through the service.
    qtbot.keyClick(tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, third).level is None
    assert page.panel.question_id == third
    qtbot.keyClick(tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_written(qtbot)
    restored = svc.get_response(ws, assessment_id, second)
    assert not restored.not_applicable
    assert restored.level is None
    wait_scored(qtbot, page)
    assert page.navigator.node_badges(framework_key)[0].startswith("1/")


def test_na_needs_a_justification(make_main_window, qtbot, ws, monkeypatch):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("  ", True))
    qtbot.mouseClick(page.panel.level_buttons[6], Qt.MouseButton.LeftButton)
    wait_written(qtbot)
    stored = svc.get_response(ws, assessment_id, question)
    assert not stored.not_applicable
    assert stored.level is None
    assert page.panel.chosen_level() is None


def test_mouse_answer_notes_flag_and_filters(make_main_window, qtbot, ws):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    panel = page.panel
    question = panel.question_id
    qtbot.mouseClick(panel.level_buttons[2], Qt.MouseButton.LeftButton)
    qtbot.keyClicks(panel.notes, "Policy draft seen; not approved.")
    panel.flag_box.click()
    panel.strength_box.setCurrentIndex(panel.strength_box.findData("document"))
    panel.strength_box.activated.emit(panel.strength_box.currentIndex())
    panel.target_box.setCurrentIndex(panel.target_box.findData(2))
    panel.target_box.activated.emit(panel.target_box.currentIndex())
    assert page.navigator.question_item(question).text(2) == "target 2"
    wait_written(qtbot)
    assert "Last answered by tester" in panel.answered_label.text()
    page.navigator.step(1)  # leaving the question saves the notes typed
    wait_written(qtbot)
    stored = svc.get_response(ws, assessment_id, question)
    assert stored.level == 2
    assert stored.flagged
    assert stored.evidence_strength == "document"
    assert stored.notes == "Policy draft seen; not approved."

    page.navigator.set_filter("flagged")
    assert page.navigator.visible_questions() == [question]
    assert stored.target_override == 2
    page.navigator.set_filter("below")
    assert page.navigator.visible_questions() == []  # 2 meets its own target of 2
    page.navigator.set_filter("unanswered")
    assert question not in page.navigator.visible_questions()
    page.navigator.set_filter("all")
    qtbot.keyClicks(page.navigator.search, "ASI03")
    qtbot.waitUntil(lambda: len(page.navigator.visible_questions()) < len(page.state.entries))
    entries = {e.id: e for e in page.state.entries}
    assert all(entries[q].question.ref == "ASI03" for q in page.navigator.visible_questions())


def test_dropped_file_is_stored_and_linked(make_main_window, qtbot, ws, tmp_path):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    evidence_file = tmp_path / "access-review-2026.txt"
    evidence_file.write_text("Quarterly access review of the claims agent's service accounts.")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(evidence_file))])
    assert page.panel.drop_mime_data(mime)
    qtbot.waitUntil(lambda: bool(page.state.responses[question].evidence_ids), timeout=10_000)
    stored = svc.get_response(ws, assessment_id, question)
    [evidence] = list_evidence(ws, assessment_id)
    assert stored.evidence_ids == (evidence.id,)
    assert evidence.file_name == "access-review-2026.txt"
    assert evidence.sha256 == hashlib.sha256(evidence_file.read_bytes()).hexdigest()
    assert page.panel.evidence.file_names() == ["access-review-2026.txt"]
    folder = QMimeData()
    folder.setUrls([QUrl.fromLocalFile(str(tmp_path))])
    assert not page.panel.drop_mime_data(folder)  # folders are not evidence files


def test_a_drop_with_a_vanished_file_stores_none_of_it(
    make_main_window, qtbot, ws, tmp_path, monkeypatch
):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    files = [tmp_path / name for name in ("review.txt", "policy.txt", "gone.txt")]
    for number, path in enumerate(files):
        path.write_text(f"evidence {number}")
    files[2].unlink()  # moved away after the user chose it
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    page.attach(files)
    qtbot.waitUntil(lambda: bool(shown), timeout=10_000)
    assert "gone.txt" in shown[0]
    assert list_evidence(ws) == []
    assert svc.get_response(ws, assessment_id, question).evidence_ids == ()
    assert page.panel.evidence.file_names() == []


def _row_labels(svg):
    root = ElementTree.fromstring(svg)
    texts = root.iter("{http://www.w3.org/2000/svg}text")
    return [t.text for t in texts if t.get("class") == "row-label"]


def test_dashboard_draws_charts_as_svg(make_main_window, qtbot, ws):
    assessment_id = small_assessment(ws)
    first = svc.list_responses(ws, assessment_id)[0].question_id
    svc.answer(ws, assessment_id, first, 4)
    _, page = open_page(make_main_window, qtbot, ws)
    page.tabs.setCurrentWidget(page.dashboard)
    chart = page.dashboard.score_chart
    assert chart.view.isVisible()
    assert chart.view.renderer.isValid()
    assert _row_labels(chart.svg)[:2] == ["GV · Secure", "ID · Secure"]
    dashboard = page.dashboard
    dashboard.framework_box.setCurrentIndex(dashboard.framework_box.findData("owasp-asi"))
    labels = _row_labels(chart.svg)
    assert labels[0] == "ASI01"
    assert len(labels) == 10
    completeness = ElementTree.fromstring(dashboard.completeness_chart.svg)
    counts = [
        int(r.get("data-value"))
        for r in completeness.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("class") == "unanswered"
    ]
    assert len(counts) == 10
    assert page.dashboard.tiles["mean"].text() == "4.00"
    assert page.dashboard.tiles["achieved"].text() == "0"
    image = chart.grab().toImage()
    assert len({image.pixel(x, image.height() // 2) for x in range(0, image.width(), 4)}) > 2


def test_lifecycle_to_final_makes_it_read_only_then_reassess(
    make_main_window, qtbot, ws, monkeypatch
):
    assessment_id = small_assessment(ws)
    first = svc.list_responses(ws, assessment_id)[0].question_id
    svc.answer(ws, assessment_id, first, 2)
    _, page = open_page(make_main_window, qtbot, ws)
    bar = page.lifecycle
    assert not bar.finalize_button.isEnabled()
    bar.submit_button.click()
    qtbot.waitUntil(lambda: page.state.info.status == "in-review")
    assert bar.finalize_button.isEnabled()
    assert bar.status_label.text() == "In review"
    asked = []
    monkeypatch.setattr(
        QMessageBox,
        "question",
        lambda _parent, _title, text, *_a: asked.append(text) or QMessageBox.StandardButton.Yes,
    )
    bar.finalize_button.click()
    qtbot.waitUntil(lambda: page.state.info.status == "final", timeout=10_000)
    assert "error" in asked[0]  # unanswered High-priority questions are named
    assert page.banner.isVisible()
    assert not page.panel.level_buttons[3].isEnabled()
    assert page.panel.notes.isReadOnly()
    assert not page.panel.evidence.add_button.isEnabled()
    page.navigator.tree.setFocus()
    qtbot.keyClick(page.navigator.tree, Qt.Key.Key_5)
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, page.panel.question_id).level in (None, 2)
    assert svc.get_response(ws, assessment_id, first).level == 2
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(__file__)])
    assert not page.panel.drop_mime_data(mime)

    bar.reassess_button.click()
    qtbot.waitUntil(lambda: page.state.info.id != assessment_id)
    assert page.state.info.previous_id == assessment_id
    assert not page.banner.isVisible()
    assert page.state.responses[first].level == 2


def test_building_the_window_and_pages_does_not_import_the_report_libraries(tmp_path):
    script = (
        "import sys\n"
        "from app.gui.app import create_application\n"
        "from app.gui.main_window import MainWindow\n"
        "from pathlib import Path\n"
        "from app.services.workspace import open_workspace\n"
        "create_application()\n"
        f"window = MainWindow(open_workspace(Path({str(tmp_path / 'w.assay')!r})))\n"
        "window.show_page('assessments')\n"
        "window.show_page('findings')\n"
        "print(any(m in sys.modules for m in ('weasyprint', 'pyhanko')))\n"
        "window.close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip().endswith("False")


def test_next_question_after_answering_when_chosen(make_main_window, qtbot, ws):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    page.advance_box.setChecked(True)
    shown = page.navigator.visible_questions()
    page.navigator.tree.setFocus()
    qtbot.keyClick(page.navigator.tree, Qt.Key.Key_4)
    qtbot.keyClick(page.navigator.tree, Qt.Key.Key_5)
    assert page.panel.question_id == shown[2]
    wait_written(qtbot)
    levels = {r.question_id: r.level for r in svc.list_responses(ws, assessment_id)}
    assert (levels[shown[0]], levels[shown[1]]) == (4, 5)
    page.panel.notes.setFocus()
    qtbot.keyClicks(page.panel.notes, "3")  # digits typed into notes are text, not answers
    assert page.panel.notes.toPlainText() == "3"
    assert page.state.responses[shown[2]].level is None


def test_accepting_an_inventory_suggestion_then_undo(make_main_window, qtbot, ws):
    info = svc.new_assessment(ws, SYSTEM, ["nist-ir-8596"], focus_areas=["secure"], target=3)
    _, page = open_page(make_main_window, qtbot, ws)
    question = next(
        e.id
        for e in page.state.entries
        if e.question.inventory_facts and suggestions_for(ws, info.id, e.id)[0].level is not None
    )
    page.navigator.select_question(question)
    box = page.panel.suggestions
    qtbot.waitUntil(lambda: bool(box.buttons), timeout=10_000)
    assert "From the inventory" in box.findChildren(QLabel)[1].text()
    box.buttons[0].click()
    wait_written(qtbot)
    stored = svc.get_response(ws, info.id, question)
    assert stored.level is not None
    assert "Suggested from the inventory" in stored.notes
    [evidence] = list_evidence(ws, info.id)
    assert evidence.file_name == f"inventory-analysis-{question}.json"
    assert page.panel.evidence.file_names() == [evidence.file_name]
    page.undo()
    wait_written(qtbot)
    undone = svc.get_response(ws, info.id, question)
    assert undone.level is None
    assert undone.notes == ""
    assert undone.evidence_ids == ()
    assert list_evidence(ws) == [], "undo removes the analysis file accepting stored"
    assert page.panel.evidence.file_names() == []


def test_unlinking_evidence_keeps_the_file(make_main_window, qtbot, ws, tmp_path):
    assessment_id = small_assessment(ws)
    _, page = open_page(make_main_window, qtbot, ws)
    question = page.panel.question_id
    path = tmp_path / "policy.pdf"
    path.write_bytes(b"%PDF-1.4 not really a policy")
    page.attach([path])
    qtbot.waitUntil(lambda: bool(page.state.responses[question].evidence_ids), timeout=10_000)
    evidence_list = page.panel.evidence
    evidence_list.list.setCurrentRow(0)
    evidence_list.remove_button.click()
    assert evidence_list.file_names() == []  # shown at once
    wait_written(qtbot)
    assert svc.get_response(ws, assessment_id, question).evidence_ids == ()
    assert [e.file_name for e in list_evidence(ws)] == ["policy.pdf"]


def test_opening_another_workspace_resets_the_page(make_main_window, qtbot, ws, tmp_path):
    small_assessment(ws)
    window, page = open_page(make_main_window, qtbot, ws)
    assert window.open_path(tmp_path / "other.assay", create=True)
    assert page.state is None
    assert page.assessment_box.count() == 0
    assert "No assessment yet" in page.empty_label.text()


def test_a_score_arriving_after_the_page_is_gone_is_dropped(make_main_window, qtbot, ws):
    small_assessment(ws)
    window, page = open_page(make_main_window, qtbot, ws)
    wait_scored(qtbot, page)
    page.schedule_score()
    task = page._score_task
    assert task is not None
    page.navigator.deleteLater()  # as when the window closes while the worker scores
    qtbot.waitUntil(lambda: not page.scoring(), timeout=20_000)
    qtbot.wait(50)  # no exception from a deleted tree item (pytest-qt fails on one)
