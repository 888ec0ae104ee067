"""Hand edits of the inventory: add, edit, delete every record kind, journalled, validated."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.services import identity_analysis, inventory_queries
from app.services.errors import UserError
from app.services.inventory_edit import add_record, delete_record, edit_record
from app.services.workspace import open_workspace
from app.storage.journal import verify_chain
from app.storage.models import JournalEntry


def _journal(ws) -> list[tuple[str, str, str]]:
    with ws.db.read() as session:
        rows = session.execute(
            sa.select(JournalEntry.action, JournalEntry.entity, JournalEntry.entity_id).order_by(
                JournalEntry.seq
            )
        ).all()
    return [tuple(r) for r in rows]


def _build(ws) -> None:
    add_record(ws, SYSTEMS, "AIS-1", {"name": "Claims bot", "autonomy": "HITL",
                                      "owner": "Tom Reed <tom.reed@example.com>"})  # fmt: skip
    add_record(ws, IDENTITIES, "svc-claims", {"kind": "service account", "systems": "AIS-1"})
    add_record(ws, IDENTITIES, "role-admin", {"kind": "role"})
    add_record(ws, RESOURCES, "claims-db", {"sensitivity": "restricted"})
    add_record(ws, GRANTS, ("role-admin", "claims-db", "admin", ""), {"approval_required": "no"})
    add_record(ws, DELEGATIONS, ("svc-claims", "role-admin", "assume-role"))


def test_every_record_kind_can_be_added_and_is_journalled(workspace) -> None:
    _build(workspace)
    detail = inventory_queries.get_system(workspace, "AIS-1")
    assert detail.row.autonomy == "human-in-the-loop"  # read as the importer reads it
    assert detail.row.owner == "tom.reed@example.com"
    assert detail.identities == ("svc-claims",)
    analysis = identity_analysis.analyse_system(workspace, "AIS-1")
    assert analysis.blast_radius.known
    assert analysis.blast_radius.score > 0
    assert [a for a, *_ in _journal(workspace)] == ["inventory.add"] * 6
    with workspace.db.read() as session:
        assert verify_chain(session).ok


def test_edit_journals_only_the_changed_fields_and_survives_reopen(tmp_path) -> None:
    path = tmp_path / "edit.assay"
    ws = open_workspace(path, actor="tester")
    _build(ws)
    result = edit_record(ws, SYSTEMS, "AIS-1", {"name": "Claims bot", "exposure": "public"})
    assert result.changed == ("exposure",)
    with ws.db.read() as session:
        entry = session.execute(
            sa.select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)
        ).scalar_one()
        assert (entry.action, entry.entity_id) == ("inventory.edit", "AIS-1")
        assert (entry.before, entry.after) == ({"exposure": None}, {"exposure": "public"})
    assert edit_record(ws, SYSTEMS, "AIS-1", {"exposure": "public"}).changed == ()
    ws.close()
    again = open_workspace(path, actor="tester")
    try:
        assert inventory_queries.get_system(again, "AIS-1").row.exposure == "public"
    finally:
        again.close()


def test_bad_values_are_refused_in_words_and_nothing_is_written(workspace) -> None:
    _build(workspace)
    before = len(_journal(workspace))
    with pytest.raises(UserError, match=r"^Autonomy: .*not a known autonomy"):
        edit_record(workspace, SYSTEMS, "AIS-1", {"autonomy": "sometimes"})
    with pytest.raises(UserError, match="already exists"):
        add_record(workspace, SYSTEMS, "AIS-1")
    with pytest.raises(UserError, match="Resource: no resource 'nowhere'"):
        add_record(workspace, GRANTS, ("svc-claims", "nowhere", "read", ""))
    with pytest.raises(UserError, match="Identities: no identity 'ghost'"):
        edit_record(workspace, SYSTEMS, "AIS-1", {"identities": "svc-claims; ghost"})
    with pytest.raises(UserError, match="give the AI system an id"):
        add_record(workspace, SYSTEMS, "  ")
    assert len(_journal(workspace)) == before
    assert inventory_queries.get_system(workspace, "AIS-1").identities == ("svc-claims",)


def test_deleting_the_only_grant_makes_the_blast_radius_unknown(workspace) -> None:
    _build(workspace)
    delete_record(workspace, GRANTS, ("role-admin", "claims-db", "admin", ""))
    analysis = identity_analysis.analyse_system(workspace, "AIS-1")
    assert analysis.blast_radius.score is None
    assert analysis.risk.provisional
    assert "blast radius" in analysis.risk.missing
    assert any(f.rule_id == "access-not-recorded" for f in analysis.findings)
    delete_record(workspace, DELEGATIONS, ("svc-claims", "role-admin", "assume-role"))
    delete_record(workspace, IDENTITIES, "svc-claims")
    assert inventory_queries.get_system(workspace, "AIS-1").identities == ()
    delete_record(workspace, SYSTEMS, "AIS-1")
    assert [s.ext_id for s in inventory_queries.list_systems(workspace)] == []
    assert _journal(workspace)[-1] == ("inventory.delete", "systems", "AIS-1")
