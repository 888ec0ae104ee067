"""Themed findings: an assessment's gaps grouped into findings the assessor can shape.

A finding gains its risk rating (likelihood and impact, 1-5 each), effort, the client's
management response, the justification and approver of an accepted risk, the fields the
assessor edited (never overwritten by a refresh) and the default themes merged into it. The new
``finding_item`` table lists the gaps a themed finding groups. Every per-question gap finding
becomes an item of the theme of its framework category (read from the stored questionnaire
text), keeping its owner, due date and status on the theme.

Revision ID: 0007_themed_findings
Revises: 0006_orgscope
Create Date: 2026-12-07
"""

import datetime as dt
import json
import re
from typing import Any

import sqlalchemy as sa
import yaml
from alembic import op

revision = "0007_themed_findings"
down_revision = "0006_orgscope"
branch_labels = None
depends_on = None

_GROUP_KINDS = ("category", "risk")
_LEVELS = re.compile(r"level (\d)\b.*?target of (\d)\b", re.S)
_RISK = {"critical": (4, 5), "high": (4, 4), "medium": (3, 3), "low": (2, 2)}
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def upgrade() -> None:
    with op.batch_alter_table("finding") as batch:
        batch.add_column(sa.Column("likelihood", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("impact", sa.Integer(), nullable=True))
        for name in ("effort", "management_response", "acceptance_justification", "accepted_by"):
            batch.add_column(sa.Column(name, sa.String(), nullable=False, server_default=""))
        for name in ("edited", "merged_keys"):
            batch.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "finding_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "finding_id", sa.Integer(), sa.ForeignKey("finding.id", ondelete="CASCADE"),
            nullable=False, index=True,
        ),
        sa.Column(
            "assessment_id", sa.Integer(), sa.ForeignKey("assessment.id", ondelete="CASCADE"),
            nullable=False, index=True,
        ),
        *(sa.Column(name, sa.String(), nullable=False) for name in
          ("item_key", "kind", "group_key", "framework", "ref", "title", "severity",
           "recommendation")),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("target", sa.Integer(), nullable=True),
        sa.Column("placed", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("assessment_id", "item_key", name="uq_finding_item"),
    )  # fmt: skip
    _convert_gap_findings(op.get_bind())


def downgrade() -> None:
    op.execute("DELETE FROM finding WHERE source = 'theme'")
    op.drop_table("finding_item")
    with op.batch_alter_table("finding") as batch:
        for name in ("merged_keys", "edited", "accepted_by", "acceptance_justification",
                     "management_response", "effort", "impact", "likelihood"):  # fmt: skip
            batch.drop_column(name)


