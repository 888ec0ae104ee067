"""Schema 0003: delegations keep custom attributes; older workspaces gain an empty set."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services.workspace import open_workspace, schema_revision
from app.storage import migrate
from app.storage.models import Delegation, Identity

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "workspaces"


def _add_raw_delegation(path: Path) -> None:
    """Add a second identity and a delegation with plain SQL, in the file's own schema."""
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO identity (external_id, name, provider, revocation_procedure, attributes,"
            " created_at, updated_at) VALUES ('role-old', 'old role', '', '', '{}',"
            " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        conn.execute(
            "INSERT INTO delegation (from_identity_id, to_identity_id, kind) SELECT f.id, t.id,"
            " 'assume-role' FROM identity f, identity t"
            " WHERE f.external_id = 'svc-claims' AND t.external_id = 'role-old'"
        )
    conn.close()


@pytest.mark.parametrize("revision", ["0001", "0002"])
def test_older_workspace_delegation_reads_back_with_no_attributes(tmp_path, revision):
    copy = tmp_path / f"schema-{revision}.assay"
    shutil.copy(FIXTURES / copy.name, copy)
    conn = sqlite3.connect(copy)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(delegation)")}
    conn.close()
    assert "attributes" not in columns
    _add_raw_delegation(copy)
    ws = open_workspace(copy, create=False)
    assert schema_revision(ws) == migrate.HEAD_REVISION
    with ws.db.read() as session:
        delegation = session.execute(sa.select(Delegation)).scalar_one()
        target = session.get(Identity, delegation.to_identity_id)
    assert (target.external_id, delegation.kind) == ("role-old", "assume-role")
    assert delegation.attributes == {}
    # The migrated column behaves like a new one: attributes can be written and read back.
    with ws.db.write() as session:
        session.get(Delegation, delegation.id).attributes = {"Change ticket": "CHG-7"}
    with ws.db.read() as session:
        assert session.get(Delegation, delegation.id).attributes == {"Change ticket": "CHG-7"}
    ws.close()


def test_fixture_at_0003_keeps_its_delegation_attributes(tmp_path):
    copy = tmp_path / "schema-0003.assay"
    shutil.copy(FIXTURES / copy.name, copy)
    ws = open_workspace(copy, create=False)
    with ws.db.read() as session:
        delegation = session.execute(sa.select(Delegation)).scalar_one()
    assert delegation.attributes == {"Change ticket": "CHG-1042"}
    ws.close()


def test_new_delegation_without_attributes_stores_an_empty_object(workspace):
    with workspace.db.write() as session:
        source = Identity(external_id="svc-a", name="a")
        target = Identity(external_id="role-b", name="b")
        session.add_all([source, target])
        session.flush()
        session.add(Delegation(from_identity_id=source.id, to_identity_id=target.id))
    with workspace.db.read() as session:
        stored = session.execute(sa.text("SELECT CAST(attributes AS TEXT) FROM delegation"))
        assert stored.scalar_one() == "{}"
