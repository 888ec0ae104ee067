"""Moving a fully answered assessment to the synthetic next version of the OWASP NHI set."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services import assessments as svc
from app.services.assessment_lifecycle import finalize, submit_for_review
from app.services.errors import UserError
from app.services.evidence import add_evidence
from app.services.finding_themes import refresh_gap_findings
from app.services.findings import create_finding, list_findings
from app.services.scoring import score_assessment
from app.services.upgrade import available_versions, plan_upgrade, upgrade_assessment
from app.storage.models import AISystem, FrameworkVersion, JournalEntry, Person

DRAFT = Path(__file__).parents[1] / "data" / "frameworks" / "owasp-nhi-2026-draft.yaml"
DRAFT_SHA = hashlib.sha256(DRAFT.read_bytes()).hexdigest()


@pytest.fixture
def answered(workspace, tmp_path):
    """An owasp-nhi 2025 assessment with every question answered, two files and a finding."""
    with workspace.db.write() as session:
        owner = Person(name="Ann", email="ann@example.org")
        session.add(owner)
        session.flush()
        session.add(AISystem(external_id="AIS-001", name="Helper", owner_id=owner.id))
    info = svc.new_assessment(workspace, "AIS-001", ["owasp-nhi"], target=3)
    files = []
    for name in ("vault.pdf", "auth.txt"):
        path = tmp_path / name
        path.write_bytes(f"evidence {name}".encode())
        files.append(add_evidence(workspace, path).id)
    loaded = svc.load_questions(workspace, info.id)
    for number, (_fw, question) in enumerate(loaded.entries()):
        svc.answer(workspace, info.id, question.id, number % 5, note=f"note {question.id}")
    svc.answer(workspace, info.id, "nhi.NHI2.q1", 4, note="vault", evidence_ids=[files[0]])
    svc.answer(workspace, info.id, "nhi.NHI4.q1", 3, strength="tested", evidence_ids=[files[1]])
    svc.answer(workspace, info.id, "nhi.NHI4.q2", 1, strength="self-declared")
    svc.answer(workspace, info.id, "nhi.NHI6.q2", "na", note="no pipelines")
    svc.update_response(workspace, info.id, "nhi.NHI1.q2", reviewed=True)
    refresh_gap_findings(workspace, info.id)
    create_finding(
        workspace,
        title="Offboarding is manual",
        system="AIS-001",
        assessment_id=info.id,
        question_id="nhi.NHI1.q2",
    )
    return info.id, files


def _responses(workspace, assessment_id):
    return {r.question_id: r for r in svc.list_responses(workspace, assessment_id)}


def test_plan_changes_nothing_and_shows_before_and_after(workspace, answered):
    assessment_id, _files = answered
    before = _responses(workspace, assessment_id)
    plan = plan_upgrade(workspace, assessment_id, "2026-draft", file=DRAFT)
    assert _responses(workspace, assessment_id) == before
    assert plan.kept == 22  # every answered question but the removed one
    assert set(plan.to_review) == {
        "nhi.NHI2.vault",
        "nhi.NHI2.no-code-secrets",
        "nhi.NHI4.auth",
        "nhi.NHI5.q1",
    }
    assert plan.new_questions == ("nhi.NHI11.q1",)
    assert [m.old_id for m in plan.removed] == ["nhi.NHI6.q2"]
    overall = plan.score_rows()[0]
    assert overall.key == "overall"
    assert overall.before == score_assessment(workspace, assessment_id).as_dict()["overall"]


def test_upgrade_keeps_every_mapped_answer_and_flags_the_changed(workspace, answered):
    assessment_id, files = answered
    old = _responses(workspace, assessment_id)
    plan = upgrade_assessment(workspace, assessment_id, "2026-draft", file=DRAFT)
    new = _responses(workspace, assessment_id)

    unchanged = [m.old_id for m in plan.moves if m.change == "unchanged"]
    assert len(unchanged) == 17
    for qid in unchanged:
        kept, was = new[qid], old[qid]
        assert (kept.level, kept.notes, kept.evidence_ids) == (
            was.level,
            was.notes,
            was.evidence_ids,
        )
        assert not kept.flagged
    renamed = new["nhi.NHI1.offboarding"]  # reworded: carried as is, review state kept
    assert (renamed.level, renamed.notes, renamed.reviewed) == (
        old["nhi.NHI1.q2"].level,
        old["nhi.NHI1.q2"].notes,
        True,
    )
    assert not renamed.flagged
    for part in ("nhi.NHI2.vault", "nhi.NHI2.no-code-secrets"):  # split: both halves
        assert (new[part].level, new[part].evidence_ids) == (4, (files[0],))
        assert new[part].flagged
    merged = new["nhi.NHI4.auth"]  # merged: the lower level, every note and file
    assert merged.level == 1
    assert merged.evidence_strength == "self-declared"
    assert merged.evidence_ids == (files[1],)
    assert "[nhi.NHI4.q1]" in merged.notes
    assert "[nhi.NHI4.q2]" in merged.notes
    assert merged.flagged
    assert not merged.reviewed
    assert new["nhi.NHI5.q1"].flagged
    assert new["nhi.NHI5.q1"].level == old["nhi.NHI5.q1"].level
    assert "nhi.NHI6.q2" not in new
    assert "nhi.NHI2.q1" not in new
    assert not new["nhi.NHI11.q1"].answered
    assert len(new) == 23

    info = svc.get_assessment(workspace, assessment_id)
    ref = info.frameworks[0]
    assert (ref.id, ref.version, ref.sha256) == ("owasp-nhi", "2026-draft", DRAFT_SHA)
    assert info.scope["questions"] == {"owasp-nhi": 23}
    after = score_assessment(workspace, assessment_id).as_dict()["overall"]
    assert after == plan.after.as_dict()["overall"]


def test_removed_answers_stay_in_the_journal_and_findings_follow(workspace, answered):
    assessment_id, _files = answered
    upgrade_assessment(workspace, assessment_id, "2026-draft", file=DRAFT)
    with workspace.db.read() as session:
        entry = session.execute(
            sa.select(JournalEntry).where(JournalEntry.action == "assessment.upgrade")
        ).scalar_one()
    kept = {a["question_id"]: a for a in entry.before["answers_kept_in_history"]}
    assert kept["nhi.NHI6.q2"]["justification"] == "no pipelines"
    assert {"nhi.NHI4.q1", "nhi.NHI4.q2", "nhi.NHI2.q1"} <= set(kept)
    assert entry.after["framework"]["version"] == "2026-draft"
    assert entry.after["overall_before"] != entry.after["overall_after"]
    findings = list_findings(workspace, assessment_id=assessment_id)
    manual = next(f for f in findings if f.title == "Offboarding is manual")
    assert manual.question_id == "nhi.NHI1.offboarding"
    gap_questions = {i.key for f in findings if f.source == "theme" for i in f.items}
    assert "nhi.NHI4.auth" in gap_questions  # the merged answer (1) is below target 3
    assert not gap_questions & {"nhi.NHI4.q1", "nhi.NHI4.q2", "nhi.NHI2.q1", "nhi.NHI1.q2"}


def test_the_new_version_is_stored_and_offered_afterwards(workspace, answered):
    assessment_id, _ = answered
    assert available_versions(workspace, "owasp-nhi") == ["2025"]
    upgrade_assessment(workspace, assessment_id, "2026-draft", file=DRAFT)
    assert available_versions(workspace, "owasp-nhi") == ["2025", "2026-draft"]
    with workspace.db.read() as session:
        row = session.execute(
            sa.select(FrameworkVersion).where(FrameworkVersion.version == "2026-draft")
        ).scalar_one()
    assert not row.custom  # a version of a shipped framework, not a custom set
    with pytest.raises(UserError, match="already uses owasp-nhi 2026-draft"):
        upgrade_assessment(workspace, assessment_id, "2026-draft")


def test_refusals(workspace, answered):
    assessment_id, _ = answered
    with pytest.raises(UserError, match="no version '2030'"):
        plan_upgrade(workspace, assessment_id, "2030")
    with pytest.raises(UserError, match="holds version 2026-draft"):
        plan_upgrade(workspace, assessment_id, "2027", file=DRAFT)
    with pytest.raises(UserError, match="does not use nist-ai-rmf"):
        plan_upgrade(workspace, assessment_id, "2026-draft", framework_id="nist-ai-rmf")
    submit_for_review(workspace, assessment_id)
    finalize(workspace, assessment_id, force=True)
    with pytest.raises(UserError, match="final and read-only"):
        upgrade_assessment(workspace, assessment_id, "2026-draft", file=DRAFT)


def test_an_assessment_records_the_version_and_hash_it_used(workspace, answered):
    assessment_id, _ = answered
    ref = svc.get_assessment(workspace, assessment_id).frameworks[0]
    shipped = Path(__file__).parents[2] / "assessments" / "owasp-nhi" / "2025.yaml"
    assert (ref.version, ref.sha256) == ("2025", hashlib.sha256(shipped.read_bytes()).hexdigest())
    with workspace.db.write() as session:
        row = session.get(FrameworkVersion, ref.stored_id)
        row.content = row.content.replace("Improper Offboarding", "Improper offboarding", 1)
    from app.services import assessment_records

    assessment_records._parsed.clear()
    with pytest.raises(UserError, match="does not match its recorded SHA-256"):
        svc.load_questions(workspace, assessment_id)


CUSTOM_V1 = """
schema_version: 1
id: custom-profile
version: "1"
title: Own profile
published: "2026-01"
identifier: "urn:example:own-profile:1"
dimensions: [focus_area]
nodes:
  - {id: F1, kind: function, title: First, children: [{id: F1.A, kind: category, title: Alpha}]}
