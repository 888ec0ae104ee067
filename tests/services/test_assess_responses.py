"""Answering questions: levels, N/A with a justification, notes, strength, flags, journal."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services.errors import UserError
from app.storage.models import AISystem, JournalEntry

Q1, Q2 = "nhi.NHI1.q1", "nhi.NHI7.q1"


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


@pytest.fixture
def assessment(workspace, catalog):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent", autonomy="autonomous"))
    return svc.new_assessment(workspace, "AIS-001", ["owasp-nhi"], catalog=catalog).id


def _journal(ws, action):
    with ws.db.read() as session:
        return (
            session.execute(
                sa.select(JournalEntry)
                .where(JournalEntry.action == action)
                .order_by(JournalEntry.seq)
            )
            .scalars()
            .all()
        )


def test_level_notes_and_strength_are_saved_and_journalled(workspace, assessment):
    response = svc.answer(
        workspace, assessment, Q1, 3, note="seen the runbook", strength="observed"
    )
    assert (response.level, response.notes, response.evidence_strength) == (
        3, "seen the runbook", "observed",
    )  # fmt: skip
    assert response.answered_by == "tester"
    assert response.answered_at is not None
    again = svc.get_response(workspace, assessment, Q1)
    assert again == response
    svc.answer(workspace, assessment, Q1, 4)
    entries = _journal(workspace, "response.update")
    assert [e.entity_id for e in entries] == [f"{assessment}:{Q1}"] * 2
    assert entries[0].before == {"level": None, "notes": "", "evidence_strength": None}
    assert entries[1].before == {"level": 3}
    assert entries[1].after == {"level": 4}
    assert svc.get_assessment(workspace, assessment).answered == 1


def test_na_needs_a_justification(workspace, assessment):
    with pytest.raises(UserError, match="N/A needs a justification"):
        svc.answer(workspace, assessment, Q1, "na")
    with pytest.raises(UserError, match="N/A needs a justification"):
        svc.answer(workspace, assessment, Q1, "NA", note="   ")
    response = svc.answer(workspace, assessment, Q1, "na", note="no credentials of its own")
    assert response.not_applicable
    assert response.level is None
    assert response.justification == "no credentials of its own"
    assert response.answered
    # A level replaces the N/A and drops its justification.
    response = svc.answer(workspace, assessment, Q1, 2)
    assert (response.level, response.not_applicable, response.justification) == (2, False, "")
    # N/A replaces a level.
    response = svc.update_response(
        workspace, assessment, Q1, not_applicable=True, justification="retired"
    )
    assert (response.level, response.not_applicable) == (None, True)


def test_clearing_an_answer(workspace, assessment):
    svc.answer(workspace, assessment, Q1, 5)
    response = svc.answer(workspace, assessment, Q1, None)
    assert not response.answered
    assert svc.get_assessment(workspace, assessment).answered == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"level": 6}, "level must be a whole number from 0 to 5"),
        ({"level": -1}, "level must be"),
        ({"level": True}, "level must be"),
        ({"evidence_strength": "hearsay"}, "unknown evidence strength 'hearsay'"),
        ({"target_override": 9}, "a question's target must be"),
        ({"colour": "red"}, "unknown response field"),
        ({"level": 2, "not_applicable": True}, "either a level or N/A"),
    ],
)
def test_invalid_changes_are_refused(workspace, assessment, changes, message):
    with pytest.raises(UserError, match=message):
        svc.update_response(workspace, assessment, Q1, **changes)
    assert not svc.get_response(workspace, assessment, Q1).answered


def test_text_levels_and_unknown_questions(workspace, assessment):
    assert svc.answer(workspace, assessment, Q2, "3").level == 3
    with pytest.raises(UserError, match="level must be 0-5 or na"):
        svc.answer(workspace, assessment, Q2, "high")
    with pytest.raises(UserError, match="'ir8596.secure.GV.OC-01' is not part of assessment"):
        svc.answer(workspace, assessment, "ir8596.secure.GV.OC-01", 3)
    with pytest.raises(UserError, match="no assessment 42"):
        svc.answer(workspace, 42, Q2, 3)


def test_flags_review_and_question_target(workspace, assessment):
    response = svc.update_response(workspace, assessment, Q2, flagged=True, target_override=5)
    assert (response.flagged, response.reviewed, response.target_override) == (True, False, 5)
    assert response.answered_at is None  # flags are not answers
    response = svc.update_response(workspace, assessment, Q2, reviewed=True, target_override=None)
    assert (response.reviewed, response.target_override) == (True, None)


def test_assessment_target_and_title_override(workspace, assessment):
    assert svc.get_assessment(workspace, assessment).target_level == 4  # autonomous: high tier
    info = svc.update_assessment(workspace, assessment, title="Q3 review", target_level=2)
    assert (info.title, info.target_level) == ("Q3 review", 2)
    with pytest.raises(UserError, match="target must be"):
        svc.update_assessment(workspace, assessment, target_level=7)
    (entry,) = _journal(workspace, "assessment.update")
    assert entry.before["target_level"] == 4
    assert entry.after == {"title": "Q3 review", "target_level": 2}


def test_every_answer_survives_reopening(workspace, assessment):
    for n, qid in enumerate([r.question_id for r in svc.list_responses(workspace, assessment)]):
        svc.answer(workspace, assessment, qid, n % 6)
    path = workspace.path or workspace.location  # a file, or the server's URL
    workspace.close()
    from app.services.workspace import open_workspace

    reopened = open_workspace(path)
    try:
        levels = [r.level for r in svc.list_responses(reopened, assessment)]
        assert levels == [n % 6 for n in range(len(levels))]
    finally:
        reopened.close()
