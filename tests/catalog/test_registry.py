"""The Catalog: lookups by id, node paths, crosswalk links through nodes, applicability."""

from __future__ import annotations

import pytest

from app.catalog.errors import CatalogError, UnknownIdError
from app.catalog.loader import load_crosswalk_text, load_framework_text
from app.catalog.registry import Catalog
from app.catalog.schema import Applicability, LinkType
from app.domain.enums import Autonomy, FocusArea

ALPHA = """\
schema_version: 1
id: alpha
version: "1"
title: "Alpha"
dimensions: [focus_area]
nodes:
  - id: A
    kind: function
    title: "Function A"
    children:
      - {id: A.X, kind: category, title: "Category X"}
      - {id: A.Y, kind: category, title: "Category Y"}
questions:
  - {id: a.s.X-1, ref: X-1, title: "x one", node: A.X, focus_area: secure, priority: 1,
     prompt: "Is x one done?", evidence: [r]}
  - {id: a.d.X-1, ref: X-1, title: "x one", node: A.X, focus_area: defend, priority: 3,
     prompt: "Is x one used in defence?", evidence: [r]}
  - {id: a.s.Y-1, ref: Y-1, title: "y one", node: A.Y, focus_area: secure, priority: 2,
     prompt: "Is y one done?", evidence: [r], applies_to: {agentic: true}}
"""

BETA = """\
schema_version: 1
id: beta
version: "2"
title: "Beta"
nodes:
  - {id: R1, kind: risk, title: "Risk one"}
questions:
  - {id: b.R1.m1, ref: R1, title: "m1", node: R1, prompt: "Is m1 in place?", evidence: [r]}
  - {id: b.R1.m2, ref: R1, title: "m2", node: R1, prompt: "Is m2 in place?", evidence: [r],
     applies_to: {uses_tools: true}}
"""

CROSSWALK = """\
schema_version: 1
links:
  - {from: b.R1.m1, to: a.s.X-1, type: equivalent}
  - {from: "beta:R1", to: "alpha:A.Y", type: related}
  - {from: b.R1.m2, to: a.s.Z-9, type: partial}
"""


@pytest.fixture
def catalog() -> Catalog:
    frameworks = [load_framework_text(ALPHA, "alpha.yaml"), load_framework_text(BETA, "beta.yaml")]
    return Catalog(frameworks, load_crosswalk_text(CROSSWALK, "crosswalk.yaml"))


def test_questions_are_found_by_id_across_frameworks(catalog: Catalog):
    assert catalog.question("b.R1.m2").title == "m2"
    assert catalog.framework_of("a.d.X-1").id == "alpha"
    assert [fw.id for fw in catalog.frameworks()] == ["alpha", "beta"]


def test_unknown_ids_raise_a_readable_lookup_error(catalog: Catalog):
    with pytest.raises(UnknownIdError, match="no framework 'gamma' \\(known: alpha, beta\\)"):
        catalog.framework("gamma")
    with pytest.raises(UnknownIdError, match="no question 'a.s.X-2'"):
        catalog.question("a.s.X-2")
    with pytest.raises(UnknownIdError, match="alpha has no node 'B'"):
        catalog.framework("alpha").node("B")


def test_node_path_runs_from_root_to_leaf(catalog: Catalog):
    assert [n.id for n in catalog.node_path("a.s.Y-1")] == ["A", "A.Y"]
    assert [q.id for q in catalog.framework("alpha").questions_under("A")] == [
        "a.s.X-1",
        "a.d.X-1",
        "a.s.Y-1",
    ]


def test_links_touch_a_question_directly_and_through_its_nodes(catalog: Catalog):
    direct = catalog.links_for("a.s.X-1")
    assert [(link.source, link.type) for link in direct] == [("b.R1.m1", LinkType.EQUIVALENT)]
    via_node = catalog.links_for("a.s.Y-1")
    assert [(link.source, link.target) for link in via_node] == [("beta:R1", "alpha:A.Y")]
    both = catalog.links_for("b.R1.m1")
    assert len(both) == 2


def test_related_questions_expand_node_links_and_skip_the_own_framework(catalog: Catalog):
    related = {r.question_id: r.type for r in catalog.related_questions("b.R1.m1")}
    assert related == {"a.s.X-1": LinkType.EQUIVALENT, "a.s.Y-1": LinkType.RELATED}
    back = {r.question_id: r.framework_id for r in catalog.related_questions("a.s.Y-1")}
    assert back == {"b.R1.m1": "beta", "b.R1.m2": "beta"}


def test_a_link_to_a_missing_question_is_reported_and_ignored(catalog: Catalog):
    assert [str(p) for p in catalog.unresolved_links] == ["links[2]: a.s.Z-9 not found"]
    assert all(link.target != "a.s.Z-9" for link in catalog.links_for("b.R1.m2"))


def test_duplicate_framework_and_question_ids_are_refused():
    alpha = load_framework_text(ALPHA, "alpha.yaml")
    clash = load_framework_text(BETA.replace("id: beta", "id: gamma"), "gamma.yaml")
    with pytest.raises(CatalogError) as caught:
        Catalog([alpha, load_framework_text(ALPHA, "alpha-copy.yaml")])
    assert "framework id 'alpha' also in alpha.yaml" in str(caught.value)
    with pytest.raises(CatalogError, match="question id 'b.R1.m1' also in beta.yaml"):
        Catalog([load_framework_text(BETA, "beta.yaml"), clash])


@pytest.mark.parametrize(
    ("condition", "autonomy", "tools", "expected"),
    [
        ({}, None, False, True),
        ({"agentic": True}, Autonomy.ADVISORY, False, False),
        ({"agentic": True}, Autonomy.ADVISORY, True, True),
        ({"agentic": True}, Autonomy.HUMAN_ON_THE_LOOP, False, True),
        ({"agentic": True}, Autonomy.HUMAN_IN_THE_LOOP, False, False),
        ({"agentic": False}, Autonomy.AUTONOMOUS, False, False),
        ({"uses_tools": True}, "autonomous", False, False),
        ({"autonomy": ["autonomous"]}, "autonomous", False, True),
        ({"autonomy": ["autonomous"]}, None, True, False),
        ({"autonomy": ["autonomous"], "uses_tools": True}, "autonomous", True, True),
    ],
)
def test_applicability(condition, autonomy, tools, expected):
    assert Applicability.model_validate(condition).matches(autonomy, tools) is expected


def test_select_filters_by_scope(catalog: Catalog):
    alpha = catalog.framework("alpha")
    chosen = alpha.select(autonomy=Autonomy.ADVISORY, focus_areas={FocusArea.SECURE})
    assert [q.id for q in chosen] == ["a.s.X-1"]
    chosen = alpha.select(autonomy=Autonomy.AUTONOMOUS, max_priority=2)
    assert [q.id for q in chosen] == ["a.s.X-1", "a.s.Y-1"]
    assert len(catalog.framework("beta").select(uses_tools=True)) == 2
