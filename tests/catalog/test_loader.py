"""Loading single files: every problem at once, with locations, lines and readable reasons."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.catalog.errors import CatalogError
from app.catalog.loader import (
    dump_framework_yaml,
    load_crosswalk,
    load_framework,
    load_framework_text,
)

INVALID = Path(__file__).resolve().parents[1] / "data" / "assessments_invalid"

MINIMAL = """\
schema_version: 1
id: mini
version: "0.1"
title: "Minimal"
published: 2024-05-01
nodes:
  - id: S
    kind: section
    title: "Only section"
questions:
  - id: mini.1
    ref: "1"
    title: "One"
    node: S
    prompt: "Is the only thing done?"
    evidence: ["A record"]
    levels: {0: "Nothing", 5: "Everything"}
    applies_to: {agentic: true}
"""


def _problems(path: Path) -> list[str]:
    loader = load_crosswalk if path.name.endswith("crosswalk.yaml") else load_framework
    with pytest.raises(CatalogError) as caught:
        loader(path)
    assert caught.value.source == path.name
    return str(caught.value).splitlines()


def test_every_problem_of_a_file_is_reported_at_once():
    lines = _problems(INVALID / "many_problems.yaml")
    expected = [
        "many_problems.yaml: id: must use only lower-case letters, digits and - (line 3)",
        "many_problems.yaml: published: must be YYYY, YYYY-MM or YYYY-MM-DD (line 6)",
        "nodes[0].children[1].id: duplicate node id 'A1' (first at nodes[0].children[0])",
        "nodes[0].children[2].kind: must be 'function', 'category', 'risk' or 'section'",
        "questions[0].node: node 'A' has child nodes",
        "many_problems.yaml: questions[0].priority: must be 1, 2 or 3 (line 22)",
        "questions[0].weight: must be greater than 0",
        "questions[0].evidence: must list at least one item",
        "questions[0].levels[7]: must be less than or equal to 5",
        "questions[0].colour: is not a known key (line 27)",
        "questions[1].id: duplicate question id 'b.1'",
        "questions[1].node: no node 'Z9' in nodes",
        "questions[1].focus_area: must be 'secure', 'defend' or 'thwart'",
        "questions[1].prompt: must not be empty",
        "questions[1].inventory_facts[0]: unknown inventory fact 'identity.colour'",
        "questions[2].focus_area: is required",
    ]
    assert len(lines) == len(expected)
    for line, fragment in zip(lines, expected, strict=True):
        assert fragment in line


def test_problems_are_listed_in_file_order():
    lines = _problems(INVALID / "many_problems.yaml")
    numbers = [int(line.rsplit("(line ", 1)[1].rstrip(")")) for line in lines]
    assert numbers == sorted(numbers)


def test_a_yaml_syntax_error_names_where_the_broken_part_starts():
    (line,) = _problems(INVALID / "syntax_error.yaml")
    assert line.startswith("syntax_error.yaml: not valid YAML:")
    assert "starts at line 5" in line


def test_a_file_that_is_not_a_mapping_is_refused():
    (line,) = _problems(INVALID / "not_a_mapping.yaml")
    assert "must be a YAML mapping" in line


def test_an_unknown_schema_version_is_refused():
    assert _problems(INVALID / "wrong_schema_version.yaml") == [
        "wrong_schema_version.yaml: schema_version: must be 1 (line 1)"
    ]


def test_crosswalk_problems_are_reported_together():
    lines = _problems(INVALID / "bad_crosswalk.yaml")
    assert lines == [
        "bad_crosswalk.yaml: links[1]: duplicate of links[0] (line 4)",
        "bad_crosswalk.yaml: links[2]: links 'owasp-asi:ASI03' to itself (line 5)",
        "bad_crosswalk.yaml: links[3].from: must be a question id or <framework-id>:<node-id> "
        "(line 6)",
        "bad_crosswalk.yaml: links[3].type: must be 'equivalent', 'related', 'supports' or "
        "'partial' (line 6)",
    ]


def test_catalog_error_summary_is_one_line():
    with pytest.raises(CatalogError) as caught:
        load_framework(INVALID / "many_problems.yaml")
    summary = caught.value.summary()
    assert "\n" not in summary
    assert summary.startswith("many_problems.yaml: 16 problems, first: many_problems.yaml: id:")


def test_a_missing_file_is_a_catalog_error(tmp_path: Path):
    with pytest.raises(CatalogError, match="cannot read the file"):
        load_framework(tmp_path / "absent.yaml")


def test_text_that_is_not_utf8_is_refused(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(MINIMAL.replace("Minimal", "Minimál").encode("latin-1"))
    with pytest.raises(CatalogError, match="not UTF-8 text"):
        load_framework(path)


def test_minimal_file_loads_with_its_hash_and_origin(tmp_path: Path):
    path = tmp_path / "mini.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    framework = load_framework(path)
    assert framework.published == "2024-05-01"
    assert framework.source_name == "mini.yaml"
    assert framework.sha256 == hashlib.sha256(MINIMAL.encode()).hexdigest()
    question = framework.question("mini.1")
    assert question.levels == {0: "Nothing", 5: "Everything"}
    assert question.weight == 1.0
    assert [node.id for node in framework.question_path("mini.1")] == ["S"]


def test_dumped_yaml_loads_back_to_an_equal_framework():
    framework = load_framework_text(MINIMAL, "mini.yaml")
    again = load_framework_text(dump_framework_yaml(framework), "again.yaml")
    assert again.model_dump() == framework.model_dump()


def test_framework_is_immutable():
    framework = load_framework_text(MINIMAL, "mini.yaml")
    with pytest.raises(Exception, match="frozen"):
        framework.title = "changed"  # type: ignore[misc]