questions:
  - {id: cp.q1, ref: A-1, title: One, node: F1.A, focus_area: secure, priority: 1,
     prompt: p, evidence: [e]}
  - {id: cp.q2, ref: A-2, title: Two, node: F1.A, focus_area: secure, priority: 1,
     prompt: p, evidence: [e]}
  - {id: cp.q3, ref: A-3, title: Three, node: F1.A, focus_area: defend, priority: 1,
     prompt: p, evidence: [e]}
"""

CUSTOM_V2 = (
    CUSTOM_V1.replace('version: "1"', 'version: "2"')
    .replace('published: "2026-01"', 'published: "2026-06"')
    .replace("urn:example:own-profile:1", "urn:example:own-profile:2")
    .replace("{id: cp.q2, ref: A-2, title: Two, node: F1.A, focus_area: secure, priority: 1,",
             "{id: cp.q2, ref: A-2, title: Two, node: F1.A, focus_area: secure, priority: 3,")
    + """upgrades:
  - from_version: "1"
    changes:
      - {from: cp.q2, to: [cp.q2], change: changed}
"""
)  # fmt: skip


def test_a_custom_set_moves_within_the_assessments_scope(workspace, tmp_path):
    """A target the scope now leaves out (priority High only) drops; its answer is history."""
    from app.services.frameworks import add_custom_framework, catalog_for

    first, second = tmp_path / "v1.yaml", tmp_path / "v2.yaml"
    first.write_text(CUSTOM_V1, encoding="utf-8")
    second.write_text(CUSTOM_V2, encoding="utf-8")
    add_custom_framework(workspace, first)
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-002", name="Bot"))
    info = svc.new_assessment(
        workspace, "AIS-002", ["custom-profile"], focus_areas=["secure"], max_priority=1,
        catalog=catalog_for(workspace),
    )  # fmt: skip
    assert info.questions == 2
    svc.answer(workspace, info.id, "cp.q1", 3)
    svc.answer(workspace, info.id, "cp.q2", 2, note="will drop")
    add_custom_framework(workspace, second)
    assert available_versions(workspace, "custom-profile") == ["1", "2"]

    plan = upgrade_assessment(workspace, info.id, "2")
    dropped = next(m for m in plan.moves if m.old_id == "cp.q2")
    assert dropped.dropped == ("cp.q2",)
    assert dropped.new_ids == ()
    assert plan.in_scope == ("cp.q1",)
    assert set(_responses(workspace, info.id)) == {"cp.q1"}
    with workspace.db.read() as session:
        entry = session.execute(
            sa.select(JournalEntry).where(JournalEntry.action == "assessment.upgrade")
        ).scalar_one()
    assert [a["notes"] for a in entry.before["answers_kept_in_history"]] == ["will drop"]


def test_summary_names_the_journal_only_for_answered_removed_questions(workspace):
    """A removed question nobody answered leaves nothing in the journal; the summary says so."""
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-2", name="Agent"))
    info = svc.new_assessment(workspace, "AIS-2", ["owasp-nhi"], target=3)
    svc.answer(workspace, info.id, "nhi.NHI1.q1", 2)
    plan = plan_upgrade(workspace, info.id, "2026-draft", file=DRAFT)
    assert plan.summary() == (
        "1 answer carried, 0 flagged to review, 1 new question, 1 removed question"
    )
    svc.answer(workspace, info.id, "nhi.NHI6.q2", 3)
    plan = plan_upgrade(workspace, info.id, "2026-draft", file=DRAFT)
    assert plan.summary().endswith(
        "1 removed question (1 answered: the answers stay in the journal)"
    )


def test_check_passes_after_an_upgrade_moved_and_dropped_answers(workspace, answered):
    from app.services.integrity import check_workspace

    assessment_id, _files = answered
    upgrade_assessment(workspace, assessment_id, "2026-draft", file=DRAFT)
    report = check_workspace(workspace)
    assert "rows" not in report.problems, report.problems
