"""Evidence files: content-addressed storage, de-duplication, size limit, links, export, hashes."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest
import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.services import assessments as svc
from app.services import evidence as ev
from app.services.errors import UserError
from app.services.findings import create_finding
from app.services.integrity import check_workspace
from app.services.quality_gate import run_quality_gate
from app.services.settings import set_workspace_setting
from app.storage.models import AISystem, Evidence, EvidenceBlob, JournalEntry
from tests.pg_cluster import raw_sql

Q1, Q2 = "nhi.NHI1.q1", "nhi.NHI7.q1"


@pytest.fixture
def assessment(workspace):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent", autonomy="autonomous"))
    catalog = load_default_catalog()
    return svc.new_assessment(workspace, "AIS-001", ["owasp-nhi"], catalog=catalog).id


@pytest.fixture
def policy(tmp_path):
    path = tmp_path / "rotation-policy.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return path


def _count(ws, table):
    with ws.db.read() as session:
        return session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_file_is_stored_by_its_sha256(workspace, policy):
    info = ev.add_evidence(workspace, policy, description="Key rotation policy v3")
    data = policy.read_bytes()
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert (info.file_name, info.size, info.media_type) == (
        "rotation-policy.pdf", len(data), "application/pdf",
    )  # fmt: skip
    assert info.collected_by == "tester"
    assert info.collected_at.tzinfo is not None
    assert ev.evidence_bytes(workspace, info.id) == data
    with workspace.db.read() as session:
        blob = session.get(EvidenceBlob, info.sha256)
        assert blob.data == data
        entry = session.execute(
            sa.select(JournalEntry).where(JournalEntry.action == "evidence.add")
        ).scalar_one()
    assert entry.after["sha256"] == info.sha256


def test_same_bytes_are_stored_once(workspace, policy, tmp_path):
    first = ev.add_evidence(workspace, policy)
    again = ev.add_evidence(workspace, policy)
    assert again.id == first.id
    assert again.reused
    copy = tmp_path / "copy-of-policy.pdf"
    copy.write_bytes(policy.read_bytes())
    renamed = ev.add_evidence(workspace, copy)
    assert renamed.id != first.id
    assert renamed.sha256 == first.sha256
    assert _count(workspace, Evidence) == 2
    assert _count(workspace, EvidenceBlob) == 1


def test_files_above_the_limit_are_refused_clearly(workspace, tmp_path):
    set_workspace_setting(workspace, "evidence.max_file_mb", 1)
    big = tmp_path / "capture.pcap"
    big.write_bytes(b"\0" * (1024 * 1024 + 1))
    with pytest.raises(ev.EvidenceTooLargeError, match=r"capture.pcap is 1.0 MB; .* at most 1 MB"):
        ev.add_evidence(workspace, big)
    assert _count(workspace, EvidenceBlob) == 0
    exact = tmp_path / "exact.bin"
    exact.write_bytes(b"\0" * (1024 * 1024))
    assert ev.add_evidence(workspace, exact).size == 1024 * 1024


def test_missing_file(workspace, tmp_path):
    with pytest.raises(UserError, match="cannot read .*nope.txt"):
        ev.add_evidence(workspace, tmp_path / "nope.txt")
    with pytest.raises(UserError, match="is not a file"):
        ev.add_evidence(workspace, tmp_path)


def test_one_file_backs_many_answers_and_findings(workspace, assessment, policy):
    info = ev.add_evidence(workspace, policy)
    svc.answer(workspace, assessment, Q1, 3, evidence_ids=[info.id])
    ev.link_to_response(workspace, info.id, assessment, Q2)
    ev.link_to_response(workspace, info.id, assessment, Q2)  # twice is harmless
    finding = create_finding(workspace, title="Keys never rotated", assessment_id=assessment)
    ev.link_to_finding(workspace, info.id, finding.id)
    ev.link_to_system(workspace, info.id, "AIS-001")
    linked = ev.get_evidence(workspace, info.id)
    assert linked.responses == ((assessment, Q1), (assessment, Q2))
    assert linked.findings == (finding.id,)
    assert linked.systems == ("AIS-001",)
    assert [e.id for e in ev.list_evidence(workspace, assessment_id=assessment)] == [info.id]
    assert svc.get_response(workspace, assessment, Q2).evidence_ids == (info.id,)
    unlinked = ev.link_to_response(workspace, info.id, assessment, Q2, remove=True)
    assert unlinked.responses == ((assessment, Q1),)
    with pytest.raises(UserError, match="no evidence 99"):
        ev.link_to_response(workspace, 99, assessment, Q1)
    with pytest.raises(UserError, match="no finding 99"):
        ev.link_to_finding(workspace, info.id, 99)


def test_export_to_a_folder_or_a_file(workspace, policy, tmp_path):
    info = ev.add_evidence(workspace, policy)
    out = tmp_path / "out"
    out.mkdir()
    written = ev.export_evidence(workspace, info.id, out)
    assert written == out / "rotation-policy.pdf"
    assert written.read_bytes() == policy.read_bytes()
    with pytest.raises(UserError, match="already exists"):
        ev.export_evidence(workspace, info.id, out)
    other = ev.export_evidence(workspace, info.id, out / "renamed.pdf")
    assert other.read_bytes() == policy.read_bytes()
    assert ev.export_evidence(workspace, info.id, other, overwrite=True) == other


def test_changed_bytes_are_detected(workspace, assessment, policy):
    info = ev.add_evidence(workspace, policy)
    svc.answer(workspace, assessment, Q1, 3, evidence_ids=[info.id])
    assert ev.verify_evidence_hashes(workspace) == []
    raw_sql(
        workspace,
        "UPDATE evidence_blob SET data = :data WHERE sha256 = :sha",
        data=b"tampered",
        sha=info.sha256,
    )
    (problem,) = ev.verify_evidence_hashes(workspace)
    assert "rotation-policy.pdf (#1)" in problem
    assert info.sha256[:12] in problem
    with pytest.raises(UserError, match="no longer matches its hash"):
        ev.evidence_bytes(workspace, info.id)
    gate = run_quality_gate(workspace, assessment)
    assert [issue.code for issue in gate.errors] == ["evidence-hash"]
    assert not gate.can_sign
    assert not check_workspace(workspace).ok


def test_delete_drops_the_blob_with_its_last_record(workspace, policy, tmp_path):
    first = ev.add_evidence(workspace, policy)
    copy = tmp_path / "second-name.pdf"
    copy.write_bytes(policy.read_bytes())
    second = ev.add_evidence(workspace, copy)
    ev.delete_evidence(workspace, first.id)
    assert _count(workspace, EvidenceBlob) == 1
    ev.delete_evidence(workspace, second.id)
    assert _count(workspace, EvidenceBlob) == 0
    with pytest.raises(UserError, match="no evidence"):
        ev.get_evidence(workspace, first.id)


def test_evidence_of_a_final_assessment_is_kept(workspace, assessment, policy):
    info = ev.add_evidence(workspace, policy)
    svc.answer(workspace, assessment, Q1, 3, evidence_ids=[info.id])
    svc.submit_for_review(workspace, assessment)
    svc.finalize(workspace, assessment)
    with pytest.raises(UserError, match="backs final assessment"):
        ev.delete_evidence(workspace, info.id)


def _drop(tmp_path, names):
    paths = []
    for number, name in enumerate(names):
        path = tmp_path / name
        path.write_bytes(f"evidence file {number}: {name}".encode())
        paths.append(path)
    return paths


def _nothing_stored(ws, entries_before):
    assert (_count(ws, Evidence), _count(ws, EvidenceBlob)) == (0, 0)
    assert _count(ws, JournalEntry) == entries_before


def test_several_files_are_stored_and_linked_in_one_transaction(workspace, assessment, tmp_path):
    paths = _drop(tmp_path, ["a.txt", "b.pdf", "c.csv"])
    stored = ev.add_evidence_files(workspace, paths, response=(assessment, Q1))
    assert [info.file_name for info in stored] == ["a.txt", "b.pdf", "c.csv"]
    assert all(info.responses == ((assessment, Q1),) for info in stored)
    assert svc.get_response(workspace, assessment, Q1).evidence_ids == tuple(i.id for i in stored)
    again = ev.add_evidence_files(workspace, paths[:1], response=(assessment, Q2))
    assert (again[0].id, again[0].reused) == (stored[0].id, True)
    assert again[0].responses == ((assessment, Q1), (assessment, Q2))


def test_a_vanished_file_stores_none_of_the_drop(workspace, assessment, tmp_path):
    paths = _drop(tmp_path, ["a.txt", "b.pdf", "c.csv"])
    paths[2].unlink()  # moved away between the drop and the store
    entries = _count(workspace, JournalEntry)
    with pytest.raises(UserError, match="c.csv"):
        ev.add_evidence_files(workspace, paths, response=(assessment, Q1))
    _nothing_stored(workspace, entries)
    assert svc.get_response(workspace, assessment, Q1).evidence_ids == ()


@pytest.mark.sqlite_only
def test_a_failure_while_storing_leaves_no_stored_bytes_behind(workspace, assessment, tmp_path):
    paths = _drop(tmp_path, ["a.txt", "b.pdf", "c.csv"])
    conn = sqlite3.connect(workspace.path)
    conn.execute(
        "CREATE TRIGGER refuse_link BEFORE INSERT ON response_evidence "
        "WHEN (SELECT file_name FROM evidence WHERE id = NEW.evidence_id) = 'c.csv' "
        "BEGIN SELECT RAISE(ABORT, 'the disk refused the link'); END"
    )
    conn.commit()
    conn.close()
    entries = _count(workspace, JournalEntry)
    with pytest.raises(sa.exc.IntegrityError, match="the disk refused the link"):
        ev.add_evidence_files(workspace, paths, response=(assessment, Q1))
    _nothing_stored(workspace, entries)
    assert check_workspace(workspace).journal.ok


def test_dropping_files_on_a_final_assessment_stores_nothing(workspace, assessment, tmp_path):
    svc.submit_for_review(workspace, assessment)
    svc.finalize(workspace, assessment, force=True)
    entries = _count(workspace, JournalEntry)
    with pytest.raises(UserError, match="final"):
        ev.add_evidence_files(workspace, _drop(tmp_path, ["a.txt"]), response=(assessment, Q1))
    _nothing_stored(workspace, entries)
