"""Schema 0008_voice_review: answer provenance and the review tables, up and back down.

Answers already in a workspace were given by the assessor, so they keep that source with no
verification recorded; downgrading drops the new tables and columns and keeps every answer.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from app.services.workspace import open_workspace, schema_revision
from app.storage import migrate
from app.storage.models import Response

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "workspaces"


def _add_answer(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "INSERT INTO assessment (id, system_id, title, status, frameworks, scope,"
            " risk_factor, target_level, assessor, reviewer, created_at)"
            " SELECT 1, id, 'first', 'draft', '[]', '{}', '', 3, 'a', '', '2026-01-01'"
            " FROM ai_system WHERE external_id = 'AIS-001'"
        )
        conn.execute(
            "INSERT INTO response (assessment_id, question_id, level, not_applicable,"
            " justification, notes, evidence_strength, flagged, reviewed, answered_by)"
            " VALUES (1, 'q.1', 2, 0, '', 'kept', 'document', 0, 0, 'Robin')"
        )
    conn.close()


def test_existing_answers_are_the_assessors_and_a_downgrade_keeps_them(tmp_path):
    copy = tmp_path / "schema-0003.assay"
    shutil.copy(FIXTURES / copy.name, copy)
    _add_answer(copy)
    ws = open_workspace(copy, create=False)
    assert schema_revision(ws) == migrate.HEAD_REVISION
    with ws.db.read() as session:
        row = session.execute(sa.select(Response)).scalar_one()
    assert (row.source, row.verification_method, row.verified_on) == ("assessor", "", None)
    ws.close()

    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    engine = sa.create_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006_orgscope")
    engine.dispose()
    conn = sqlite3.connect(copy)
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    columns = {info[1] for info in conn.execute("PRAGMA table_info(response)")}
    answers = conn.execute("SELECT question_id, level, notes FROM response").fetchall()
    conn.close()
    assert not {"assessment_opinion", "evidence_request", "review_comment"} & tables
    assert "source" not in columns
    assert answers == [("q.1", 2, "kept")]
