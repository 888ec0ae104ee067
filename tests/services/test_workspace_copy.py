"""``assay workspace copy``: every row moves, the journal head stays, a failure writes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from app.services.engagement import update_engagement
from app.services.errors import UserError
from app.services.integrity import check_workspace
from app.services.workspace import open_workspace
from app.services.workspace_copy import copy_workspace
from app.storage import copy as copier
from app.storage.db import Database
from app.storage.repositories.journal import WORKSPACE_ID_KEY
from app.support.progress import Cancelled


@pytest.fixture
def demo_file(demo_build, tmp_path) -> Path:
    """A private copy of the demo workspace (systems, identities, assessments, answers,
    evidence, findings, a final sealed assessment)."""
    result, _ = demo_build
    target = tmp_path / "demo.assay"
    shutil.copyfile(result.workspace_path, target)
    return target


@pytest.fixture
def file_workspace(tmp_path):
    """A fresh workspace file (these tests edit it with SQLite directly)."""
    ws = open_workspace(tmp_path / "other.assay", actor="tester")
    yield ws
    ws.close()


def table_contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows as stored, in key order; the workspace's own id left out."""
    conn = sqlite3.connect(path)
    try:
        found = {}
        for table in copier.tables():
            keys = ", ".join(column.name for column in table.primary_key.columns)
            rows = conn.execute(f"SELECT * FROM {table.name} ORDER BY {keys}").fetchall()
            found[table.name] = [r for r in rows if r[0] != WORKSPACE_ID_KEY]
        return found
    finally:
        conn.close()


def workspace_id_of(path: Path) -> object:
    conn = sqlite3.connect(path)
    try:
        query = "SELECT value FROM workspace_setting WHERE key = ?"
        return conn.execute(query, (WORKSPACE_ID_KEY,)).fetchone()
    finally:
        conn.close()


def test_file_to_file_copy_is_verified_and_identical(demo_file, tmp_path):
    target = tmp_path / "copy.assay"

    result = copy_workspace(str(demo_file), str(target))

    assert result.verified, result.problems
    assert result.source_head == result.destination_head
    assert result.source_head.startswith(f"{result.tables['journal_entry']}:")
    assert result.tables["evidence_blob"] > 0
    assert result.evidence_bytes > 0
    assert result.tables["assessment"] >= 2
    assert result.tables["response"] > 0
    assert table_contents(target) == table_contents(demo_file)
    copied = open_workspace(target, create=False)
    try:
        report = check_workspace(copied)
        assert report.ok, report.problems
        assert report.head == result.source_head
    finally:
        copied.close()


def test_the_copy_keeps_a_workspace_id_of_its_own(demo_file, tmp_path):
    target = tmp_path / "copy.assay"
    copy_workspace(str(demo_file), str(target))

    ids = [workspace_id_of(path) for path in (demo_file, target)]
    assert None not in ids
    assert ids[0] != ids[1]


def test_a_refused_row_leaves_the_destination_as_it_was(demo_file, tmp_path):
    target = tmp_path / "empty.assay"
    open_workspace(target).close()
    conn = sqlite3.connect(target)
    conn.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON finding BEGIN SELECT RAISE(ABORT, 'no'); END"
    )
    conn.close()

    with pytest.raises(UserError, match="failed and was undone: the database refused a row"):
        copy_workspace(str(demo_file), str(target))

    assert target.exists()
    assert not any(copier.count_rows(Database(target)).values())


def test_a_cancelled_copy_removes_the_file_it_created(demo_file, tmp_path):
    class StopAtOnce:
        cancelled = False

        def report(self, fraction: float, message: str = "") -> None:
            if "journal_entry" in message:
                self.cancelled = True

    target = tmp_path / "new.assay"
    with pytest.raises(Cancelled):
        copy_workspace(str(demo_file), str(target), progress=StopAtOnce())

    assert list(tmp_path.glob("new.assay*")) == []


def test_a_destination_with_data_is_refused_unless_replaced(demo_file, file_workspace):
    update_engagement(file_workspace, client="Another client")
    file_workspace.close()
    before = table_contents(file_workspace.path)

    with pytest.raises(UserError, match="already holds a workspace with data.*--replace"):
        copy_workspace(str(demo_file), str(file_workspace.path))
    assert table_contents(file_workspace.path) == before

    result = copy_workspace(str(demo_file), str(file_workspace.path), replace=True)
    assert result.verified, result.problems
    assert table_contents(file_workspace.path) == table_contents(demo_file)


@pytest.mark.parametrize("same", ["demo.assay", "./demo.assay", "../{dir}/demo.assay"])
def test_copying_a_workspace_onto_itself_is_refused(demo_file, same, monkeypatch):
    monkeypatch.chdir(demo_file.parent)
    with pytest.raises(UserError, match="are the same workspace"):
        copy_workspace(str(demo_file), same.format(dir=demo_file.parent.name))


def test_a_missing_source_is_refused(tmp_path):
    with pytest.raises(UserError, match="no workspace at"):
        copy_workspace(str(tmp_path / "missing.assay"), str(tmp_path / "copy.assay"))
    assert not (tmp_path / "copy.assay").exists()


def test_a_source_with_a_newer_schema_is_refused(file_workspace, tmp_path):
    file_workspace.close()
    conn = sqlite3.connect(file_workspace.path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()

    with pytest.raises(UserError, match="newer version of Assay"):
        copy_workspace(str(file_workspace.path), str(tmp_path / "copy.assay"))
    assert not (tmp_path / "copy.assay").exists()


def test_the_copier_refuses_schemas_that_differ(file_workspace, tmp_path):
    other = open_workspace(tmp_path / "second.assay")
    other.close()
    conn = sqlite3.connect(other.path)
    conn.execute("UPDATE alembic_version SET version_num = '0008_voice_review'")
    conn.commit()
    conn.close()

    with pytest.raises(copier.CopyError, match="schema 0009"):
        copier.copy_database(file_workspace.db, Database(other.path))


def test_the_same_server_database_under_two_logins_is_refused():
    with pytest.raises(UserError, match="are the same workspace"):
        copy_workspace("postgresql://lead@DB.example:5432/acme", "postgres://alice@db.example/acme")


def test_replace_is_refused_for_a_server(demo_file):
    with pytest.raises(UserError, match="--replace is for files"):
        copy_workspace(str(demo_file), "postgresql://lead@db.example/acme", replace=True)
