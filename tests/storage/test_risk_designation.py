"""Schema 0004_registers: AI systems keep the client's risk designation; older files gain ''."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.services.assessments import system_risk_of
from app.services.workspace import open_workspace, schema_revision
from app.storage import migrate
from app.storage.models import AISystem

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "workspaces"


@pytest.mark.parametrize("revision", ["0001", "0002", "0003"])
def test_older_workspace_systems_gain_an_empty_designation(tmp_path, revision):
    copy = tmp_path / f"schema-{revision}.assay"
    shutil.copy(FIXTURES / copy.name, copy)
    conn = sqlite3.connect(copy)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(ai_system)")}
    conn.close()
    assert "risk_designation" not in columns
    ws = open_workspace(copy, create=False)
    try:
        assert schema_revision(ws) == migrate.HEAD_REVISION
        with ws.db.read() as session:
            systems = session.execute(sa.select(AISystem)).scalars().all()
        assert systems
        assert {s.risk_designation for s in systems} == {""}
        first = systems[0]
        with ws.db.write() as session:
            session.get(AISystem, first.id).risk_designation = "Tier 1"
        risk = system_risk_of(ws, first.external_id)
        assert risk.factor in {f.text for f in risk.factors}
        assert "client designation: Tier 1" in {f.text for f in risk.factors}
    finally:
        ws.close()
