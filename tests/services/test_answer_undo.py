"""Undo takes back answer changes one by one from the journal, in the CLI as in the window."""

from __future__ import annotations

import pytest

from app.cli import main
from app.services import assessments as svc
from app.services.answer_undo import undo_last_answer
from app.services.errors import UserError
from app.services.workspace import open_workspace
from app.storage import journal
from app.storage.models import AISystem


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "undo.assay", actor="tester")
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-010", name="Triage agent", autonomy="advisory"))
    yield workspace
    workspace.close()


def _levels(ws, assessment_id, *questions):
    return [
        (r.level, r.not_applicable)
        for r in (svc.get_response(ws, assessment_id, q) for q in questions)
    ]


def test_undo_walks_back_through_answer_changes(ws):
    info = svc.new_assessment(ws, "AIS-010", ["nist-ai-rmf"], target=3)
    first, second = (r.question_id for r in svc.list_responses(ws, info.id)[:2])
    svc.answer(ws, info.id, first, 2)
    svc.update_response(ws, info.id, first, notes="seen the policy")  # not an answer change
    svc.answer(ws, info.id, first, 4)
    svc.update_response(ws, info.id, second, not_applicable=True, justification="No model")

    assert undo_last_answer(ws, info.id).question_id == second
    assert _levels(ws, info.id, first, second) == [(4, False), (None, False)]
    undone = undo_last_answer(ws, info.id)
    assert (undone.question_id, undone.restored) == (first, {"level": 2})
    assert _levels(ws, info.id, first) == [(2, False)]
    undo_last_answer(ws, info.id)
    assert _levels(ws, info.id, first) == [(None, False)]
    assert svc.get_response(ws, info.id, first).notes == "seen the policy"
    with pytest.raises(UserError, match="no answer change left"):
        undo_last_answer(ws, info.id)
    with ws.db.read() as session:
        assert journal.verify_chain(session).ok


def test_undo_of_an_na_answer_restores_it_with_its_reason(ws):
    info = svc.new_assessment(ws, "AIS-010", ["nist-ai-rmf"], target=3)
    question = svc.list_responses(ws, info.id)[0].question_id
    svc.update_response(ws, info.id, question, not_applicable=True, justification="No model")
    svc.answer(ws, info.id, question, 3)
    undo_last_answer(ws, info.id)
    stored = svc.get_response(ws, info.id, question)
    assert (stored.level, stored.not_applicable, stored.justification) == (None, True, "No model")


def test_cli_undo(ws, capsys):
    info = svc.new_assessment(ws, "AIS-010", ["nist-ai-rmf"], target=3)
    question = svc.list_responses(ws, info.id)[0].question_id
    svc.answer(ws, info.id, question, 1)
    svc.answer(ws, info.id, question, 5)
    args = ["assess", "undo", "--assessment", str(info.id), "--workspace", ws.location]
    assert main(args) == 0
    assert f"{question} is 1" in capsys.readouterr().out
    assert main(args) == 0
    assert main(args) == 1
    assert "no answer change left to undo" in capsys.readouterr().err
