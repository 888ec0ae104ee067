"""The sample inventory files in resources/samples import cleanly and match their generator."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from app.ingest.pipeline import parse_inventory
from app.services.inventory_import import apply_plan, plan_import
from app.support.paths import resources_dir

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = resources_dir() / "samples"
PROBLEMS = ROOT / "tests" / "data" / "inventory" / "acme-inventory-with-problems.xlsx"


def _generator():
    path = ROOT / "tests" / "data" / "inventory" / "make_samples.py"
    spec = importlib.util.spec_from_file_location("make_samples", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _content(path: Path) -> dict:
    inventory = parse_inventory(path)
    return {
        "records": {
            entity: [(r.key, r.values, r.attributes, r.source.row) for r in records]
            for entity, records in inventory.records.items()
        },
        "links": [(k.system, k.identity) for k in inventory.links],
        "problems": [str(p) for p in inventory.problems],
    }


def test_samples_match_their_generator(tmp_path):
    written = _generator().write_samples(tmp_path / "samples", tmp_path / "data")
    for fresh in written:
        committed = PROBLEMS if fresh.parent.name == "data" else SAMPLES / fresh.name
        assert committed.exists(), committed
        if fresh.suffix == ".csv":
            assert fresh.read_bytes() == committed.read_bytes()
        else:
            assert _content(fresh) == _content(committed)


@pytest.mark.parametrize(
    ("name", "created"),
    [
        ("acme-inventory.xlsx", {"systems": 8, "identities": 11, "resources": 10, "grants": 13,
                                 "delegations": 3}),
        ("aws-credential-report.csv", {"identities": 8}),
    ],
)  # fmt: skip
def test_samples_import_cleanly_and_twice_changes_nothing(workspace, name, created):
    plan = plan_import(workspace, SAMPLES / name)
    assert plan.problems == []
    result = apply_plan(workspace, plan)
    for entity, number in created.items():
        assert result.counts[entity]["created"] == number
    again = plan_import(workspace, SAMPLES / name)
    assert sum(c.get("creates", 0) + c.get("updates", 0) for c in again.summary().values()) == 0


def test_flat_register_imports_after_its_resources(workspace):
    apply_plan(workspace, plan_import(workspace, SAMPLES / "acme-register-resources.csv"))
    plan = plan_import(workspace, SAMPLES / "acme-register-flat.csv")
    assert plan.problems == []
    result = apply_plan(workspace, plan)
    assert result.counts["systems"]["created"] == 2
    assert result.counts["grants"]["created"] == 3
    assert result.people_created == 2


def test_faulty_copy_reports_its_three_problems(workspace):
    plan = plan_import(workspace, PROBLEMS)
    assert [str(p) for p in plan.problems] == [
        "acme-inventory-with-problems.xlsx, sheet 'AI System Register', row 6, column "
        "'Next review': '31/02/2026' is not a date; read as unrecorded",
        "acme-inventory-with-problems.xlsx, sheet 'AI System Register', row 13, column "
        "'System ID': duplicate AI system 'ACME-AI-01': already on row 5; read once",
        "acme-inventory-with-problems.xlsx, sheet 'Access', row 15, column 'Principal': "
        "identity 'sa-ghost' is neither in this file nor in the workspace",
    ]
    assert [p.is_error for p in plan.problems] == [False, False, True]
