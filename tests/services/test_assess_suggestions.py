"""Suggested answers from the inventory and from crosswalk-linked answers."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services import evidence as ev
from app.services import suggestions as sg
from app.services.errors import UserError
from app.storage.models import (
    AISystem,
    Delegation,
    Evidence,
    EvidenceBlob,
    Finding,
    Grant,
    Identity,
    JournalEntry,
    Person,
    Resource,
    SystemIdentity,
)

ROTATION = "nhi.NHI7.q1"  # facts: identity.created, last_rotated, expires + hygiene findings
ASI_PRIVILEGE = "asi.ASI03.m4"  # equivalent to nhi.NHI5.q3 in the crosswalk
NHI_PRIVILEGE = "nhi.NHI5.q3"


@pytest.fixture(scope="module")
def catalog():
    return load_default_catalog()


def _seed(ws, *, rotated_everywhere: bool):
    with ws.db.write() as session:
        owner = Person(name="Ann", email="ann@example.org")
        session.add(owner)
        session.flush()
        system = AISystem(
            external_id="AIS-001", name="Agent", autonomy="autonomous", tools=["shell"],
            owner_id=owner.id,
        )  # fmt: skip
        session.add(system)
        store = Resource(external_id="RES-1", name="Ledger", sensitivity="restricted")
        session.add(store)
        session.flush()
        ids = []
        for n in (1, 2):
            rotated = dt.date(2026, 9, 1) if rotated_everywhere or n == 1 else None
            identity = Identity(
                external_id=f"ID-{n}", name=f"key {n}", owner_id=owner.id,
                created=dt.date(2025, 1, 1), last_rotated=rotated, expires=dt.date(2027, 1, 1),
            )  # fmt: skip
            session.add(identity)
            session.flush()
            ids.append(identity.id)
            session.add(SystemIdentity(system_id=system.id, identity_id=identity.id))
            session.add(Grant(identity_id=identity.id, resource_id=store.id, action="write"))
        session.add(Delegation(from_identity_id=ids[0], to_identity_id=ids[1]))
        return system.id, ids


@pytest.fixture
def assessment(workspace, catalog):
    _seed(workspace, rotated_everywhere=False)
    return svc.new_assessment(workspace, "AIS-001", ["owasp-nhi", "owasp-asi"], catalog=catalog).id


def test_inventory_facts_and_suggested_level(workspace, assessment, catalog):
    (offer,) = sg.suggestions_for(workspace, assessment, ROTATION, catalog=catalog)
    assert offer.kind == "inventory"
    facts = {f.name: f for f in offer.facts}
    assert (facts["identity.last_rotated"].recorded, facts["identity.last_rotated"].total) == (1, 2)
    assert facts["identity.last_rotated"].values == ("ID-1: 2026-09-01",)
    assert facts["identity.created"].recorded == 2
    assert offer.level == 2  # 5 of 6 facts recorded
    assert "5 of 6 inventory facts recorded" in offer.reason
    assert offer.findings == ()


def test_open_identity_findings_cap_the_level(workspace, assessment, catalog):
    with workspace.db.write() as session:
        session.add(Finding(source="identity-rule", identity_id=2, severity="critical",
                            title="ID-2 key older than a year"))  # fmt: skip
        session.add(Finding(source="identity-rule", identity_id=1, severity="high",
                            title="resolved long ago", status="resolved"))  # fmt: skip
    (offer,) = sg.suggestions_for(workspace, assessment, ROTATION, catalog=catalog)
    assert offer.findings == ("critical: ID-2 key older than a year",)
    assert offer.level == 1
    assert "critical identity finding" in offer.reason


def test_a_complete_clean_inventory_suggests_three_at_most(workspace, catalog):
    _seed(workspace, rotated_everywhere=True)
    aid = svc.new_assessment(workspace, "AIS-001", ["owasp-nhi"], catalog=catalog).id
    (offer,) = sg.suggestions_for(workspace, aid, ROTATION, catalog=catalog)
    assert offer.level == sg.MAX_INVENTORY_LEVEL == 3


def test_accepting_stores_the_analysis_as_evidence(workspace, assessment, catalog):
    (offer,) = sg.suggestions_for(workspace, assessment, ROTATION, catalog=catalog)
    response = sg.accept_suggestion(workspace, assessment, offer)
    assert (response.level, response.evidence_strength) == (2, "document")
    assert response.notes.startswith("Suggested from the inventory: 5 of 6")
    (evidence_id,) = response.evidence_ids
    record = ev.get_evidence(workspace, evidence_id)
    assert record.file_name == f"inventory-analysis-{ROTATION}.json"
    analysis = json.loads(ev.evidence_bytes(workspace, evidence_id))
    assert analysis["question_id"] == ROTATION
    assert analysis["level"] == 2
    assert analysis["method"] == sg.SUGGESTION_METHOD


def test_crosswalk_offers_the_linked_answer(workspace, assessment, catalog, tmp_path):
    proof = tmp_path / "pentest.pdf"
    proof.write_bytes(b"%PDF tested")
    record = ev.add_evidence(workspace, proof)
    svc.answer(workspace, assessment, ASI_PRIVILEGE, 4, strength="tested", evidence_ids=[record.id])
    offers = sg.suggestions_for(workspace, assessment, NHI_PRIVILEGE, catalog=catalog)
    crosswalk = [o for o in offers if o.kind == "crosswalk"]
    (offer,) = [o for o in crosswalk if o.source_question == ASI_PRIVILEGE]
    assert (offer.level, offer.link_type, offer.source_assessment) == (4, "equivalent", assessment)
    response = sg.accept_suggestion(workspace, assessment, offer)
    assert (response.level, response.evidence_strength) == (4, "tested")
    assert response.evidence_ids == (record.id,)
    assert "Taken from asi.ASI03.m4 (equivalent)" in response.notes


def test_earlier_assessments_of_the_system_count(workspace, assessment, catalog):
    svc.answer(workspace, assessment, ASI_PRIVILEGE, 2)
    svc.submit_for_review(workspace, assessment)
    svc.finalize(workspace, assessment)
    later = svc.new_assessment(workspace, "AIS-001", ["owasp-nhi"], catalog=catalog).id
    offers = sg.suggestions_for(workspace, later, NHI_PRIVILEGE, catalog=catalog)
    (offer,) = [o for o in offers if o.source_question == ASI_PRIVILEGE]
    assert offer.source_assessment == assessment
    assert f"in assessment {assessment}" in offer.reason
    (rotation,) = sg.suggestions_for(workspace, assessment, ROTATION, catalog=catalog)
    with pytest.raises(UserError, match="final and read-only"):
        sg.accept_suggestion(workspace, assessment, rotation)
    assert ev.list_evidence(workspace) == []  # nothing stored for a refused answer


def test_nothing_to_accept(workspace, assessment, catalog):
    empty = sg.Suggestion(ROTATION, "inventory", None, "nothing recorded")
    with pytest.raises(UserError, match="no level to accept"):
        sg.accept_suggestion(workspace, assessment, empty)
    # No inventory facts behind it and no linked answer yet: nothing to suggest.
    assert sg.suggestions_for(workspace, assessment, "nhi.NHI2.q1", catalog=catalog) == []


def test_identity_analysis_results_are_shown_beside_the_facts(workspace, catalog):
    _seed(workspace, rotated_everywhere=True)
    aid = svc.new_assessment(
        workspace, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"], catalog=catalog
    ).id
    (offer,) = sg.suggestions_for(workspace, aid, "ir8596.secure.PR.AA-04", catalog=catalog)
    facts = {f.name: f for f in offer.facts}
    assert facts["analysis.delegation_chain"].values == ("AIS-001: longest delegation chain 1 hop",)
    assert facts["delegation.to_identity"].values == ("ID-1→ID-2: ID-2",)
    assert facts["analysis.delegation_chain"].total == 0  # shown, not counted
    assert offer.level == 3  # the three delegation facts are recorded
    (offer,) = sg.suggestions_for(workspace, aid, "ir8596.secure.ID.RA-05", catalog=catalog)
    (blast,) = offer.facts
    assert blast.values[0].startswith("AIS-001: score ")
    assert blast.values[0].endswith("1 resource reachable")
    assert offer.level is None  # nothing to count: no suggested level


def _count(ws, table) -> int:
    with ws.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


@pytest.mark.sqlite_only
def test_a_failure_while_accepting_keeps_no_analysis_file(workspace, assessment, catalog):
    (offer,) = sg.suggestions_for(workspace, assessment, ROTATION, catalog=catalog)
    conn = sqlite3.connect(workspace.path)
    conn.execute(
        "CREATE TRIGGER refuse_answer BEFORE UPDATE OF level ON response "
        "BEGIN SELECT RAISE(ABORT, 'the disk refused the answer'); END"
    )
    conn.commit()
    conn.close()
    entries = _count(workspace, JournalEntry)
    with pytest.raises(sa.exc.IntegrityError, match="the disk refused the answer"):
        sg.accept_suggestion(workspace, assessment, offer)
    assert (_count(workspace, Evidence), _count(workspace, EvidenceBlob)) == (0, 0)
    assert _count(workspace, JournalEntry) == entries
    assert svc.get_response(workspace, assessment, ROTATION).level is None


def test_undo_takes_back_the_answer_the_links_and_the_analysis_file(
    workspace, assessment, catalog, tmp_path
):
    proof = tmp_path / "rotation-log.csv"
    proof.write_text("key,rotated\nID-1,2026-09-01\n")
    kept = ev.add_evidence(workspace, proof)
    svc.answer(workspace, assessment, ROTATION, 1, note="checked", evidence_ids=[kept.id])
    (offer,) = sg.suggestions_for(workspace, assessment, ROTATION, catalog=catalog)

    accepted = sg.accept(workspace, assessment, offer)
    [analysis] = accepted.created
    assert accepted.linked == (analysis,)
    assert accepted.response.evidence_ids == (kept.id, analysis)

    undone = sg.undo_accept(workspace, accepted)
    assert (undone.level, undone.notes, undone.evidence_ids) == (1, "checked", (kept.id,))
    assert [e.id for e in ev.list_evidence(workspace)] == [kept.id]
    assert _count(workspace, EvidenceBlob) == 1
    assert ev.get_evidence(workspace, kept.id).responses == ((assessment, ROTATION),)


def test_undo_keeps_an_analysis_file_something_else_now_uses(workspace, assessment, catalog):
    (offer,) = sg.suggestions_for(workspace, assessment, ROTATION, catalog=catalog)
    accepted = sg.accept(workspace, assessment, offer)
    [analysis] = accepted.created
    ev.link_to_system(workspace, analysis, "AIS-001")

    undone = sg.undo_accept(workspace, accepted)
    assert (undone.level, undone.evidence_ids) == (None, ())
    assert ev.get_evidence(workspace, analysis).systems == ("AIS-001",)


def test_undoing_a_crosswalk_answer_keeps_the_evidence_linked_before(
    workspace, assessment, catalog, tmp_path
):
    proof = tmp_path / "pentest.pdf"
    proof.write_bytes(b"%PDF tested")
    record = ev.add_evidence(workspace, proof)
    svc.answer(workspace, assessment, ASI_PRIVILEGE, 4, strength="tested", evidence_ids=[record.id])
    offers = sg.suggestions_for(workspace, assessment, NHI_PRIVILEGE, catalog=catalog)
    (offer,) = [o for o in offers if o.source_question == ASI_PRIVILEGE]

    accepted = sg.accept(workspace, assessment, offer)
    assert (accepted.linked, accepted.created) == ((record.id,), ())
    sg.undo_accept(workspace, accepted)

    assert svc.get_response(workspace, assessment, NHI_PRIVILEGE).evidence_ids == ()
    assert svc.get_response(workspace, assessment, ASI_PRIVILEGE).evidence_ids == (record.id,)
    assert ev.get_evidence(workspace, record.id).file_name == "pentest.pdf"
