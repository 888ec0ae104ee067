"""The Assessments page with the engagement scope: inherited answers, one subcategory screen."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QInputDialog

from app.services import assessments as svc
from app.services import bulk_answers
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from tests.gui.writes import wait_written

GV = "ir8596.secure.GV.OC-04"


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "engagement.assay", actor="tester")
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-009", name="Agent", autonomy="autonomous"))
    org = svc.new_assessment(workspace, None, ["nist-ir-8596"], filters=None)
    changes = {r.question_id: {"level": 2} for r in svc.list_responses(workspace, org.id)}
    bulk_answers.update_many(workspace, org.id, changes)
    svc.new_assessment(workspace, "AIS-009", ["nist-ir-8596"])
    return workspace


def _page(make_main_window, qtbot, ws):
    window = make_main_window(workspace=ws)
    window.show()
    window.show_page("assessments")
    page = window.page("assessments")
    qtbot.waitUntil(lambda: page.state is not None and not page.state.info.organisation)
    return page


def test_inherited_answer_is_read_only_and_can_be_overridden(
    make_main_window, qtbot, ws, monkeypatch
):
    page = _page(make_main_window, qtbot, ws)
    page.navigator.select_question(GV)
    qtbot.waitUntil(lambda: page.panel.question_id == GV)
    bar = page.scope.bar
    assert bar.isVisibleTo(page)
    assert "organisation assessment of" in bar.text.text()
    assert page.panel.read_only
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: ("own entity", True))
    bar.override_button.click()
    wait_written(qtbot)
    assert page.state.responses[GV].origin == "overridden"
    assert not page.panel.read_only
    assert "Overridden" in bar.text.text()


def test_assessment_label_counts_add_up_to_its_questions(make_main_window, qtbot, ws):
    from app.gui.pages.assessments_page import assessment_label

    info = next(i for i in svc.list_assessments(ws) if not i.organisation)
    bulk_answers.override(ws, info.id, GV, "own entity")
    info = svc.get_assessment(ws, info.id)
    own, inherited = info.questions - info.inherited - 1, info.inherited
    assert f"{own} own, {inherited} inherited, 1 overridden" in assessment_label(info)


def test_one_screen_shows_three_focus_areas_and_saves_them_once(make_main_window, qtbot, ws):
    page = _page(make_main_window, qtbot, ws)
    page.navigator.select_question("ir8596.secure.PR.AA-05")
    qtbot.waitUntil(lambda: page.scope.subcategory.ref == "PR.AA-05")
    panel = page.scope.subcategory
    assert all(c.isVisibleTo(panel) for c in panel.columns.values())
    for area, level in (("secure", 3), ("defend", 2), ("thwart", "na")):
        combo = panel.columns[area].level
        combo.setCurrentIndex(combo.findData(level))
    panel.note.setPlainText("shared note")
    panel.save_button.click()
    wait_written(qtbot)
    answers = {q: page.state.responses[q] for q in page.state.responses if "PR.AA-05" in q}
    assert sorted(str(r.level) for r in answers.values()) == ["2", "3", "None"]
    assert all((r.notes or r.justification) == "shared note" for r in answers.values())
    page.undo()  # Ctrl+Z takes back all three at once
    wait_written(qtbot)
    assert not any(page.state.responses[q].answered for q in answers)


def test_bulk_answer_of_picked_questions_is_one_step(make_main_window, qtbot, ws, tmp_path):
    page = _page(make_main_window, qtbot, ws)
    navigator = page.navigator
    ids = ["ir8596.secure.DE.CM-01", "ir8596.defend.DE.CM-01", GV]
    navigator.tree.clearSelection()
    for question_id in ids:
        navigator.question_item(question_id).setSelected(True)
    dialog = page.scope.bulk_dialog()
    assert "2 questions picked" in dialog.picked_button.text()  # the inherited one is left out
    dialog.level.setCurrentIndex(dialog.level.findData("na"))
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()
    dialog.note.setPlainText("No monitoring of this kind here")
    proof = tmp_path / "scope.txt"
    proof.write_text("scope statement")
    dialog.set_files([proof])
    page.scope.apply_bulk(dialog)
    qtbot.waitUntil(lambda: page.state.responses[ids[0]].not_applicable)
    changed = [page.state.responses[q] for q in ids[:2]]
    assert all(r.not_applicable and len(r.evidence_ids) == 1 for r in changed)
    assert page.state.responses[GV].inherited
    page.undo()
    wait_written(qtbot)
    assert not any(page.state.responses[q].answered for q in ids[:2])
    assert all(not page.state.responses[q].evidence_ids for q in ids[:2])


def test_new_assessment_dialog_offers_presets_with_counts(make_main_window, qtbot, ws, tmp_path):
    page = _page(make_main_window, qtbot, ws)
    dialog = page.new_assessment_dialog()
    dialog.set_system("AIS-009")
    texts = [dialog.preset_box.itemText(i) for i in range(dialog.preset_box.count())]
    agentic = next(t for t in texts if t.startswith("Agentic AI system: OWASP Agentic + NHI"))
    assert "own +" in agentic
    assert "inherited questions" in agentic
    dialog.set_preset("agentic")
    qtbot.waitUntil(dialog.target_known)
    assert "of its own" in dialog.count_label.text()
    choice = dialog.choice()
    assert choice.preset == "agentic"
    assert not choice.organisation
    page.create_assessment(choice)
    qtbot.waitUntil(lambda: page.state is not None and page.state.info.scope.get("preset"))
    assert page.state.info.inherited > 0
    assert "inherited" in page.dashboard.origin_label.text()
    assert "inherited" in page.assessment_box.currentText()
    dialog.system_box.setCurrentIndex(dialog.system_box.findData("__organisation__"))
    texts = [dialog.preset_box.itemText(i) for i in range(dialog.preset_box.count())]
    assert any(t.startswith("Organisation baseline: AI RMF GOVERN + IR 8596 GV") for t in texts)
    assert dialog.choice().organisation
    dialog.set_preset(None)
    dialog.set_frameworks(["nist-ai-rmf"])
    saved = dialog.save_current_as("Governance only")
    assert saved is not None
    assert dialog.preset().id == "governance-only"


def test_subcategory_tab_says_why_a_single_focus_area_stands_alone(make_main_window, qtbot, ws):
    info = svc.new_assessment(ws, "AIS-009", preset="agentic")  # IR 8596 Secure only
    page = _page(make_main_window, qtbot, ws)
    page.open_assessment(info.id)
    qtbot.waitUntil(lambda: page.state is not None and page.state.info.id == info.id)
    page.navigator.select_question("ir8596.secure.PR.AA-05")
    text = page.scope.subcategory.heading.text()
    assert "only the Secure focus area of PR.AA-05" in text
    assert "Question tab" in text


def test_dashboard_origin_counts_add_up_to_the_questions(make_main_window, qtbot, ws):
    from app.gui.widgets.assessment_dashboard import origin_summary

    page = _page(make_main_window, qtbot, ws)
    bulk_answers.override(ws, page.state.info.id, GV, "own entity")
    page.open_assessment(page.state.info.id)
    qtbot.waitUntil(lambda: page.state.responses[GV].origin == "overridden")
    origins = [r.origin for r in page.state.responses.values()]
    own, inherited = origins.count("own"), origins.count("inherited")
    assert own + inherited + 1 == len(origins)
    text = origin_summary(page.state)
    assert text.startswith(f"Answers: {own} own · {inherited} inherited")
    assert text.endswith("1 overridden")
