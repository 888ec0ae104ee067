"""Scoring through the service: a small custom framework scored against hand-computed figures."""

from __future__ import annotations

import json
import textwrap

import pytest
import sqlalchemy as sa

from app.catalog.registry import load_default_catalog
from app.cli import main
from app.services import assessments as svc
from app.services.evidence import add_evidence
from app.services.frameworks import add_custom_framework, catalog_for
from app.services.scoring import score_assessment
from app.storage.models import AISystem, Person

# Two functions under one framework with focus areas; F1 has two categories.
CUSTOM = textwrap.dedent(
    """
    schema_version: 1
    id: custom-demo
    version: "1"
    title: Demo profile
    dimensions: [focus_area]
    nodes:
      - id: F1
        kind: function
        title: First
        children:
          - {id: F1.A, kind: category, title: Alpha}
          - {id: F1.B, kind: category, title: Beta}
      - id: F2
        kind: function
        title: Second
        children:
          - {id: F2.C, kind: category, title: Gamma}
    questions:
      - {id: cd.q1, ref: A-1, title: One, node: F1.A, focus_area: secure, priority: 1,
         prompt: p, evidence: [e]}
      - {id: cd.q2, ref: A-2, title: Two, node: F1.A, focus_area: secure, priority: 3, weight: 2,
         prompt: p, evidence: [e]}
      - {id: cd.q3, ref: B-1, title: Three, node: F1.B, focus_area: secure, priority: 2,
         prompt: p, evidence: [e]}
      - {id: cd.q4, ref: B-2, title: Four, node: F1.B, focus_area: secure, prompt: p,
         evidence: [e]}
      - {id: cd.q5, ref: C-1, title: Five, node: F2.C, focus_area: defend, priority: 2,
         prompt: p, evidence: [e]}
    """
)


@pytest.fixture
def demo(workspace, tmp_path):
    path = tmp_path / "demo.yaml"
    path.write_text(CUSTOM, encoding="utf-8")
    add_custom_framework(workspace, path)
    with workspace.db.write() as session:
        owner = Person(name="Ann", email="ann@example.org")
        session.add(owner)
        session.flush()
        session.add(AISystem(external_id="AIS-001", name="Helper", owner_id=owner.id))
    info = svc.new_assessment(workspace, "AIS-001", ["custom-demo"], catalog=catalog_for(workspace))
    return info.id


def test_custom_framework_scores_match_hand_figures(workspace, demo, tmp_path):
    # Effective weights: q1 1×3=3, q2 2×1=2, q3 1×2=2, q4 1×1=1, q5 1×2=2. Target 3.
    doc = tmp_path / "policy.pdf"
    doc.write_bytes(b"%PDF-1.4 policy")
    evidence = add_evidence(workspace, doc)
    svc.answer(workspace, demo, "cd.q1", 4, evidence_ids=[evidence.id])  # no strength: a document
    svc.answer(workspace, demo, "cd.q2", 1)
    svc.answer(workspace, demo, "cd.q3", "na", note="no such component")
    svc.update_response(workspace, demo, "cd.q5", level=3, target_override=4)
    score = score_assessment(workspace, demo)

    alpha = score.node("custom-demo/secure/F1.A")
    assert alpha.mean == pytest.approx(14 / 5)
    assert alpha.achieved_level == 1
    assert (alpha.coverage, alpha.completeness) == (0.5, 1.0)
    assert alpha.gap == pytest.approx(4 / 5)
    assert alpha.confidence == 1.0  # the linked file counts as a document

    beta = score.node("custom-demo/secure/F1.B")
    assert (beta.applicable, beta.answered, beta.not_applicable) == (1, 0, 1)
    assert beta.mean is None
    assert beta.achieved_level == 0

    secure = score.node("custom-demo/secure")
    assert secure.mean == pytest.approx(14 / 5)
    assert secure.completeness == pytest.approx(2 / 3)

    gamma = score.node("custom-demo/defend/F2.C")
    assert gamma.coverage == 0.0  # 3 against the question's own target 4
    assert gamma.gap == pytest.approx(1.0)
    assert gamma.confidence == 0.0

    overall = score.result.overall
    assert overall.mean == pytest.approx((12 + 2 + 6) / 7)
    assert overall.coverage == pytest.approx(1 / 4)
    assert overall.completeness == pytest.approx(3 / 4)
    assert overall.gap == pytest.approx((4 + 2) / 7)
    assert overall.confidence == pytest.approx(1 / 2)


def test_node_ids_titles_and_parents(workspace, demo):
    data = score_assessment(workspace, demo).as_dict()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert list(nodes) == [
        "custom-demo",
        "custom-demo/secure",
        "custom-demo/secure/F1",
        "custom-demo/secure/F1.A",
        "custom-demo/secure/F1.B",
        "custom-demo/defend",
        "custom-demo/defend/F2",
        "custom-demo/defend/F2.C",
    ]
    assert nodes["custom-demo/secure/F1.A"]["title"] == "F1.A Alpha"
    assert nodes["custom-demo/secure/F1.A"]["parent"] == "custom-demo/secure/F1"
    assert nodes["custom-demo/defend"]["title"] == "Defend"
    assert nodes["custom-demo"]["kind"] == "framework"


def test_score_json_from_the_cli(workspace, demo, monkeypatch, capsys):
    monkeypatch.setattr("app.cli.COMMAND_MODULES", ("assess",))
    svc.answer(workspace, demo, "cd.q1", 5)
    workspace.close()
    args = ["--workspace", workspace.location, "assess", "score", "--assessment", str(demo)]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"overall", "nodes"}
    keys = {"id", "title", "mean", "achieved_level", "coverage", "completeness", "gap"}
    assert all(keys | {"confidence"} <= set(node) for node in data["nodes"])
    assert data["overall"]["mean"] == 5.0
    assert data["overall"]["completeness"] == 0.2
    assert main(args) == 0
    assert "First" in capsys.readouterr().out


def test_ir8596_rolls_up_by_focus_function_and_category(workspace):
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-002", name="Triage", autonomy="advisory"))
    catalog = load_default_catalog()
    info = svc.new_assessment(
        workspace, "AIS-002", ["nist-ir-8596"], focus_areas=["secure", "thwart"], catalog=catalog
    )
    assert info.questions == 212
    with workspace.db.write() as session:
        session.execute(sa.text("UPDATE response SET level = 2 WHERE assessment_id = :a"), {"a": 1})
    score = score_assessment(workspace, info.id)
    keys = {n.key for n in score.result.nodes}
    assert {"nist-ir-8596/secure", "nist-ir-8596/thwart"} <= keys
    assert "nist-ir-8596/defend" not in keys
    pr_aa = score.node("nist-ir-8596/secure/PR.AA")
    assert pr_aa.path == (
        "nist-ir-8596",
        "nist-ir-8596/secure",
        "nist-ir-8596/secure/PR",
        pr_aa.key,
    )
    assert score.node("nist-ir-8596").mean == pytest.approx(2.0)
    assert score.result.overall.coverage == 0.0


def test_node_titles_carry_their_id_once_whatever_the_title_starts_with():
    from app.catalog.schema import Node
    from app.services.scoring import _node_title

    def title(node_id: str, text: str) -> str:
        return _node_title(Node(id=node_id, kind="function", title=text))

    assert title("GV", "GOVERN") == "GV GOVERN"
    assert title("ID", "IDENTIFY") == "ID IDENTIFY", "a title that merely starts with the letters"
    assert title("GV.OC", "GV.OC Organizational Context") == "GV.OC Organizational Context"
    assert title("ASI01", "ASI01") == "ASI01"
