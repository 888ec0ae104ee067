"""The new-assessment dialog works out the chosen system's risk tier on a worker.

Until the answer for the chosen system is in, the dialog says it is working and Create stays
disabled; an answer for a system chosen before is never shown over the current one.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from PySide6.QtWidgets import QDialogButtonBox

from app.gui import tasks
from app.gui.dialogs import new_assessment_dialog as module
from app.gui.dialogs.new_assessment_dialog import WORKING_TEXT, NewAssessmentDialog
from app.services.assessments import system_risk_of
from app.services.frameworks import catalog_for
from app.services.workspace import open_workspace
from app.storage.models import AISystem

RISKY, CALM = "AIS-001", "AIS-002"


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "dialog.assay", actor="tester")
    with workspace.db.write() as session:
        session.add(
            AISystem(
                external_id=RISKY,
                name="Claims triage agent",
                autonomy="autonomous",
                data_classification="confidential",
                exposure="internal",
                tools=["claims-db"],
            )
        )
        session.add(
            AISystem(
                external_id=CALM,
                name="Drafting helper",
                autonomy="advisory",
                data_classification="public",
                exposure="internal",
            )
        )
    return workspace


@pytest.fixture
def catalog(ws):
    return catalog_for(ws)


def make_dialog(qtbot, ws, catalog) -> NewAssessmentDialog:
    dialog = NewAssessmentDialog(ws, catalog)
    qtbot.addWidget(dialog)
    return dialog


def ok_button(dialog: NewAssessmentDialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def test_the_risk_tier_is_worked_out_on_a_worker_while_create_waits(
    qtbot, ws, catalog, monkeypatch
):
    threads: list[int] = []
    original = module.system_risk_of

    def recorded(*args, **kwargs):
        threads.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "system_risk_of", recorded)
    dialog = make_dialog(qtbot, ws, catalog)
    # The answer comes through the event loop, so right after opening it is not in yet.
    assert dialog.risk_label.text() == WORKING_TEXT
    assert not ok_button(dialog).isEnabled()
    assert not dialog.target_known()
    assert dialog.question_count() == 0
    with qtbot.waitSignal(dialog.target_ready, timeout=10_000) as ready:
        pass
    assert ready.args == [RISKY]
    expected = system_risk_of(ws, RISKY)
    assert dialog.target_spin.value() == expected.target_level
    assert f"Risk tier {expected.tier.value}" in dialog.risk_label.text()
    assert ok_button(dialog).isEnabled()
    assert dialog.question_count() > 0
    assert dialog.choice().risk_tier == expected.tier.value
    assert threads, "the risk tier was worked out"
    assert threading.get_ident() not in threads, "system_risk_of ran on the UI thread"


def test_an_answer_for_a_system_no_longer_chosen_is_not_shown(qtbot, ws, catalog, monkeypatch):
    original = module.system_risk_of
    release = threading.Event()

    def risky_answers_late(workspace, ext_id):
        found = original(workspace, ext_id)
        if ext_id == RISKY:
            release.wait(10)
        return found

    monkeypatch.setattr(module, "system_risk_of", risky_answers_late)
    dialog = make_dialog(qtbot, ws, catalog)  # asks for the first system, which answers late
    calm = system_risk_of(ws, CALM)
    risky = system_risk_of(ws, RISKY)
    assert calm.target_level != risky.target_level
    with qtbot.waitSignal(dialog.target_ready, timeout=10_000):
        dialog.set_system(CALM)
    assert dialog.target_spin.value() == calm.target_level
    release.set()
    qtbot.waitUntil(lambda: tasks.live_task_count() == 0, timeout=10_000)
    assert dialog.system_box.currentData() == CALM
    assert dialog.target_spin.value() == calm.target_level
    assert f"Risk tier {calm.tier.value}" in dialog.risk_label.text()
    assert dialog.choice().risk_tier == calm.tier.value
    # The late answer is kept: choosing that system again shows it at once.
    dialog.set_system(RISKY)
    assert dialog.target_known()
    assert dialog.target_spin.value() == risky.target_level
    assert ok_button(dialog).isEnabled()


def test_a_system_removed_meanwhile_cannot_be_assessed(qtbot, ws, catalog):
    dialog = make_dialog(qtbot, ws, catalog)
    qtbot.waitUntil(dialog.target_known, timeout=10_000)
    with ws.db.write() as session:
        session.execute(sa.delete(AISystem).where(AISystem.external_id == CALM))
    with qtbot.waitSignal(dialog.target_ready, timeout=10_000):
        dialog.set_system(CALM)
    assert "Cannot assess this system" in dialog.risk_label.text()
    assert CALM in dialog.risk_label.text()
    assert not ok_button(dialog).isEnabled()
