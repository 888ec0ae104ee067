"""Schema 0006_orgscope: organisation assessments and answer origins, without losing any row.

The migration recreates the assessment table (its system becomes optional); responses, their
evidence links and re-assessment chains point at it and must all survive.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from app.services.workspace import open_workspace, schema_revision
from app.storage import migrate
from app.storage.models import Assessment, Response, ResponseEvidence

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "workspaces"
NOW = "'2026-01-01 00:00:00'"


def _add_assessments(path: Path) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for number, previous in ((1, "NULL"), (2, "1")):
            conn.execute(
                "INSERT INTO assessment (id, system_id, title, status, frameworks, scope,"
                " risk_factor, target_level, assessor, reviewer, previous_id, created_at)"
                f" SELECT {number}, id, 'round {number}', 'draft', '[]', '{{}}', '', 3, 'a', '',"
                f" {previous}, {NOW} FROM ai_system WHERE external_id = 'AIS-001'"
            )
            conn.execute(
                "INSERT INTO response (assessment_id, question_id, level, not_applicable,"
                " justification, notes, evidence_strength, flagged, reviewed, answered_by)"
                f" VALUES ({number}, 'q.1', 3, 0, '', 'kept', 'document', 0, 0, 'a')"
            )
        conn.execute("INSERT INTO evidence_blob VALUES ('ab', 1, x'00')")
        conn.execute(
            "INSERT INTO evidence (id, sha256, file_name, media_type, size, collected_by,"
            f" description, added_at) VALUES (7, 'ab', 'f.txt', 'text/plain', 1, '', '', {NOW})"
        )
        conn.execute("INSERT INTO response_evidence SELECT id, 7 FROM response")
    conn.close()


def test_0003_workspace_keeps_every_assessment_row_after_the_table_is_recreated(tmp_path):
    copy = tmp_path / "schema-0003.assay"
    shutil.copy(FIXTURES / copy.name, copy)
    _add_assessments(copy)
    ws = open_workspace(copy, create=False)
    assert schema_revision(ws) == migrate.HEAD_REVISION
    with ws.db.read() as session:
        rounds = session.execute(sa.select(Assessment).order_by(Assessment.id)).scalars().all()
        responses = session.execute(sa.select(Response)).scalars().all()
        links = session.execute(sa.select(ResponseEvidence)).scalars().all()
    assert [(a.kind, a.previous_id) for a in rounds] == [("system", None), ("system", 1)]
    assert [(r.notes, r.origin, r.override_reason) for r in responses] == [("kept", "own", "")] * 2
    assert len(links) == 2
    with ws.db.write() as session:  # an organisation assessment needs no system now
        session.add(Assessment(kind="organisation", system_id=None, title="Org"))
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    ws.close()
