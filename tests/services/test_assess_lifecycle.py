"""Draft → in review → final (read-only), re-assessment from a copy, comparison."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services import evidence, finding_themes, findings
from app.services.errors import UserError
from app.services.scoring import compare_assessments
from app.storage.models import AISystem, Finding, JournalEntry

Q1, Q2, Q3 = "nhi.NHI1.q1", "nhi.NHI7.q1", "nhi.NHI2.q1"


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


@pytest.fixture
def assessment(workspace, catalog):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent", autonomy="autonomous"))
        session.add(AISystem(external_id="AIS-002", name="Other", autonomy="advisory"))
    return svc.new_assessment(workspace, "AIS-001", ["owasp-nhi"], catalog=catalog).id


def _final(workspace, aid):
    svc.submit_for_review(workspace, aid)
    return svc.finalize(workspace, aid)


def test_draft_review_final(workspace, assessment):
    info = svc.submit_for_review(workspace, assessment)
    assert info.status == "in-review"
    assert info.submitted_at is not None
    svc.answer(workspace, assessment, Q1, 2)  # a reviewer may still change answers
    assert svc.return_to_draft(workspace, assessment).status == "draft"
    with pytest.raises(UserError, match="submit it for review before finalising"):
        svc.finalize(workspace, assessment)
    info = _final(workspace, assessment)
    assert info.status == "final"
    assert info.final
    assert info.finalized_at is not None
    with workspace.db.read() as session:
        actions = (
            session.execute(
                sa.select(JournalEntry.action).where(JournalEntry.entity == "assessment")
            )
            .scalars()
            .all()
        )
    assert actions[-3:] == ["assessment.in-review", "finding.themes", "assessment.final"]


def test_a_final_assessment_is_read_only(workspace, assessment, tmp_path):
    svc.answer(workspace, assessment, Q1, 1)
    _final(workspace, assessment)
    gap = findings.list_findings(workspace, assessment_id=assessment)
    assert [[i.key for i in f.items] for f in gap] == [[Q1]]  # themes raised on finalising
    file = tmp_path / "note.txt"
    file.write_text("x")
    ev = evidence.add_evidence(workspace, file)
    refusals = [
        lambda: svc.answer(workspace, assessment, Q2, 3),
        lambda: svc.update_response(workspace, assessment, Q1, flagged=True),
        lambda: svc.update_assessment(workspace, assessment, title="changed"),
        lambda: svc.submit_for_review(workspace, assessment),
        lambda: svc.return_to_draft(workspace, assessment),
        lambda: svc.finalize(workspace, assessment),
        lambda: finding_themes.refresh_gap_findings(workspace, assessment),
        lambda: findings.create_finding(workspace, title="late", assessment_id=assessment),
        lambda: findings.update_finding(workspace, gap[0].id, severity="low"),
        lambda: evidence.link_to_response(workspace, ev.id, assessment, Q1),
        lambda: evidence.link_to_finding(workspace, ev.id, gap[0].id),
    ]
    for refused in refusals:
        with pytest.raises(UserError, match="final|submit"):
            refused()
    assert svc.get_response(workspace, assessment, Q1).level == 1


def test_finalize_refuses_quality_gate_errors_unless_forced(workspace, assessment, catalog):
    info = svc.new_assessment(
        workspace, "AIS-002", ["nist-ir-8596"], focus_areas=["secure"], max_priority=1,
        catalog=catalog,
    )  # fmt: skip
    svc.submit_for_review(workspace, info.id)
    with pytest.raises(UserError, match="23 quality-gate error"):
        svc.finalize(workspace, info.id)
    assert svc.finalize(workspace, info.id, force=True).status == "final"
    with workspace.db.read() as session:
        entry = session.execute(
            sa.select(JournalEntry).where(JournalEntry.action == "assessment.final")
        ).scalar_one()
    assert len(entry.after["forced_over"]) == 23


def _journal_length(workspace) -> int:
    with workspace.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(JournalEntry)).scalar_one()


def _finding_count(workspace) -> int:
    with workspace.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(Finding)).scalar_one()


@pytest.mark.sqlite_only
def test_a_failure_while_finalising_leaves_no_gap_findings_behind(workspace, assessment):
    svc.answer(workspace, assessment, Q1, 1)  # below target: finalising raises a gap finding
    svc.submit_for_review(workspace, assessment)
    entries = _journal_length(workspace)
    conn = sqlite3.connect(workspace.path)
    conn.execute(
        "CREATE TRIGGER refuse_final BEFORE UPDATE OF status ON assessment "
        "WHEN NEW.status = 'final' BEGIN SELECT RAISE(ABORT, 'the disk refused the move'); END"
    )
    conn.commit()
    conn.close()

    with pytest.raises(sa.exc.IntegrityError, match="the disk refused the move"):
        svc.finalize(workspace, assessment)

    assert svc.get_assessment(workspace, assessment).status == "in-review"
    assert _finding_count(workspace) == 0, "the gap findings went with the failed move"
    assert _journal_length(workspace) == entries


@pytest.mark.sqlite_only
def test_finalize_checks_the_gate_on_the_answers_it_finalises(workspace, assessment, catalog):
    info = svc.new_assessment(
        workspace, "AIS-002", ["nist-ir-8596"], focus_areas=["secure"], max_priority=1,
        catalog=catalog,
    )  # fmt: skip
    questions = [r.question_id for r in svc.list_responses(workspace, info.id)]
    for question_id in questions:
        svc.answer(workspace, info.id, question_id, 3)
    svc.submit_for_review(workspace, info.id)
    # Another program clears a High-priority answer and holds its write open while the
    # assessor presses Finalise: the gate must judge the answers as they are when it finalises.
    other = sqlite3.connect(workspace.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute(
        "UPDATE response SET level = NULL WHERE assessment_id = ? AND question_id = ?",
        (info.id, questions[0]),
    )
    outcome: list[BaseException | svc.AssessmentInfo] = []

    def press_finalise() -> None:
        try:
            outcome.append(svc.finalize(workspace, info.id))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    worker = threading.Thread(target=press_finalise)
    worker.start()
    worker.join(timeout=0.5)
    assert worker.is_alive(), "finalising waits for the other program's write"
    other.execute("COMMIT")
    other.close()
    worker.join()

    [result] = outcome
    assert isinstance(result, UserError)
    assert "1 quality-gate error" in str(result)
    assert svc.get_assessment(workspace, info.id).status == "in-review"


def test_reassess_copies_and_keeps_the_previous(workspace, assessment, tmp_path):
    file = tmp_path / "keys.csv"
    file.write_text("id,rotated\n")
    ev = evidence.add_evidence(workspace, file)
    svc.answer(
        workspace, assessment, Q1, 2, note="partly", strength="document", evidence_ids=[ev.id]
    )
    svc.update_response(workspace, assessment, Q2, level=4, reviewed=True, target_override=5)
    svc.answer(workspace, assessment, Q3, "na", note="no secrets in code")
    with pytest.raises(UserError, match="finalise it first"):
        svc.reassess(workspace, assessment)
    _final(workspace, assessment)
    new = svc.reassess(workspace, assessment)
    assert (new.status, new.previous_id, new.answered) == ("draft", assessment, 3)
    assert new.frameworks == svc.get_assessment(workspace, assessment).frameworks
    copied = {r.question_id: r for r in svc.list_responses(workspace, new.id)}
    assert (copied[Q1].level, copied[Q1].notes, copied[Q1].evidence_ids) == (2, "partly", (ev.id,))
    assert (copied[Q2].level, copied[Q2].reviewed, copied[Q2].target_override) == (4, False, 5)
    assert copied[Q3].justification == "no secrets in code"
    svc.answer(workspace, new.id, Q1, 4)
    assert svc.get_response(workspace, assessment, Q1).level == 2  # the previous one is kept
    assert evidence.get_evidence(workspace, ev.id).responses == ((assessment, Q1), (new.id, Q1))


def test_compare_question_by_question_and_node_by_node(workspace, assessment):
    svc.answer(workspace, assessment, Q1, 2)
    svc.answer(workspace, assessment, Q2, 4)
    _final(workspace, assessment)
    second = svc.reassess(workspace, assessment).id
    svc.answer(workspace, second, Q1, 3)
    svc.answer(workspace, second, Q2, 1)
    svc.answer(workspace, second, Q3, 2)
    comparison = compare_assessments(workspace, assessment, second)
    rows = {row["question_id"]: row for row in comparison.questions}
    assert (rows[Q1]["first"], rows[Q1]["second"], rows[Q1]["delta"]) == (2, 3, 1)
    assert rows[Q1]["change"] == "improved"
    assert rows[Q2]["change"] == "regressed"
    assert rows[Q3]["change"] == "newly answered"
    assert rows["nhi.NHI3.q1"]["change"] == "unchanged"
    assert comparison.counts()["improved"] == 1
    nodes = {n["id"]: n for n in comparison.nodes}
    framework = nodes["owasp-nhi"]["mean"]
    assert framework["first"] == pytest.approx(3.0)
    assert framework["second"] == pytest.approx(2.0)
    assert framework["delta"] == pytest.approx(-1.0)
    # NHI1 has two more questions, unanswered in both rounds.
    assert nodes["owasp-nhi/NHI1"]["achieved_level"] == {"first": 0, "second": 0, "delta": 0}
    assert nodes["owasp-nhi/NHI1"]["completeness"]["delta"] == pytest.approx(0.0)
    assert nodes["owasp-nhi/NHI2"]["completeness"]["delta"] == pytest.approx(1 / 3, abs=1e-4)


def test_compare_refuses_different_systems(workspace, assessment, catalog):
    other = svc.new_assessment(workspace, "AIS-002", ["owasp-nhi"], catalog=catalog)
    with pytest.raises(UserError, match="assess different systems"):
        compare_assessments(workspace, assessment, other.id)
