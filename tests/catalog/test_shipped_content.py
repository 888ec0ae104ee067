"""The shipped questionnaire files: they load, their counts and priorities are the published
ones, ids are unique across files, and the crosswalk resolves."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from app.catalog.loader import load_framework
from app.catalog.registry import Catalog, load_default_catalog, shipped_framework_paths
from app.catalog.schema import Framework

SHIPPED = shipped_framework_paths()

# NIST IR 8596 iprd proposed priorities, Secure / Defend / Thwart, for every CSF 2.0
# subcategory in CSF order (typed from the reference table of the draft's Section 1.5).
IR8596_PRIORITIES = """
    GV.OC-01 333  GV.OC-02 322  GV.OC-03 313  GV.OC-04 113  GV.OC-05 123  GV.RM-01 323
    GV.RM-02 221  GV.RM-03 333  GV.RM-04 333  GV.RM-05 222  GV.RM-06 222  GV.RM-07 313
    GV.RR-01 312  GV.RR-02 312  GV.RR-03 221  GV.RR-04 131  GV.PO-01 313  GV.PO-02 112
    GV.OV-01 322  GV.OV-02 222  GV.OV-03 323  GV.SC-01 222  GV.SC-02 333  GV.SC-03 123
    GV.SC-04 233  GV.SC-05 223  GV.SC-06 233  GV.SC-07 113  GV.SC-08 232  GV.SC-09 333
    GV.SC-10 333  ID.AM-01 323  ID.AM-02 223  ID.AM-03 122  ID.AM-04 232  ID.AM-05 233
    ID.AM-07 113  ID.AM-08 132  ID.RA-01 111  ID.RA-02 223  ID.RA-03 111  ID.RA-04 111
    ID.RA-05 322  ID.RA-06 321  ID.RA-07 211  ID.RA-08 331  ID.RA-09 222  ID.RA-10 332
    ID.IM-01 232  ID.IM-02 332  ID.IM-03 333  ID.IM-04 332  PR.AA-01 121  PR.AA-02 322
    PR.AA-03 322  PR.AA-04 322  PR.AA-05 121  PR.AA-06 323  PR.AT-01 111  PR.AT-02 211
    PR.DS-01 112  PR.DS-02 333  PR.DS-10 113  PR.DS-11 233  PR.PS-01 113  PR.PS-02 331
    PR.PS-03 321  PR.PS-04 111  PR.PS-05 221  PR.PS-06 222  PR.IR-01 221  PR.IR-02 332
    PR.IR-03 212  PR.IR-04 222  DE.CM-01 211  DE.CM-02 323  DE.CM-03 232  DE.CM-06 122
    DE.CM-09 112  DE.AE-02 222  DE.AE-03 312  DE.AE-04 312  DE.AE-06 321  DE.AE-07 321
    DE.AE-08 332  RS.MA-01 222  RS.MA-02 212  RS.MA-03 211  RS.MA-04 322  RS.MA-05 322
    RS.AN-03 111  RS.AN-06 331  RS.AN-07 122  RS.AN-08 332  RS.CO-02 333  RS.CO-03 333
    RS.MI-01 232  RS.MI-02 333  RC.RP-01 222  RC.RP-02 313  RC.RP-03 223  RC.RP-04 322
    RC.RP-05 332  RC.RP-06 333  RC.CO-03 333  RC.CO-04 333
