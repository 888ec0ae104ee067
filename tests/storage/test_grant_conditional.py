"""Schema 0005_idsources: a grant can be marked conditional; older workspaces gain the column."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from app.services.workspace import open_workspace, schema_revision
from app.storage import migrate


def _columns(path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[1] for row in conn.execute("PRAGMA table_info(access_grant)")}
    finally:
        conn.close()


def test_upgrade_adds_the_column_and_downgrade_removes_it(tmp_path):
    path = tmp_path / "ws.assay"
    ws = open_workspace(path, actor="tester")
    assert schema_revision(ws) == migrate.HEAD_REVISION
    assert migrate.script_heads() == [migrate.HEAD_REVISION]
    ws.close()
    assert "conditional" in _columns(path)
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0004_registers")
    engine.dispose()
    assert "conditional" not in _columns(path)
    reopened = open_workspace(path, create=False)
    assert schema_revision(reopened) == migrate.HEAD_REVISION
    reopened.close()
    assert "conditional" in _columns(path)
