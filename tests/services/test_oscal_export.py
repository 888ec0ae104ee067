"""The demo's assessments export to OSCAL documents that NIST's schema accepts, with every
reference resolving; messy data exports as well; a re-export is byte for byte the same."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from app.services import assessments as svc
from app.services.assessment_lifecycle import finalize, submit_for_review
from app.services.evidence import add_evidence_bytes
from app.services.frameworks import add_custom_framework
from app.services.oscal import export_content, export_oscal
from app.services.progress import Cancelled
from app.services.upgrade import upgrade_assessment
from app.services.workspace import open_workspace
from app.storage.models import AISystem
from tests.oscal_schema import csf_control_ids, reference_problems, schema_errors, walk

DRAFT = Path(__file__).parents[1] / "data" / "frameworks" / "owasp-nhi-2026-draft.yaml"


@pytest.fixture(scope="module")
def demo(demo_build, tmp_path_factory):
    """A copy of the demo built once for the test run (each export is journalled in it)."""
    result, _out = demo_build
    path = tmp_path_factory.mktemp("demo") / "demo.assay"
    shutil.copyfile(result.workspace_path, path)
    ws = open_workspace(path, create=False, actor="tester")
    yield result, ws
    ws.close()


def _load(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def _content_controls(documents: dict[str, dict]) -> set[str]:
    """Return the control ids the exported catalogs define and the profile selects."""
    ids: set[str] = set()
    for name, doc in documents.items():
        if name.endswith("-catalog.json"):
            ids |= {c["id"] for _p, k, v in walk(doc) if k == "controls" for c in v}
        if name.endswith("-profile.json"):
            selected = doc["profile"]["imports"][0]["include-controls"][0]["with-ids"]
            assert set(selected) <= csf_control_ids(), "not NIST's CSF 2.0 control ids"
            ids |= set(selected)
    return ids


def check_export(folder: Path) -> dict[str, dict]:
    """Assert every document is schema-valid and every reference resolves; return them."""
    documents = _load(folder)
    files = _files(folder)
    plan = documents["assessment-plan.json"]
    for name, doc in documents.items():
        assert schema_errors(doc) == [], name
        context = [doc, plan] if name == "assessment-results.json" else [doc]
        assert reference_problems(doc, context, files) == [], name
    controls = _content_controls(documents)
    used = {v for doc in documents.values() for _p, k, v in walk(doc) if k == "control-id"}
    assert used
    assert used <= controls
    objectives = {
        part["id"]
        for _p, k, v in walk(plan)
        if k == "objectives-and-methods"
        for objective in v
        for part in objective["parts"]
    }
    targets = {
        v["target-id"] for doc in documents.values() for _p, k, v in walk(doc) if k == "target"
    }
    assert targets <= objectives
    return documents


def _resources(doc: dict) -> list[dict]:
    return [r for _p, k, v in walk(doc) if k == "resources" for r in v]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_demo_assessments_export_valid_and_resolving(demo, tmp_path, index):
    result, ws = demo
    assessment_id = result.assessment_ids[index]
    outcome = export_oscal(ws, assessment_id, tmp_path / "out")
    documents = check_export(tmp_path / "out")
    assert set(outcome.documents) == set(documents)
    results = documents["assessment-results.json"]["assessment-results"]
    info = svc.get_assessment(ws, assessment_id)
    observations = results["results"][0]["observations"]
    assert len(observations) == info.answered
    for resource in _resources(results):
        link = resource["rlinks"][0]
        data = (tmp_path / "out" / link["href"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == link["hashes"][0]["value"]


def test_results_carry_levels_methods_and_target_status(demo, tmp_path):
    result, ws = demo
    assessment_id = result.reassessment_id
    export_oscal(ws, assessment_id, tmp_path)
    results = _load(tmp_path)["assessment-results.json"]["assessment-results"]["results"][0]
    responses = {r.question_id: r for r in svc.list_responses(ws, assessment_id)}
    target = svc.get_assessment(ws, assessment_id).target_level
    methods = {o["methods"][0] for o in results["observations"]}
    assert {"EXAMINE", "INTERVIEW"} <= methods
    for finding in results["findings"]:
        qid = next(p["value"] for p in finding["props"] if p["name"] == "question-id")
        response = responses[qid]
        satisfied = response.not_applicable or response.level >= (
            response.target_override if response.target_override is not None else target
        )
        assert finding["target"]["status"]["state"] == (
            "satisfied" if satisfied else "not-satisfied"
        )
    names = {p["name"] for p in results["props"]}
    assert {"mean-maturity", "achieved-level", "coverage", "completeness"} <= names
    assert all(p["ns"] == "urn:assay:oscal" for p in results["props"])


def test_profile_carries_the_three_priorities_and_the_doi(demo, tmp_path):
    result, ws = demo
    export_oscal(ws, result.assessment_ids[0], tmp_path)
    profile = _load(tmp_path)["nist-ir-8596-2025-12-iprd-profile.json"]["profile"]
    alters = {a["control-id"]: a for a in profile["modify"]["alters"]}
    assert len(alters) == 106
    gv_oc_03 = {p["name"]: p["value"] for p in alters["GV.OC-03"]["adds"][0]["props"]}
    assert gv_oc_03 == {"secure-priority": "3", "defend-priority": "1", "thwart-priority": "3"}
    dois = {
        d["identifier"]
        for r in profile["back-matter"]["resources"]
        for d in r.get("document-ids", [])
    }
    assert {"10.6028/NIST.IR.8596.iprd", "10.6028/NIST.CSWP.29"} <= dois


def test_re_export_is_identical(demo, tmp_path):
    result, ws = demo
    first = export_oscal(ws, result.assessment_ids[1], tmp_path / "a")
    second = export_oscal(ws, result.assessment_ids[1], tmp_path / "b")
    assert first.documents == second.documents


def test_cancel_leaves_the_folder_as_it_was(demo, tmp_path):
    result, ws = demo

    class Stop:
        def report(self, fraction: float, message: str = "") -> None:
            pass

        def cancelled(self) -> bool:
            return True

    with pytest.raises(Cancelled):
        export_oscal(ws, result.assessment_ids[0], tmp_path, progress=Stop())
    assert list(tmp_path.iterdir()) == []


def test_messy_assessment_exports_valid(workspace, tmp_path):
    """Unanswered and N/A answers, odd file names, no reviewer, no identities, an upgrade."""
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS 9/ü", name="Ünïcode <agent>", tools=["shell"]))
    info = svc.new_assessment(workspace, "AIS 9/ü", ["owasp-nhi", "owasp-asi"], target=4)
    odd = add_evidence_bytes(workspace, b"x", "../../etc/passwd (copy) ü.txt")
    same = add_evidence_bytes(workspace, b"x", "second name for the same bytes.txt")
    svc.answer(workspace, info.id, "nhi.NHI1.q1", 5, evidence_ids=[odd.id, same.id])
    svc.answer(workspace, info.id, "nhi.NHI6.q2", "na", note="no pipelines <b>at all</b>")
    svc.answer(workspace, info.id, "nhi.NHI4.q1", 0, strength="tested")
    upgrade_assessment(workspace, info.id, "2026-draft", file=DRAFT)
    export_oscal(workspace, info.id, tmp_path)
    documents = check_export(tmp_path)
    assert "evidence/1-passwd-copy.txt" in _files(tmp_path)
    assert "owasp-nhi-2026-draft-catalog.json" in documents
    results = documents["assessment-results.json"]["assessment-results"]["results"][0]
    assert "Not answered yet" in results["remarks"]


def test_observation_titles_name_the_focus_area_like_the_findings(demo, tmp_path):
    """IR 8596 asks one question per subcategory and focus area: each observation's title
    tells the three apart, and an observation and its finding carry the same title."""
    result, ws = demo
    export_oscal(ws, result.assessment_ids[0], tmp_path)
    results = _load(tmp_path)["assessment-results.json"]["assessment-results"]["results"][0]
    titles = [o["title"] for o in results["observations"]]
    assert len(titles) == len(set(titles))
    assert "GV.OC-02 (defend): Stakeholder expectations on cyber risk known" in titles
    by_uuid = {o["uuid"]: o["title"] for o in results["observations"]}
    for finding in results["findings"]:
        observed = finding["related-observations"][0]["observation-uuid"]
        assert by_uuid[observed] == finding["title"]


def test_a_second_export_into_the_folder_leaves_nothing_of_the_first(demo, tmp_path):
    """Assessment 2 exported where assessment 1 was: the first's profile and its evidence
    (of another system) go; the user's own files stay, even one in evidence/ named like an
    exported file, and so does JSON Assay did not write."""
    result, ws = demo
    first, second = result.assessment_ids[0], result.assessment_ids[1]
    export_oscal(ws, first, tmp_path)
    own = {"notes.txt": "mine", "evidence/2024-audit.txt": "mine", "other.json": '{"a": 1}'}
    for name, text in own.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    before = _files(tmp_path)

    outcome = export_oscal(ws, second, tmp_path)

    fresh = tmp_path.parent / "fresh"
    export_oscal(ws, second, fresh)
    assert _files(tmp_path) == _files(fresh) | set(own)
    assert "nist-ir-8596-2025-12-iprd-profile.json" in outcome.removed
    assert set(outcome.removed) == before - _files(fresh) - set(own)
    for name, text in own.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
    check_export(fresh)


CUSTOM = """\
schema_version: 1
id: acme-ai-policy
version: '1.0'
title: ACME AI policy checks
publisher: ACME Group Risk
nodes:
- {id: POL.1, kind: category, title: Policy and ownership}
- {id: POL.2, kind: category, title: Monitoring}
questions:
- id: acme.pol1.owner
  ref: POL.1
  title: Every AI system has an owner
  node: POL.1
  prompt: Does every AI system have a named, accountable owner?
  guidance: Check the register.
  evidence: [AI register]
