"""Schema 0009_global_ids: every record that can travel gets a global id of its own.

Rows already in an older workspace get distinct ids from the migration; rows added later get
theirs from the column's default, whether inserted one by one or in bulk; a downgrade removes
the column and keeps the rows.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from app.services.workspace import open_workspace
from app.storage import migrate

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "workspaces"


def _gids(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    rows = [gid for (gid,) in conn.execute(f"SELECT gid FROM {table}")]  # noqa: S608
    conn.close()
    return rows


def test_existing_and_new_rows_get_distinct_uuids_and_a_downgrade_drops_them(tmp_path):
    copy = tmp_path / "schema-0003.assay"
    shutil.copy(FIXTURES / copy.name, copy)
    ws = open_workspace(copy, create=False)
    ws.close()
    conn = sqlite3.connect(copy)
    with conn:  # rows inserted by plain SQL, without naming the column, get one too
        conn.executemany(
            "INSERT INTO resource (external_id, name, kind, attributes) VALUES (?, ?, '', '{}')",
            [("R-new-1", "one"), ("R-new-2", "two")],
        )
    conn.close()
    for table in ("ai_system", "identity", "resource"):
        gids = _gids(copy, table)
        assert gids, table
        assert len(set(gids)) == len(gids)
        assert all(uuid.UUID(gid).version == 4 for gid in gids)

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    engine = sa.create_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008_voice_review")
    engine.dispose()
    conn = sqlite3.connect(copy)
    columns = {info[1] for info in conn.execute("PRAGMA table_info(ai_system)")}
    names = {name for (name,) in conn.execute("SELECT name FROM resource")}
    conn.close()
    assert "gid" not in columns
    assert {"one", "two"} <= names