def _node_table(roots: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Map node id to (parent id, kind, title) over a stored framework's node tree."""
    nodes: dict[str, tuple[Any, ...]] = {}
    stack: list[tuple[dict[str, Any], str | None]] = [(node, None) for node in roots]
    while stack:
        node, parent = stack.pop()
        nodes[node["id"]] = (parent, node.get("kind"), node.get("title", node["id"]))
        stack.extend((child, node["id"]) for child in node.get("children") or ())
    return nodes


def _groups_of(conn: sa.Connection, frameworks: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Map question id to (group key, framework title, group title) from the stored texts."""
    found: dict[str, tuple[Any, ...]] = {}
    for ref in frameworks:
        row = conn.execute(
            sa.text("SELECT content FROM framework_version WHERE id = :id"),
            {"id": ref.get("stored_id")},
        ).first()
        if row is None:
            continue
        data = yaml.safe_load(row[0]) or {}
        nodes = _node_table(data.get("nodes") or [])
        for question in data.get("questions") or ():
            node_id = question.get("node", "")
            chosen = node_id
            cursor: str | None = node_id
            while cursor is not None and cursor in nodes:
                if nodes[cursor][1] in _GROUP_KINDS:
                    chosen = cursor
                    break
                cursor = nodes[cursor][0]
            title = nodes.get(chosen, (None, None, chosen))[2]
            found[question["id"]] = (
                f"node:{data.get('id', '')}:{chosen}",
                data.get("title", ""),
                f"{title} ({chosen})",
            )
    return found


def _convert_gap_findings(conn: sa.Connection) -> None:
    gaps = conn.execute(
        sa.text(
            "SELECT f.id, f.assessment_id, f.system_id, f.question_id, f.severity, f.title,"
            " f.detail, f.owner, f.due_date, f.status, a.frameworks FROM finding f"
            " JOIN assessment a ON a.id = f.assessment_id WHERE f.source = 'gap'"
        )
    ).all()
    themes: dict[tuple[int, str], dict[str, Any]] = {}
    groups_by_assessment: dict[int, dict[str, tuple[Any, ...]]] = {}
    for gap in gaps:
        if gap.assessment_id not in groups_by_assessment:
            frameworks = gap.frameworks
            frameworks = json.loads(frameworks) if isinstance(frameworks, str) else frameworks
            groups_by_assessment[gap.assessment_id] = _groups_of(conn, frameworks or [])
        group = groups_by_assessment[gap.assessment_id].get(
            gap.question_id, (f"question:{gap.question_id}", "", gap.title)
        )
        theme = themes.setdefault(
            (gap.assessment_id, group[0]), {"gaps": [], "group": group, "system": gap.system_id}
        )
        theme["gaps"].append(gap)
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    for (assessment_id, group_key), theme in themes.items():
        _insert_theme(conn, assessment_id, group_key, theme, now)
    conn.execute(sa.text("DELETE FROM finding WHERE source = 'gap'"))


def _insert_theme(
    conn: sa.Connection, assessment_id: int, group_key: str, theme: dict[str, Any], now: str
) -> None:
    gaps = theme["gaps"]
    worst = min((g.severity for g in gaps), key=lambda s: _RANK.get(s, 4))
    owners = [g.owner for g in gaps if g.owner]
    dues = sorted(g.due_date for g in gaps if g.due_date)
    statuses = {g.status for g in gaps}
    status = next((s for s in ("in-progress", "open", "accepted") if s in statuses), "resolved")
    edited = [name for name, value in (("owner", owners), ("due_date", dues)) if value]
    likelihood, impact = _RISK.get(worst, (3, 3))
    finding_id = conn.execute(
        sa.text(
            "INSERT INTO finding (key, source, rule_id, assessment_id, system_id, question_id,"
            " severity, title, detail, recommendation, \"references\", owner, due_date, status,"
            " created_at, updated_at, likelihood, impact, effort, management_response,"
            " acceptance_justification, accepted_by, edited, merged_keys) VALUES (:key, 'theme',"
            " '', :assessment, :system, '', :severity, :title, '', '', '[]', :owner, :due,"
            " :status, :now, :now, :likelihood, :impact, '', '', '', '', :edited, '[]') RETURNING id"
        ),
        {
            "key": f"theme:{assessment_id}:{group_key}", "assessment": assessment_id,
            "system": theme["system"], "severity": worst, "title": theme["group"][2],
            "owner": owners[0] if owners else "", "due": dues[0] if dues else None,
            "status": status, "now": now, "likelihood": likelihood, "impact": impact,
            "edited": json.dumps(edited),
        },
    ).scalar_one()  # fmt: skip
    for gap in gaps:
        levels = _LEVELS.search(gap.detail or "")
        conn.execute(
            sa.text(
                "INSERT INTO finding_item (finding_id, assessment_id, item_key, kind, group_key,"
                " framework, ref, title, severity, recommendation, level, target, placed)"
                " VALUES (:finding, :assessment, :key, 'question', :group, :framework, '',"
                " :title, :severity, '', :level, :target, 0)"
            ),
            {
                "finding": finding_id, "assessment": assessment_id, "key": gap.question_id,
                "group": group_key, "framework": theme["group"][1], "title": gap.title,
                "severity": gap.severity, "level": int(levels[1]) if levels else None,
                "target": int(levels[2]) if levels else None,
            },
        )  # fmt: skip