- id: acme.pol2.logs
  ref: POL.2
  title: Logs are kept for 90 days
  node: POL.2
  prompt: Are the system's prompts and tool calls logged and kept for 90 days?
  guidance: Ask for the retention setting.
  evidence: [Logging configuration]
"""


def test_custom_framework_whose_categories_share_their_references(workspace, tmp_path):
    """A category POL.1 whose question's reference is POL.1: the group and the control may
    not share the id (OSCAL ids are unique in a document); controls are titled without
    their label, and the title names the version once."""
    source = tmp_path / "acme.yaml"
    source.write_text(CUSTOM, encoding="utf-8")
    add_custom_framework(workspace, source)
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-7", name="Copilot", tools=["shell"]))
    info = svc.new_assessment(workspace, "AIS-7", ["acme-ai-policy", "owasp-asi"], target=3)
    svc.answer(workspace, info.id, "acme.pol1.owner", 3)
    svc.answer(workspace, info.id, "acme.pol2.logs", "na", note="no logging platform")
    export_oscal(workspace, info.id, tmp_path / "out")
    documents = check_export(tmp_path / "out")
    catalog = documents["acme-ai-policy-1.0-catalog.json"]["catalog"]
    assert catalog["metadata"]["title"] == "ACME AI policy checks (1.0)"
    # no publication date in the file: dated by when the workspace stored it, not 1970
    stored = catalog["metadata"]["last-modified"]
    assert stored.startswith(f"{dt.datetime.now(dt.UTC).year}-")
    export_content(workspace, tmp_path / "content")
    alone = json.loads((tmp_path / "content" / "acme-ai-policy-1.0-catalog.json").read_text())
    assert alone == documents["acme-ai-policy-1.0-catalog.json"]
    group = catalog["groups"][0]
    assert (group["id"], group["controls"][0]["id"]) == ("POL.1-group", "POL.1")
    assert group["controls"][0]["title"] == "Every AI system has an owner"
    owasp = documents["owasp-asi-2026-catalog.json"]["catalog"]
    assert owasp["metadata"]["title"] == "OWASP Top 10 for Agentic Applications 2026"
    assert "groups" not in owasp  # each risk is a control of the catalog, not a group of one
    assert [c["id"] for c in owasp["controls"]][:2] == ["ASI01", "ASI02"]


def test_a_finding_on_an_answer_awaiting_review_says_it_is_provisional(workspace, tmp_path):
    """After a move to the next version, a changed question's carried answer is flagged: its
    finding's status says it is provisional, and the finding carries the flag."""
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-8", name="Agent", tools=["shell"]))
    info = svc.new_assessment(workspace, "AIS-8", ["owasp-nhi"], target=3)
    svc.answer(workspace, info.id, "nhi.NHI5.q1", 4)  # its meaning changes in the draft
    svc.answer(workspace, info.id, "nhi.NHI1.q1", 4)  # unchanged
    upgrade_assessment(workspace, info.id, "2026-draft", file=DRAFT)
    export_oscal(workspace, info.id, tmp_path)
    results = check_export(tmp_path)["assessment-results.json"]["assessment-results"]
    findings = {
        next(p["value"] for p in f["props"] if p["name"] == "question-id"): f
        for f in results["results"][0]["findings"]
    }
    changed, unchanged = findings["nhi.NHI5.q1"], findings["nhi.NHI1.q1"]
    assert changed["target"]["status"]["state"] == "satisfied"
    assert changed["target"]["status"]["remarks"].startswith("Provisional")
    assert {"name": "flagged-for-review", "value": "true", "ns": "urn:assay:oscal"} in changed[
        "props"
    ]
    assert "remarks" not in unchanged["target"]["status"]


