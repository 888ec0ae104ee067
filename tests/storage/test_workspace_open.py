"""Opening workspaces: new, current, older, newer, damaged and foreign files."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.services.errors import WorkspaceError
from app.services.workspace import open_workspace, quick_check, schema_revision
from app.storage import migrate
from app.storage.db import APPLICATION_ID
from app.storage.models import SQLModel

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "workspaces"


def test_new_workspace_has_every_table_and_is_stamped(tmp_path):
    ws = open_workspace(tmp_path / "new.assay")
    conn = sqlite3.connect(ws.path)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert set(SQLModel.metadata.tables) <= tables
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert schema_revision(ws) == migrate.HEAD_REVISION
    assert quick_check(ws) == "ok"
    ws.close()


def test_foreign_keys_are_enforced(workspace):
    from app.storage.models import SystemIdentity

    def add_dangling_link() -> None:
        with workspace.db.write() as session:
            session.add(SystemIdentity(system_id=999, identity_id=999))

    with pytest.raises(Exception, match="(?i)FOREIGN KEY"):
        add_dangling_link()


def test_revision_list_matches_migration_scripts():
    assert migrate.script_heads() == [migrate.HEAD_REVISION]


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema-*.assay")), ids=lambda p: p.stem)
def test_every_released_schema_opens_and_reaches_head(tmp_path, fixture):
    copy = tmp_path / fixture.name
    shutil.copy(fixture, copy)
    older = not fixture.stem.endswith(migrate.HEAD_REVISION)
    ws = open_workspace(copy, create=False)
    assert schema_revision(ws) == migrate.HEAD_REVISION
    # An older file is backed up before it is migrated; the backup keeps the old schema.
    assert (ws.backup_path is not None) == older
    if older:
        conn = sqlite3.connect(ws.backup_path)
        assert migrate.current_revision(conn) == fixture.stem.removeprefix("schema-")
        conn.close()
    from app.services.overview import workspace_summary

    summary = workspace_summary(ws)
    assert summary.systems >= 1
    assert summary.journal_entries >= 1
    ws.close()


def test_missing_file_is_refused_without_create(tmp_path):
    with pytest.raises(WorkspaceError, match="no workspace"):
        open_workspace(tmp_path / "absent.assay", create=False)


def test_text_file_is_refused_clearly(tmp_path):
    path = tmp_path / "notes.assay"
    path.write_text("these are not the droids")
    with pytest.raises(WorkspaceError, match="not an Assay workspace"):
        open_workspace(path)


def test_foreign_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.assay"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(WorkspaceError, match="not an Assay workspace"):
        open_workspace(path)


def test_newer_schema_is_refused(tmp_path):
    ws = open_workspace(tmp_path / "w.assay")
    ws.close()
    conn = sqlite3.connect(tmp_path / "w.assay")
    conn.execute("UPDATE alembic_version SET version_num='9999'")
    conn.commit()
    conn.close()
    with pytest.raises(WorkspaceError, match="newer version of Assay"):
        open_workspace(tmp_path / "w.assay")


def test_damaged_file_names_the_problem(tmp_path):
    ws = open_workspace(tmp_path / "w.assay")
    with ws.db.write() as session:
        from app.storage.models import Person

        session.add_all(Person(name=f"p{i}", email=f"p{i}@example.org") for i in range(3000))
    ws.close()
    data = bytearray((tmp_path / "w.assay").read_bytes())
    # Overwrite a page in the middle of the file (not the header) with garbage.
    page = 4096
    data[page * 5 : page * 6] = b"\xff" * page
    (tmp_path / "w.assay").write_bytes(bytes(data))
    with pytest.raises(WorkspaceError, match=r"damaged|not an Assay workspace|malformed"):
        open_workspace(tmp_path / "w.assay")


def test_unstamped_workspace_is_backed_up_before_migrating(tmp_path):
    path = tmp_path / "w.assay"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.commit()
    conn.close()
    ws = open_workspace(path)
    assert ws.backup_path is not None
    assert ws.backup_path.exists()
    assert schema_revision(ws) == migrate.HEAD_REVISION
    ws.close()


def test_migrated_fixture_keeps_its_records_and_gains_new_columns(tmp_path):
    copy = tmp_path / "old.assay"
    shutil.copy(FIXTURES / "schema-0001.assay", copy)
    ws = open_workspace(copy, create=False)
    conn = sqlite3.connect(ws.path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(response)")}
    name = conn.execute("SELECT name FROM ai_system WHERE external_id='AIS-001'").fetchone()
    conn.close()
    assert {"reviewed_by", "reviewed_at"} <= columns
    assert name == ("Claims triage agent",)
    from app.storage.journal import verify_chain

    with ws.db.read() as session:
        assert verify_chain(session).ok
    ws.close()


def test_a_late_connection_to_a_deleted_workspace_fails_and_creates_nothing(tmp_path):
    import sqlalchemy as sa
    from sqlalchemy.exc import OperationalError

    ws = open_workspace(tmp_path / "gone.assay", actor="tester")
    ws.close()
    for leftover in tmp_path.glob("gone.assay*"):
        leftover.unlink()
    with (
        pytest.raises(OperationalError, match="unable to open database file"),
        ws.db.read() as session,
    ):
        session.execute(sa.text("SELECT 1"))
    assert not (tmp_path / "gone.assay").exists(), "no empty file left behind"