"""


def _priority_table() -> dict[str, tuple[int, int, int]]:
    tokens = IR8596_PRIORITIES.split()
    pairs = zip(tokens[::2], tokens[1::2], strict=True)
    return {ref: (int(p[0]), int(p[1]), int(p[2])) for ref, p in pairs}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


def _framework(catalog: Catalog, framework_id: str) -> Framework:
    if not catalog.has_framework(framework_id):
        pytest.fail(f"{framework_id} is not shipped yet")
    return catalog.framework(framework_id)


def test_the_four_frameworks_are_shipped():
    names = {path.parent.name for path in SHIPPED}
    assert names == {"nist-ir-8596", "nist-ai-rmf", "owasp-asi", "owasp-nhi"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_file_loads_and_matches_its_location(path: Path):
    framework = load_framework(path)
    assert framework.id == path.parent.name
    assert framework.version == path.stem
    assert len(framework.sha256) == 64
    assert not framework.custom


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_prompts_and_guidance_are_written_and_not_repeated(path: Path):
    framework = load_framework(path)
    prompts = Counter(q.prompt.strip() for q in framework.questions)
    assert [p for p, n in prompts.items() if n > 1] == []
    for question in framework.questions:
        assert len(question.prompt.split()) >= 8, question.id
        assert question.prompt.rstrip().endswith("?"), question.id
        assert question.guidance.strip(), question.id
        assert question.evidence, question.id


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_question_ids_carry_one_prefix_per_framework(path: Path):
    framework = load_framework(path)
    prefixes = {q.id.split(".", 1)[0] for q in framework.questions}
    assert len(prefixes) == 1


def test_question_ids_are_unique_across_all_files():
    ids = Counter(q.id for path in SHIPPED for q in load_framework(path).questions)
    assert [qid for qid, n in ids.items() if n > 1] == []


def test_prompts_are_not_repeated_across_files():
    prompts = Counter(q.prompt.strip() for path in SHIPPED for q in load_framework(path).questions)
    assert [p for p, n in prompts.items() if n > 1] == []


def test_ai_rmf_has_72_subcategories_in_19_categories(catalog: Catalog):
    framework = _framework(catalog, "nist-ai-rmf")
    functions = [node.id for node in framework.nodes]
    assert functions == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    categories = [child for node in framework.nodes for child in node.children]
    assert len(categories) == 19
    assert len(framework.questions) == 72
    per_function = Counter(framework.question_path(q.id)[0].id for q in framework.questions)
    assert per_function == {"GOVERN": 19, "MAP": 18, "MEASURE": 22, "MANAGE": 13}
    for question in framework.questions:
        function, number = question.ref.split(" ")
        assert question.id == f"airmf.{function}-{number}"
        assert question.node == f"{function}-{number.split('.')[0]}"


ASI_TITLES = {
    "ASI01": "Agent Goal Hijack",
    "ASI02": "Tool Misuse and Exploitation",
    "ASI03": "Identity and Privilege Abuse",
    "ASI04": "Agentic Supply Chain Vulnerabilities",
    "ASI05": "Unexpected Code Execution (RCE)",
    "ASI06": "Memory & Context Poisoning",
    "ASI07": "Insecure Inter-Agent Communication",
    "ASI08": "Cascading Failures",
    "ASI09": "Human-Agent Trust Exploitation",
    "ASI10": "Rogue Agents",
}

NHI_TITLES = {
    "NHI1": "Improper Offboarding",
    "NHI2": "Secret Leakage",
    "NHI3": "Vulnerable Third-Party NHI",
    "NHI4": "Insecure Authentication",
    "NHI5": "Overprivileged NHI",
    "NHI6": "Insecure Cloud Deployment Configurations",
    "NHI7": "Long-Lived Secrets",
    "NHI8": "Environment Isolation",
    "NHI9": "NHI Reuse",
    "NHI10": "Human Use of NHI",
}


def test_asi_has_ten_risks_with_at_least_three_agentic_mitigations(catalog: Catalog):
    framework = _framework(catalog, "owasp-asi")
    assert {node.id: node.title for node in framework.nodes} == ASI_TITLES
    per_risk = Counter(q.node for q in framework.questions)
    assert set(per_risk) == set(ASI_TITLES)
    assert min(per_risk.values()) >= 3
    for question in framework.questions:
        assert question.ref == question.node
        assert question.applies_to.agentic is True


def test_nhi_has_ten_items_each_with_questions_and_inventory_facts(catalog: Catalog):
    framework = _framework(catalog, "owasp-nhi")
    assert {node.id: node.title for node in framework.nodes} == NHI_TITLES
    per_item = Counter(q.node for q in framework.questions)
    assert set(per_item) == set(NHI_TITLES)
    for node_id in NHI_TITLES:
        questions = framework.questions_under(node_id)
        assert all(q.ref == f"{node_id}:2025" for q in questions)
    automatic = {q.node for q in framework.questions if q.inventory_facts}
    assert automatic == set(NHI_TITLES)


def test_ir8596_has_318_questions_with_the_published_distribution(catalog: Catalog):
    framework = _framework(catalog, "nist-ir-8596")
    assert len(framework.questions) == 318
    per_area = Counter(q.focus_area.value for q in framework.questions if q.focus_area)
    assert per_area == {"secure": 106, "defend": 106, "thwart": 106}
    distribution = Counter((q.focus_area.value, q.priority) for q in framework.questions)
    assert distribution == {
        ("secure", 1): 23, ("secure", 2): 33, ("secure", 3): 50,
        ("defend", 1): 28, ("defend", 2): 43, ("defend", 3): 35,
        ("thwart", 1): 24, ("thwart", 2): 44, ("thwart", 3): 38,
    }  # fmt: skip


def test_ir8596_priority_of_every_subcategory_is_the_published_one(catalog: Catalog):
    framework = _framework(catalog, "nist-ir-8596")
    table = _priority_table()
    assert len(table) == 106
    for index, area in enumerate(("secure", "defend", "thwart")):
        for ref, priorities in table.items():
            question = framework.question(f"ir8596.{area}.{ref}")
            assert question.ref == ref
            assert question.focus_area.value == area
            assert question.priority == priorities[index], f"{area} {ref}"


def test_ir8596_tree_is_the_csf_core(catalog: Catalog):
    framework = _framework(catalog, "nist-ir-8596")
    assert [node.id for node in framework.nodes] == ["GV", "ID", "PR", "DE", "RS", "RC"]
    categories = [child.id for node in framework.nodes for child in node.children]
    assert len(categories) == 22
    refs_in_order = [q.ref for q in framework.questions if q.focus_area.value == "secure"]
    assert refs_in_order == list(_priority_table())
    for question in framework.questions:
        assert question.node == question.ref.split("-")[0]


def test_every_crosswalk_link_resolves(catalog: Catalog):
    assert catalog.crosswalk.links
    assert [str(p) for p in catalog.unresolved_links] == []


def _linked_frameworks(catalog: Catalog, framework: Framework, node_id: str) -> set[str]:
    linked: set[str] = set()
    for question in framework.questions_under(node_id):
        linked |= {item.framework_id for item in catalog.related_questions(question.id)}
    return linked


@pytest.mark.parametrize("framework_id", ["owasp-asi", "owasp-nhi"])
def test_every_owasp_item_links_to_ir8596_and_ai_rmf(catalog: Catalog, framework_id: str):
    framework = _framework(catalog, framework_id)
    for node in framework.nodes:
        linked = _linked_frameworks(catalog, framework, node.id)
        assert {"nist-ir-8596", "nist-ai-rmf"} <= linked, node.id


def test_every_nhi_item_links_to_its_asi_risks_from_appendix_c(catalog: Catalog):
    expected = {
        "NHI1": {"ASI04"}, "NHI2": {"ASI02", "ASI06"}, "NHI3": {"ASI04", "ASI03"},
        "NHI4": {"ASI03", "ASI07"}, "NHI5": {"ASI02", "ASI03"}, "NHI6": {"ASI04", "ASI05"},
        "NHI7": {"ASI06", "ASI08"}, "NHI8": {"ASI08", "ASI07"}, "NHI9": {"ASI08", "ASI04"},
        "NHI10": {"ASI09", "ASI01"},
    }  # fmt: skip
    for nhi, risks in expected.items():
        ends = {
            end.split(":", 1)[1]
            for link in catalog.links_for_node("owasp-nhi", nhi)
            for end in (link.source, link.target)
            if end.startswith("owasp-asi:")
        }
        assert ends == risks, nhi
