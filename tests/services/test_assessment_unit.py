"""Assessment services compose in one unit of work: all their changes commit or none do."""

from __future__ import annotations

import pytest

from app.services import assessments as svc
from app.services.answer_undo import undo_last_answer
from app.services.bulk_answers import update_many
from app.services.errors import UserError
from app.storage import journal
from app.storage.models import AISystem
from app.storage.repositories.assessments import AssessmentRepository
from app.storage.repositories.responses import ResponseRepository
from app.storage.unit_of_work import Change


@pytest.fixture
def started(workspace):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-020", name="Claims agent", autonomy="advisory"))
    info = svc.new_assessment(workspace, "AIS-020", ["nist-ai-rmf"], target=3)
    questions = [r.question_id for r in svc.list_responses(workspace, info.id)[:3]]
    return info.id, questions


def _entries(workspace) -> int:
    with workspace.reading() as uow:
        return journal.verify_chain(uow.session).entries


def test_answers_given_in_one_unit_commit_together_and_are_announced_once(workspace, started):
    assessment, (first, second, _) = started
    announced: list[list[Change]] = []
    workspace.add_change_listener(announced.append)
    with workspace.unit_of_work() as uow:
        svc.answer(uow, assessment, first, 2)
        update_many(uow, assessment, {second: {"level": 1}})
        assert svc.get_response(uow, assessment, second).level == 1  # seen inside the unit
    assert [c.action for c in announced[0]] == ["response.update", "response.bulk_update"]
    assert announced[0][0] == Change("response.update", "response", f"{assessment}:{first}")
    assert [svc.get_response(workspace, assessment, q).level for q in (first, second)] == [2, 1]


def test_a_refusal_late_in_the_unit_takes_back_the_answers_before_it(workspace, started):
    assessment, (first, second, third) = started
    before = _entries(workspace)

    def answer_then_refuse() -> None:
        with workspace.unit_of_work() as uow:
            svc.answer(uow, assessment, first, 3)
            svc.answer(uow, assessment, second, 4)
            svc.update_response(uow, assessment, third, not_applicable=True)  # no reason

    with pytest.raises(UserError, match="N/A needs a justification"):
        answer_then_refuse()
    assert [svc.get_response(workspace, assessment, q).level for q in (first, second)] == [
        None,
        None,
    ]
    assert _entries(workspace) == before


def test_undo_in_a_unit_restores_the_answer_and_journals_both_steps(workspace, started):
    assessment, (first, _, _) = started
    svc.answer(workspace, assessment, first, 2)
    svc.answer(workspace, assessment, first, 5)
    with workspace.unit_of_work() as uow:
        undone = undo_last_answer(uow, assessment)
        actions = [c.action for c in uow.changes]
    assert (undone.question_id, undone.restored) == (first, {"level": 2})
    assert actions == ["response.update", "response.undo"]
    assert svc.get_response(workspace, assessment, first).level == 2
    with workspace.reading() as uow:
        assert journal.verify_chain(uow.session).ok


def test_finalising_announces_the_gap_findings_with_the_move(workspace, started):
    assessment, (first, _, _) = started
    svc.answer(workspace, assessment, first, 1)
    svc.submit_for_review(workspace, assessment)
    announced: list[list[Change]] = []
    workspace.add_change_listener(announced.append)
    assert svc.finalize(workspace, assessment, force=True).status == "final"
    actions = [c.action for c in announced[0]]
    assert actions == ["finding.themes", "assessment.final"]


def test_reassessing_copies_the_answers_through_the_repository(workspace, started):
    assessment, (first, _, _) = started
    svc.answer(workspace, assessment, first, 4, note="policy seen")
    svc.submit_for_review(workspace, assessment)
    svc.finalize(workspace, assessment, force=True)
    again = svc.reassess(workspace, assessment, title="Second round")
    assert (again.previous_id, again.status) == (assessment, "draft")
    copied = svc.get_response(workspace, again.id, first)
    assert (copied.level, copied.notes, copied.reviewed) == (4, "policy seen", False)
    with workspace.reading() as uow:
        counts = uow.repository(AssessmentRepository).answer_counts([assessment, again.id])
        rows = uow.repository(ResponseRepository).rows(again.id)
    assert counts[again.id][:2] == counts[assessment][:2]
    assert len(rows) == again.questions
