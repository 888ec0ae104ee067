"""A large import into a real workspace: rows sent in batches, indexes as they were after it."""

from __future__ import annotations

import json
import sqlite3

import pytest
import sqlalchemy as sa

from app.services.inventory_import import apply_plan, latest_runs, plan_import
from app.storage.models import Grant, Identity, ImportRun, Resource
from app.storage.repositories import inventory_bulk
from tests.services.test_inventory_import import write_xlsx

ROWS = 12_500  # more than two batches of the bulk writer
COPY_FIRST_IDENTITY = (
    "INSERT INTO identity (external_id, name, provider, revocation_procedure, attributes, "
    "created_at, updated_at) SELECT external_id, name, provider, revocation_procedure, "
    "attributes, created_at, updated_at FROM identity LIMIT 1"
)


def _register(path, rows: int, *, scope: str = "all") -> None:
    write_xlsx(path, {
        "Identities": [["Identity", "Name"], *([f"svc-{i:04}", f"Agent {i}"] for i in range(997))],
        "Resources": [["Resource", "Name"], *([f"res-{i:02}", f"Store {i}"] for i in range(13))],
        "Grants": [["Identity", "Resource", "Action", "Scope"],
                   *([f"svc-{i % 997:04}", f"res-{i % 13:02}", "read", f"{scope}-{i}"]
                     for i in range(rows))],
    })  # fmt: skip


def _indexes(path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    finally:
        conn.close()


def test_a_large_import_keeps_every_row_and_index(workspace, tmp_path):
    is_file = workspace.db.engine.dialect.name == "sqlite"
    before = _indexes(workspace.path) if is_file else []
    register = tmp_path / "grants.xlsx"
    _register(register, ROWS)
    plan = plan_import(workspace, register)
    assert not plan.has_errors
    result = apply_plan(workspace, plan)
    assert result.counts["grants"]["created"] == ROWS
    with workspace.db.read() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Grant)) == ROWS
        assert session.scalar(sa.select(sa.func.count()).select_from(Identity)) == 997
        assert session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 13
        gids = session.scalars(sa.select(Grant.gid)).all()
        snapshot = session.scalars(sa.select(ImportRun.snapshot)).one()
    assert len(set(gids)) == ROWS
    assert len(snapshot["grants"]["rows"]) == ROWS
    assert snapshot["grants"]["rows"][0][4:] == [None, None, None, None]
    if is_file:
        assert _indexes(workspace.path) == before
        conn = sqlite3.connect(workspace.path)
        try:
            with pytest.raises(sqlite3.IntegrityError):  # the unique index is built again
                conn.execute(COPY_FIRST_IDENTITY)
        finally:
            conn.close()
    # Into tables that already hold rows: the indexes are left alone.
    _register(register, ROWS, scope="more")
    again = apply_plan(workspace, plan_import(workspace, register))
    assert again.counts["grants"]["created"] == ROWS
    assert again.counts["grants"]["unchanged"] == 0
    assert len(latest_runs(workspace)) == 2
    if is_file:
        assert _indexes(workspace.path) == before


def test_the_snapshot_is_stored_as_the_text_json_dumps_writes(workspace, tmp_path, monkeypatch):
    if workspace.db.engine.dialect.name != "sqlite":
        pytest.skip("a server stores the snapshot as data")
    monkeypatch.setattr(inventory_bulk, "_SNAPSHOT_BATCH", 4)  # rows cut across batches
    register = tmp_path / "grants.xlsx"
    write_xlsx(register, {
        "Systems": [["System ID", "Name", "Owner"], ["AIS-1", "Zoë's helper ✓", "Ana Núñez"]],
        "Identities": [["Identity", "Name"], *([f"svc-{i}", f"Agent {i}"] for i in range(7))],
        "Resources": [["Resource", "Name"], *([f"res-{i}", f"Store {i}"] for i in range(3))],
        "Grants": [["Identity", "Resource", "Action", "Scope"],
                   *([f"svc-{i % 7}", f"res-{i % 3}", "read", f"s-{i}"] for i in range(30))],
    })  # fmt: skip
    apply_plan(workspace, plan_import(workspace, register))
    conn = sqlite3.connect(workspace.path)
    try:
        stored, kind = conn.execute("SELECT snapshot, typeof(snapshot) FROM import_run").fetchone()
    finally:
        conn.close()
    with workspace.db.read() as session:
        data = session.scalars(sa.select(ImportRun.snapshot)).one()
    assert kind == "text"
    assert stored == json.dumps(data)
    assert data["systems"]["rows"][0][1] == "Zoë's helper ✓"
    assert len(data["grants"]["rows"]) == 30
