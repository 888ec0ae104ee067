"""Schema 0007_themed_findings: per-question gap findings become themes by framework category."""

from __future__ import annotations

import sqlite3

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from app.services import assessments as svc
from app.services import findings
from app.services.workspace import open_workspace, schema_revision
from app.storage import migrate
from app.storage.models import AISystem

GAPS = (  # question, owner, due, status, detail
    ("ir8596.secure.GV.OC-01", "Ann", "2027-02-01", "in-progress",
     "Mission\nAnswered at level 1 (Initial) against a target of 3 (Defined): 2 level(s) short."),
    ("ir8596.secure.GV.OC-03", "", None, "open",
     "Duties\nAnswered at level 2 (Repeatable) against a target of 3 (Defined): 1 level(s) short."),
    ("ir8596.secure.GV.RM-02", "", None, "open", "Appetite"),
)  # fmt: skip


def _downgrade(path, revision):
    config = Config()
    config.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)
    engine.dispose()


def test_gap_findings_move_into_category_themes_keeping_their_tracking(tmp_path):
    path = tmp_path / "ws.assay"
    ws = open_workspace(path, actor="tester")
    with ws.db.write() as session:
        session.add(AISystem(external_id="AIS-001", name="Agent"))
    info = svc.new_assessment(ws, "AIS-001", ["nist-ir-8596"], focus_areas=["secure"])
    ws.close()
    _downgrade(path, "0006_orgscope")
    conn = sqlite3.connect(path)
    with conn:
        for question, owner, due, status, detail in GAPS:
            conn.execute(
                "INSERT INTO finding (key, source, rule_id, assessment_id, system_id, question_id,"
                " severity, title, detail, recommendation, \"references\", owner, due_date,"
                " status, created_at, updated_at) VALUES (?, 'gap', '', ?, 1, ?, 'high', ?, ?,"
                " '', '[]', ?, ?, ?, '2026-01-01', '2026-01-01')",
                (f"gap:{info.id}:{question}", info.id, question, f"{question} is below target",
                 detail, owner, due, status),
            )  # fmt: skip
    conn.close()
    reopened = open_workspace(path, create=False, actor="tester")
    assert schema_revision(reopened) == migrate.HEAD_REVISION
    assert findings.list_findings(reopened, source="gap") == []
    themes = {
        t.key: t for t in findings.list_findings(reopened, assessment_id=info.id, source="theme")
    }
    context = themes[f"theme:{info.id}:node:nist-ir-8596:GV.OC"]
    assert [(i.key, i.level, i.target) for i in context.items] == [
        ("ir8596.secure.GV.OC-01", 1, 3), ("ir8596.secure.GV.OC-03", 2, 3)]  # fmt: skip
    assert (context.owner, str(context.due_date), context.status) == (
        "Ann", "2027-02-01", "in-progress")  # fmt: skip
    assert "owner" in context.edited
    assert context.title == "Organizational Context (GV.OC)"
    strategy = themes[f"theme:{info.id}:node:nist-ir-8596:GV.RM"]
    assert [(i.key, i.level) for i in strategy.items] == [("ir8596.secure.GV.RM-02", None)]
    reopened.close()