def test_risks_name_the_framework_references_of_their_findings(demo, tmp_path):
    """A theme of identity checks cites their OWASP entries (e.g. 'OWASP NHI5:2025')."""
    result, ws = demo
    export_oscal(ws, result.assessment_ids[0], tmp_path)
    results = _load(tmp_path)["assessment-results.json"]["assessment-results"]["results"][0]
    theme_risks = [
        r
        for r in results["risks"]
        if {"name": "source", "value": "theme", "ns": "urn:assay:oscal"} in r["props"]
    ]
    assert theme_risks
    references = [p["value"] for r in theme_risks for p in r["props"] if p["name"] == "reference"]
    assert any(r.startswith("OWASP ") for r in references)


def test_a_final_assessment_with_unanswered_questions_is_not_waiting_for_them(workspace, tmp_path):
    """Finalised over the gate's errors: the results say the questions were left unanswered,
    not that they are 'not answered yet'."""
    with workspace.db.write() as session:
        session.add(AISystem(external_id="AIS-9", name="Agent", tools=["shell"]))
    info = svc.new_assessment(workspace, "AIS-9", ["owasp-nhi"], target=3)
    svc.answer(workspace, info.id, "nhi.NHI1.q1", 4)
    submit_for_review(workspace, info.id)
    finalize(workspace, info.id, force=True)
    export_oscal(workspace, info.id, tmp_path)
    results = check_export(tmp_path)["assessment-results.json"]["assessment-results"]
    remarks = results["results"][0]["remarks"]
    assert remarks.startswith("Left unanswered when finalised: nhi.NHI1.q2, ")
    assert "yet" not in remarks
