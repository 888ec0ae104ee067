"""File ▸ Merge package… shows the groups and both sides of a conflict; the merge waits for a
decision and runs on the one writer; File ▸ Open turns a hand-out into a new workspace."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app.gui import file_dialogs
from app.gui.dialogs import package_actions
from app.gui.dialogs.handout_dialog import HandoutDialog
from app.gui.dialogs.merge_dialog import CONFLICT_HEADERS, MergeDialog
from app.services import assessments as svc
from app.services.engagement import update_engagement
from app.services.packages.handback import export_handback
from app.services.packages.handout import export_handout, open_handout
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from tests.gui.writes import wait_written


@pytest.fixture
def lead_and_back(tmp_path):
    lead = open_workspace(tmp_path / "lead.assay", actor="Lea Lead")
    update_engagement(lead, client="Harbour Freight")
    with lead.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Claims agent"))
    aid = svc.new_assessment(lead, "AIS-001", ["nist-ai-rmf"], target=3).id
    q1, q2 = [r.question_id for r in svc.list_responses(lead, aid)][:2]
    export_handout(lead, "Ana Ruiz", tmp_path / "ana.assaypkg")
    ana = open_workspace(tmp_path / "ana.assay", actor="Ana Ruiz")
    open_handout(ana, tmp_path / "ana.assaypkg")
    svc.answer(ana, aid, q1, 4, note="Runbook seen and tested with the on-call team")
    svc.answer(ana, aid, q2, 2, note="Policy drafted, not yet approved")
    svc.answer(lead, aid, q1, 2, note="Only a draft runbook in the wiki")
    export_handback(ana, tmp_path / "ana-back.assaypkg")
    ana.close()
    return lead, aid, (q1, q2), tmp_path


def test_a_conflict_is_merged_only_once_decided(make_main_window, qtbot, monkeypatch,
                                                lead_and_back):  # fmt: skip
    lead, aid, (q1, q2), folder = lead_and_back
    window = make_main_window(workspace=lead)
    back = folder / "ana-back.assaypkg"
    monkeypatch.setattr(file_dialogs, "get_open_file_name", lambda *a, **k: str(back))
    seen: dict[str, object] = {}

    def decide(dialog: MergeDialog) -> int:
        seen["tabs"] = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        seen["title"] = dialog.windowTitle()
        seen["merge enabled before"] = dialog.merge_button.isEnabled()
        table = dialog.conflict_table
        seen["row"] = [table.item(0, c).text() for c in range(len(CONFLICT_HEADERS))]
        dialog.decide_all("Take theirs")
        seen["merge enabled after"] = dialog.merge_button.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(MergeDialog, "exec", decide)
    window.merge_action.trigger()
    qtbot.waitUntil(lambda: "tabs" in seen, timeout=15_000)
    wait_written(qtbot)

    assert seen["tabs"] == ["Conflicts (1)", "New (0)", "Changed by them only (1)"]
    assert seen["title"] == "Merge package ana-back.assaypkg"
    assert seen["merge enabled before"] is False
    assert seen["merge enabled after"] is True
    row = seen["row"]
    assert row[0] == f"answer {aid}:{q1}"
    assert row[2:4] == ["2", "Only a draft runbook in the wiki"]
    assert row[5].startswith("Lea Lead, ")
    assert row[6:8] == ["4", "Runbook seen and tested with the on-call team"]
    assert row[9].startswith("Ana Ruiz, ")
    levels = {r.question_id: r.level for r in svc.list_responses(lead, aid)}
    assert (levels[q1], levels[q2]) == (4, 2)
    assert "Merged ana-back.assaypkg" in window.statusBar().currentMessage()


def test_file_open_turns_a_hand_out_into_a_new_workspace(make_main_window, qtbot, monkeypatch,
                                                         lead_and_back):  # fmt: skip
    _lead, aid, _questions, folder = lead_and_back
    window = make_main_window("other.assay")
    target = folder / "ben.assay"
    monkeypatch.setattr(
        file_dialogs, "get_open_file_name", lambda *a, **k: str(folder / "ana.assaypkg")
    )
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(target))
    window.open_action.trigger()
    wait_written(qtbot)
    assert Path(window.context.workspace.path) == target.resolve()
    assert [r.question_id for r in svc.list_responses(window.context.workspace, aid)]
    assert "Opened ana.assaypkg" in window.statusBar().currentMessage()
    assert package_actions.PACKAGE_SUFFIX == ".assaypkg"


def test_hand_out_and_hand_back_from_the_window(make_main_window, qtbot, monkeypatch, tmp_path):
    lead = open_workspace(tmp_path / "lead.assay", actor="Lea Lead")
    update_engagement(lead, client="Harbour Freight")
    with lead.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Claims agent"))
        session.add(AISystem(external_id="AIS-002", name="Pricing agent"))
    first = svc.new_assessment(lead, "AIS-001", ["nist-ai-rmf"], target=3).id
    svc.new_assessment(lead, "AIS-002", ["nist-ai-rmf"], target=3)
    window = make_main_window(workspace=lead)
    out, back = tmp_path / "ana.assaypkg", tmp_path / "ana-back"

    def choose(dialog: HandoutDialog) -> int:
        dialog.name.setText("Ana Ruiz")
        dialog.choices.item(0).setCheckState(Qt.CheckState.Checked)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(HandoutDialog, "exec", choose)
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(out))
    window.handout_action.trigger()
    wait_written(qtbot)
    assert "Handed out ana.assaypkg" in window.statusBar().currentMessage()

    ana = open_workspace(tmp_path / "ana.assay", actor="Ana Ruiz")
    open_handout(ana, out)
    assert [a.id for a in svc.list_assessments(ana)] == [first]
    question = svc.list_responses(ana, first)[0].question_id
    svc.answer(ana, first, question, 3, note="Seen")
    assessor = make_main_window(workspace=ana)
    monkeypatch.setattr(file_dialogs, "get_save_file_name", lambda *a, **k: str(back))
    assessor.handback_action.trigger()
    wait_written(qtbot)
    assert back.with_suffix(".assaypkg").exists()
    assert "Handed back ana-back.assaypkg" in assessor.statusBar().currentMessage()
