"""The Findings page shapes themed findings: rating, tracking, response, merge and split."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.gui import tasks
from app.services import assessments as svc
from app.services.finding_themes import refresh_gap_findings
from app.services.findings import get_finding, list_findings
from app.storage.models import AISystem
from tests.gui.writes import wait_written

QUESTIONS = ("ir8596.secure.GV.OC-01", "ir8596.secure.GV.OC-03", "ir8596.secure.GV.RM-02")


def _themes(workspace):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="Claims helper", autonomy="advisory"))
    info = svc.new_assessment(workspace, "AIS-009", ["nist-ir-8596"], focus_areas=["secure"])
    for question in QUESTIONS:
        svc.answer(workspace, info.id, question, 1)
    refresh_gap_findings(workspace, info.id)
    return {t.items[0].ref[:5]: t for t in list_findings(workspace, source="theme")}


def _page(make_main_window, qtbot, workspace):
    window = make_main_window(workspace=workspace)
    window.resize(1400, 900)
    window.show()
    window.show_page("findings")
    page = window.page("findings")
    qtbot.waitUntil(lambda: not page.loading(), timeout=10_000)
    return page


def test_rating_tracking_and_accepting_a_risk(make_main_window, qtbot, workspace, tmp_path):
    themes = _themes(workspace)
    page = _page(make_main_window, qtbot, workspace)
    context = themes["GV.OC"]
    assert page.select_finding(context.id)
    editor = page.editor
    assert editor.criteria.topLevelItemCount() == 2
    assert editor.criteria.topLevelItem(0).text(2) == "1 Initial"
    editor.likelihood_box.setValue(2)
    editor.impact_box.setValue(3)
    wait_written(qtbot)
    assert get_finding(workspace, context.id).severity == "medium"
    editor.effort_box.setCurrentIndex(editor.effort_box.findData("high"))
    editor.effort_box.activated.emit(editor.effort_box.currentIndex())
    editor.response_edit.selectAll()
    qtbot.keyClicks(editor.response_edit, "Agreed; policy by June.")
    editor.flush()
    qtbot.keyClicks(editor.justification_edit, "Covered by the yearly policy review")
    qtbot.keyClicks(editor.approver_edit, "COO")
    editor.status_box.setCurrentIndex(editor.status_box.findData("accepted"))
    editor.status_box.activated.emit(editor.status_box.currentIndex())
    wait_written(qtbot)
    stored = get_finding(workspace, context.id)
    assert (stored.likelihood, stored.impact, stored.effort) == (2, 3, "high")
    assert stored.management_response == "Agreed; policy by June."
    assert (stored.status, stored.accepted_by) == ("accepted", "COO")
    page.window().grab().save(str(tmp_path / "findings.png"))


def test_merge_and_split_from_the_page(make_main_window, qtbot, workspace):
    themes = _themes(workspace)
    page = _page(make_main_window, qtbot, workspace)
    context, strategy = themes["GV.OC"], themes["GV.RM"]
    assert page.select_finding(context.id)
    assert page.merge_button.isEnabled()
    dialog = page.merge_dialog()
    assert dialog.choices.count() == 1
    dialog.choices.item(0).setCheckState(Qt.CheckState.Checked)
    assert dialog.chosen_ids() == [strategy.id]
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.merge(dialog.into_id, dialog.chosen_ids())
    assert len(get_finding(workspace, context.id).items) == 3
    assert page.select_finding(context.id)
    split = page.split_dialog()
    split.choices.item(2).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(page.refreshed, timeout=10_000):
        page.split(split.finding_id, split.chosen_keys(), "Risk appetite")
    qtbot.waitUntil(lambda: tasks.live_task_count() == 0, timeout=10_000)
    made = page.editor.finding
    assert made.title == "Risk appetite"
    assert [i.key for i in made.items] == [split.chosen_keys()[0]]
