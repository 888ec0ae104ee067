"""A lead and three assessors: hand-outs, overlapping work, hand-backs, merges decided both ways.

Every workspace and package is a real file. Ana takes the first system, Ben the second, Cy the
first and the third (overlapping with Ana); the lead answers too meanwhile. Each merge lists
what is new, what only the assessor changed and what both changed; a conflict is never
overwritten without a decision, and the merged answers are the ones decided.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import func, select

from app.cli import main
from app.services import assessments as svc
from app.services.engagement import update_engagement
from app.services.errors import UserError
from app.services.evidence import answer_with_evidence
from app.services.integrity import check_workspace
from app.services.packages.handback import export_handback
from app.services.packages.handout import export_handout, open_handout
from app.services.packages.merge import merge_package
from app.services.workspace import Workspace, open_workspace
from app.storage.models import AISystem, Evidence, EvidenceBlob, JournalEntry
from tests.recording_progress import RecordingProgress


def _open(path: Path, actor: str) -> Workspace:
    return open_workspace(path, actor=actor)


def _levels(ws: Workspace, assessment_id: int, questions: list[str]) -> list[int | None]:
    by_question = {r.question_id: r.level for r in svc.list_responses(ws, assessment_id)}
    return [by_question[q] for q in questions]


def _journal(ws: Workspace, action: str) -> list[JournalEntry]:
    with ws.db.read() as session:
        rows = session.exec(select(JournalEntry).where(JournalEntry.action == action))
        return sorted(rows, key=lambda entry: entry.seq or 0)


def _head(ws: Workspace) -> int:
    return _count(ws, JournalEntry)


def _count(ws: Workspace, model) -> int:
    with ws.db.read() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _answer(ws: Workspace, aid: int, question: str, level: int, evidence: Path | None = None):
    changes = svc.answer_changes(level, note=f"{ws.actor} says {level}")
    answer_with_evidence(ws, aid, question, changes, [evidence] if evidence else [])


@pytest.fixture
def lead(tmp_path):
    ws = _open(tmp_path / "lead.assay", "Lea")
    update_engagement(ws, client="Harbour Freight", title="AI assessment")
    with ws.db.write() as session:
        for n in (1, 2, 3):
            session.add(AISystem(external_id=f"AIS-00{n}", name=f"Agent {n}"))
    ids = [svc.new_assessment(ws, f"AIS-00{n}", ["nist-ai-rmf"], target=3).id for n in (1, 2, 3)]
    questions = [r.question_id for r in svc.list_responses(ws, ids[0])][:3]
    yield ws, ids, questions
    ws.close()


def _conflict_gid(result, label_part: str) -> str:
    return next(i.gid for i in result.group("conflict") if label_part in i.label)


def test_three_assessors_merge_into_the_expected_answers(lead, tmp_path):
    ws, (a1, a2, a3), (q1, q2, q3) = lead
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.4 the access policy, signed off")

    out = {name: tmp_path / f"{name}-handout.assaypkg" for name in ("ana", "ben", "cy")}
    export_handout(ws, "Ana", out["ana"], systems=["AIS-001"])
    export_handout(ws, "Ben", out["ben"], systems=["AIS-002"])
    handout = export_handout(ws, "Cy", out["cy"], assessments=[a1, a3])
    assert handout.counts["assessment"] == 2
    assert handout.counts["system"] == 2

    assessors = {}
    for name in ("ana", "ben", "cy"):
        assessors[name] = _open(tmp_path / f"{name}.assay", name.capitalize())
        open_handout(assessors[name], out[name])
    ana, ben, cy = assessors["ana"], assessors["ben"], assessors["cy"]
    with pytest.raises(UserError, match="other|assessment"):  # Ben has only his assessment
        svc.list_responses(ben, a1)

    _answer(ana, a1, q1, 3, policy)
    _answer(ana, a1, q2, 2)
    _answer(ben, a2, q1, 5)
    _answer(ben, a2, q2, 0, policy)
    _answer(cy, a1, q1, 4)
    _answer(cy, a1, q3, 1)
    _answer(cy, a3, q1, 2, policy)
    _answer(ws, a1, q2, 1)  # the lead meanwhile: conflicts with Ana
    _answer(ws, a2, q1, 1)  # and with Ben

    back = {}
    for name, assessor in assessors.items():
        back[name] = tmp_path / f"{name}-handback.assaypkg"
        export_handback(assessor, back[name])
        assert check_workspace(assessor).ok
        assessor.close()

    # Ana: a conflict on q2 refuses the merge as a whole until it is decided.
    before = _head(ws)
    with pytest.raises(UserError, match="1 conflict"):
        merge_package(ws, back["ana"])
    assert _head(ws) == before
    plan = merge_package(ws, back["ana"], dry_run=True)
    assert plan.counts() == {"new": 1, "theirs": 1, "conflict": 1, "same": 0}
    conflict = plan.group("conflict")[0]
    assert (conflict.mine["level"], conflict.theirs["level"], conflict.author) == (1, 2, "Ana")
    assert _head(ws) == before
    merged = merge_package(ws, back["ana"], decisions={conflict.gid: "theirs"})
    assert merged.applied

    # Ben: his q1 conflicts with the lead's answer, which the lead keeps.
    plan = merge_package(ws, back["ben"], dry_run=True)
    keep = _conflict_gid(plan, q1)
    with pytest.raises(UserError, match="--decide zz: no conflict of the package has this id"):
        merge_package(ws, back["ben"], decisions={"zz": "mine"}, dry_run=True)
    merge_package(ws, back["ben"], decisions={keep[:8]: "mine"})  # the start of its id will do

    # Cy: q1 of the first assessment was merged from Ana meanwhile; the lead keeps it en bloc.
    plan = merge_package(ws, back["cy"], dry_run=True)
    assert [i.label for i in plan.group("conflict")] == [f"answer {a1}:{q1}"]
    merge_package(ws, back["cy"], take="mine")

    assert _levels(ws, a1, [q1, q2, q3]) == [3, 2, 1]
    assert _levels(ws, a2, [q1, q2]) == [1, 0]
    assert _levels(ws, a3, [q1]) == [2]
    # One file, one record, however many brought it.
    assert (_count(ws, EvidenceBlob), _count(ws, Evidence)) == (1, 1)
    evidence_of = {r.question_id: r.evidence_ids for r in svc.list_responses(ws, a3)}
    assert len(evidence_of[q1]) == 1

    merges = _journal(ws, "package.merge")
    assert [m.after["file"] for m in merges] == [
        "ana-handback.assaypkg",
        "ben-handback.assaypkg",
        "cy-handback.assaypkg",
    ]
    assert merges[0].after["decisions"] == {conflict.gid: "theirs"}
    assert merges[1].after["decisions"] == {keep: "mine"}
    assert set(merges[2].after["decisions"].values()) == {"mine"}
    assert check_workspace(ws).ok
    assert main(["--workspace", ws.location, "check"]) == 0

    # The same package twice changes nothing.
    before = _head(ws)
    again = merge_package(ws, back["ana"], take="theirs")
    assert again.already_merged
    assert not again.applied
    assert _head(ws) == before


def _ana_answers_one(ws: Workspace, tmp_path: Path, aid: int, question: str) -> Workspace:
    """Hand assessment ``aid`` out to Ana, who answers ``question`` (level 2) and hands back
    ``first.assaypkg``; return her open workspace."""
    export_handout(ws, "Ana", tmp_path / "out.assaypkg", assessments=[aid])
    ana = _open(tmp_path / "ana.assay", "Ana")
    open_handout(ana, tmp_path / "out.assaypkg")
    _answer(ana, aid, question, 2)
    export_handback(ana, tmp_path / "first.assaypkg")
    return ana


def test_a_second_hand_back_of_the_same_hand_out_builds_on_the_first(lead, tmp_path):
    ws, (a1, _a2, _a3), (q1, q2, _q3) = lead
    ana = _ana_answers_one(ws, tmp_path, a1, q1)
    merge_package(ws, tmp_path / "first.assaypkg")
    _answer(ana, a1, q1, 3)
    _answer(ana, a1, q2, 1)
    export_handback(ana, tmp_path / "second.assaypkg")
    ana.close()
    plan = merge_package(ws, tmp_path / "second.assaypkg", dry_run=True)
    assert plan.counts() == {"new": 0, "theirs": 2, "conflict": 0, "same": 0}
    merge_package(ws, tmp_path / "second.assaypkg")
    assert _levels(ws, a1, [q1, q2]) == [3, 1]
    assert check_workspace(ws).ok


def test_a_merge_says_how_far_it_is_and_a_cancelled_one_writes_nothing(lead, tmp_path):
    from app.support.progress import Cancelled

    ws, (a1, _a2, _a3), (q1, _q2, _q3) = lead
    _ana_answers_one(ws, tmp_path, a1, q1).close()
    before = _head(ws)
    stopping = RecordingProgress(stop_at="Merging answer records")
    with pytest.raises(Cancelled):
        merge_package(ws, tmp_path / "first.assaypkg", progress=stopping)
    assert _head(ws) == before
    assert _levels(ws, a1, [q1]) == [None]
    watching = RecordingProgress()
    merge_package(ws, tmp_path / "first.assaypkg", progress=watching)
    assert watching.messages[0] == "Checking first.assaypkg"
    assert "Merging answer records" in watching.messages
    assert _levels(ws, a1, [q1]) == [2]
