"""Findings by hand and from identity rules, and the quality gate (themes: test_finding_themes)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services import findings as fs
from app.services.errors import UserError
from app.services.quality_gate import run_quality_gate
from app.storage.models import AISystem, Finding, Identity, JournalEntry, Person, SystemIdentity

HIGH = "ir8596.secure.PR.AA-05"  # High priority in Secure
FOUNDATIONAL = "ir8596.secure.GV.OC-01"  # Foundational in Secure
MODERATE = "ir8596.secure.GV.RM-02"  # Moderate in Secure


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


@pytest.fixture
def assessment(workspace, catalog):
    with workspace.db.write() as session:
        owner = Person(name="Ann", email="ann@example.org")
        session.add(owner)
        session.flush()
        system = AISystem(external_id="AIS-001", name="Agent", owner_id=owner.id)
        session.add(system)
        session.flush()
        for ext, owner_id in (("ID-1", owner.id), ("ID-2", None)):
            identity = Identity(external_id=ext, name=ext, owner_id=owner_id)
            session.add(identity)
            session.flush()
            session.add(SystemIdentity(system_id=system.id, identity_id=identity.id))
    return svc.new_assessment(
        workspace, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"], catalog=catalog
    ).id


def test_manual_findings(workspace, assessment):
    made = fs.create_finding(
        workspace,
        title="Shared admin key",
        severity="high",
        detail="One key for three agents",
        recommendation="Issue one key per agent",
        assessment_id=assessment,
        references=["PR.AA-05", "NHI5"],
        owner="Ann",
        due_date=dt.date(2027, 1, 15),
    )
    assert (made.source, made.system, made.severity) == ("manual", "AIS-001", "high")
    accepted = {"acceptance_justification": "Vendor fix due", "accepted_by": "CISO"}
    changed = fs.update_finding(
        workspace, made.id, status="accepted", recommendation="Later", **accepted
    )
    assert (changed.status, changed.recommendation) == ("accepted", "Later")
    assert changed.updated_at >= made.updated_at
    for bad, message in (
        ({"severity": "huge"}, "severity must be one of"),
        ({"status": "gone"}, "status must be one of"),
        ({"title": " "}, "needs a title"),
        ({"due_date": "soon"}, "due date must be a date"),
        ({"source": "gap"}, "unknown finding field"),
    ):
        with pytest.raises(UserError, match=message):
            fs.update_finding(workspace, made.id, **bad)
    assert fs.list_findings(workspace, system="AIS-001", status="accepted") == [
        fs.get_finding(workspace, made.id)
    ]
    fs.delete_finding(workspace, made.id)
    with pytest.raises(UserError, match="no finding"):
        fs.get_finding(workspace, made.id)


def test_rule_findings_share_the_table_but_are_not_deleted_by_hand(workspace, assessment):
    with workspace.db.write() as session:
        session.add(
            Finding(source="identity-rule", rule_id="no-owner", system_id=1, identity_id=2,
                    severity="high", title="ID-2 has no owner")
        )  # fmt: skip
    (rule,) = fs.list_findings(workspace, source="identity-rule")
    assert rule.identity == "ID-2"
    with pytest.raises(UserError, match="comes from a identity-rule"):
        fs.delete_finding(workspace, rule.id)
    assert fs.update_finding(workspace, rule.id, owner="Ann").owner == "Ann"


@pytest.mark.sqlite_only
def test_quality_gate_errors_and_warnings(workspace, assessment):
    assert len(run_quality_gate(workspace, assessment).errors) == 23  # every High unanswered
    svc.answer(workspace, assessment, HIGH, 4)  # level ≥ 3 without evidence: a warning
    svc.update_response(workspace, assessment, MODERATE, flagged=True)
    svc.answer(workspace, assessment, FOUNDATIONAL, "na", note="placeholder")
    conn = sqlite3.connect(workspace.path)  # an N/A without reason, as an import could leave it
    conn.execute("UPDATE response SET justification = '' WHERE question_id = ?", (FOUNDATIONAL,))
    conn.commit()
    conn.close()
    report = run_quality_gate(workspace, assessment)
    codes = [i.code for i in report.errors]
    assert codes.count("unanswered-high") == 22
    assert "na-without-reason" in codes
    assert HIGH not in {i.question_id for i in report.errors}
    warnings = {i.code: i for i in report.warnings}
    assert warnings["level-without-evidence"].question_id == HIGH
    assert warnings["flagged-not-reviewed"].question_id == MODERATE
    assert (
        warnings["identity-without-owner"].message
        == "identity ID-2 used by the system has no owner"
    )
    assert warnings["unanswered"].message == "82 other questions are unanswered"
    assert "system-without-owner" not in warnings
    assert not report.ok
    data = report.as_dict()
    assert data["ok"] is False
    assert data["errors"][0]["severity"] == "error"


def test_gate_passes_when_high_questions_are_answered(workspace, assessment):
    loaded = svc.load_questions(workspace, assessment)
    for _, question in loaded.entries():
        if question.priority == 1:
            svc.answer(workspace, assessment, question.id, 2)
    with workspace.db.write() as session:
        session.execute(sa.update(AISystem).values(owner_id=None))
    report = run_quality_gate(workspace, assessment)
    assert report.ok
    assert report.can_sign
    assert "system-without-owner" in {i.code for i in report.warnings}


def _journal(workspace, action):
    with workspace.db.read() as session:
        return (
            session.execute(
                sa.select(JournalEntry)
                .where(JournalEntry.action == action)
                .order_by(JournalEntry.seq)
            )
            .scalars()
            .all()
        )


def test_a_finding_made_by_hand_is_journaled_and_belongs_to_its_assessments_system(
    workspace, assessment
):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-002", name="Other"))
    with pytest.raises(UserError, match=f"assessment {assessment} is not about AI system"):
        fs.create_finding(workspace, title="Wrong system", assessment_id=assessment,
                          system="AIS-002")  # fmt: skip
    with pytest.raises(UserError, match="no AI system 'AIS-404'"):
        fs.create_finding(workspace, title="Unknown system", system="AIS-404")
    assert fs.list_findings(workspace) == []
    made = fs.create_finding(workspace, title="Logs kept forever", assessment_id=assessment,
                             system="AIS-001")  # fmt: skip
    assert (made.system, made.assessment_id) == ("AIS-001", assessment)
    [entry] = _journal(workspace, "finding.create")
    assert (entry.entity, entry.entity_id) == ("finding", str(made.id))
    assert entry.after["title"] == "Logs kept forever"


def test_deleting_a_finding_made_by_hand(workspace, assessment, tmp_path):
    from app.services import assessment_lifecycle
    from app.services import evidence as ev

    proof = tmp_path / "screenshot.png"
    proof.write_bytes(b"\x89PNG proof")
    made = fs.create_finding(workspace, title="Shared admin key", assessment_id=assessment)
    evidence = ev.add_evidence(workspace, proof)
    ev.link_to_finding(workspace, evidence.id, made.id)
    fs.delete_finding(workspace, made.id)
    assert fs.list_findings(workspace) == []
    assert ev.get_evidence(workspace, evidence.id).findings == ()  # the file stays, unlinked
    [entry] = _journal(workspace, "finding.delete")
    assert (entry.entity_id, entry.after) == (str(made.id), None)
    assert entry.before["title"] == "Shared admin key"
    with pytest.raises(UserError, match=f"no finding {made.id}"):
        fs.delete_finding(workspace, made.id)

    kept = fs.create_finding(workspace, title="Reported, then frozen", assessment_id=assessment)
    assessment_lifecycle.submit_for_review(workspace, assessment)
    fs.delete_finding(  # still open to change while in review
        workspace, fs.create_finding(workspace, title="x", assessment_id=assessment).id
    )
    assessment_lifecycle.finalize(workspace, assessment, force=True)
    with pytest.raises(UserError, match="final"):
        fs.delete_finding(workspace, kept.id)
    assert [f.id for f in fs.list_findings(workspace, source="manual")] == [kept.id]


@pytest.mark.sqlite_only
def test_the_gate_names_an_opaque_identity_by_its_name(workspace, assessment):
    opaque = "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60"
    conn = sqlite3.connect(workspace.path)
    conn.execute("UPDATE identity SET external_id = ?, name = 'claims-bot' WHERE id = 2", (opaque,))
    conn.commit()
    conn.close()
    warnings = {i.code: i for i in run_quality_gate(workspace, assessment).warnings}
    assert warnings["identity-without-owner"].message == (
        f"identity claims-bot ({opaque}) used by the system has no owner"
    )
