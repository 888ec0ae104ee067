"""Content versions: every framework file names its version, date and DOI or stable address,
and a new version's mapping from an earlier one is checked when the file loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.catalog.errors import CatalogError
from app.catalog.loader import load_framework, load_framework_text
from app.catalog.mapping import ChangeKind, identifier_url
from app.catalog.registry import load_default_catalog, shipped_versions
from app.support.paths import assessments_dir

DRAFT = Path(__file__).parents[1] / "data" / "frameworks" / "owasp-nhi-2026-draft.yaml"


def test_every_shipped_framework_names_version_date_and_identifier():
    for framework in load_default_catalog().frameworks():
        assert framework.version
        assert framework.published[:4].isdigit(), framework.id
        assert framework.identifier, f"{framework.id} has no DOI or stable address"
    catalog = load_default_catalog()
    assert catalog.framework("nist-ir-8596").identifier == "10.6028/NIST.IR.8596.iprd"
    assert catalog.framework("nist-ai-rmf").identifier == "10.6028/NIST.AI.100-1"
    assert identifier_url("10.6028/NIST.AI.100-1") == "https://doi.org/10.6028/NIST.AI.100-1"


def test_the_schema_rejects_a_malformed_identifier():
    text = DRAFT.read_text(encoding="utf-8").replace(
        "identifier: urn:assay-test:owasp-nhi:2026-draft", "identifier: see the website"
    )
    with pytest.raises(CatalogError) as caught:
        load_framework_text(text, "bad.yaml")
    assert "identifier" in str(caught.value)
    assert "DOI" in str(caught.value)


def test_the_synthetic_next_version_maps_every_kind_of_change():
    draft = load_framework(DRAFT)
    mapping = draft.mapping_from("2025")
    assert mapping is not None
    kinds = {change.change for change in mapping.changes}
    assert {ChangeKind.REWORDED, ChangeKind.SPLIT, ChangeKind.MERGED} <= kinds
    assert {ChangeKind.CHANGED, ChangeKind.REMOVED} <= kinds
    ids = frozenset(q.id for q in draft.questions)
    assert mapping.change_of("nhi.NHI1.q1", ids).change == ChangeKind.UNCHANGED  # not listed
    assert draft.mapping_from("1999") is None


def _draft_with(changes: list[dict]) -> str:
    data = yaml.safe_load(DRAFT.read_text(encoding="utf-8"))
    data["upgrades"] = [{"from_version": "2025", "changes": changes}]
    return yaml.safe_dump(data, sort_keys=False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ([{"from": "a", "to": ["nhi.NHI1.q1"], "change": "split"}], "two or more"),
        ([{"from": "a", "to": ["nhi.NHI1.q1"], "change": "removed"}], "no new question"),
        ([{"from": "a", "to": ["nhi.nope"], "change": "reworded"}], "no question 'nhi.nope'"),
        ([{"from": "a", "to": ["nhi.NHI1.q1"], "change": "merged"}], "only one question"),
        (
            [
                {"from": "a", "to": ["nhi.NHI1.q1"], "change": "changed"},
                {"from": "a", "to": ["nhi.NHI1.q1"], "change": "changed"},
            ],
            "already mapped",
        ),
        ([{"from": "a", "to": [], "change": "renamed"}], "change"),
    ],
)
def test_a_broken_mapping_is_reported_with_its_place(changes, message):
    with pytest.raises(CatalogError) as caught:
        load_framework_text(_draft_with(changes), "draft.yaml")
    text = str(caught.value)
    assert message in text
    assert "upgrades[0]" in text


def test_a_file_cannot_map_from_its_own_version():
    data = yaml.safe_load(DRAFT.read_text(encoding="utf-8"))
    data["upgrades"][0]["from_version"] = "2026-draft"
    with pytest.raises(CatalogError, match="own version"):
        load_framework_text(yaml.safe_dump(data), "draft.yaml")


def test_several_shipped_versions_load_the_newest_into_the_catalog(tmp_path):
    root = tmp_path / "assessments"
    shutil.copytree(assessments_dir(), root)
    shutil.copy(DRAFT, root / "owasp-nhi" / "2026-draft.yaml")
    catalog = load_default_catalog(root=root)
    assert catalog.framework("owasp-nhi").version == "2026-draft"
    versions = [f.version for f in shipped_versions("owasp-nhi", root=root)]
    assert versions == ["2025", "2026-draft"]
