"""Import of a generated workbook: 10,000 AI systems, 20,000 identities and 50,000 grants.

Prints the time of each stage (read, plan, apply) and the ratio of the whole import to
python-calamine's bare read of the same file; aims: <= 1.5 s for the 10,000-row systems sheet
alone and <= 5 s for the whole workbook. Figures are printed, never asserted.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

import pytest

from app.ingest.pipeline import parse_inventory
from app.services.inventory_import import apply_plan, plan_import
from app.services.workspace import open_workspace
from tests.bench.scale_register import (
    GRANT_HEADERS,
    IDENTITY_HEADERS,
    RESOURCE_HEADERS,
    SYSTEM_HEADERS,
)

SYSTEMS, IDENTITIES, RESOURCES, GRANTS = 10_000, 20_000, 2_000, 50_000


def _rows(seed: int = 4):
    rng = random.Random(seed)
    day = dt.date(2025, 1, 1)
    envs, stages = ["prod", "Staging", "test", "dev"], ["production", "pilot", "planned"]
    autonomy = ["advisory", "Human in the loop", "HOTL", "autonomous"]
    classes = ["internal", "Confidential", "restricted", "public"]
    systems = [
        [f"AIS-{i:05}", f"System {i}", f"Does thing {i}", f"Owner {i % 300}",
         f"owner{i % 300}@example.com", f"BU {i % 20}", "Vendor", "model-x",
         stages[i % 3], envs[i % 4], autonomy[i % 4], classes[i % 4], "internal",
         "crm; email", f"svc-{2 * i:05}; svc-{2 * i + 1:05}", "a; b",
         day + dt.timedelta(days=i % 365), f"CC{i % 50}"]
        for i in range(SYSTEMS)
    ]  # fmt: skip
    identities = [
        [f"svc-{i:05}", f"Service {i}", ["service account", "API key", "role"][i % 3], "Entra ID",
         f"team{i % 100}@example.com", envs[i % 4], day - dt.timedelta(days=400 + i % 100),
         (day - dt.timedelta(days=i % 200)).isoformat(), day - dt.timedelta(days=i % 30),
         day + dt.timedelta(days=365), "Disable in the directory"]
        for i in range(IDENTITIES)
    ]  # fmt: skip
    resources = [[f"res-{i:04}", f"Resource {i}", "database", envs[i % 4], classes[i % 4]]
                 for i in range(RESOURCES)]  # fmt: skip
    actions = ["read", "write", "execute", "admin", "Read/Write"]
    grants = [
        [f"svc-{i % IDENTITIES:05}", f"res-{rng.randrange(RESOURCES):04}", actions[i % 5],
         f"scope-{i}", "no", "yes", day - dt.timedelta(days=i % 90)]
        for i in range(GRANTS)
    ]  # fmt: skip
    return systems, identities, resources, grants


def _write(path: Path, sheets: dict[str, tuple[list[str], list[list]]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
    book.save(path)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-import")
    systems, identities, resources, grants = _rows()
    only_systems = folder / "systems.xlsx"
    _write(only_systems, {"AI systems": (SYSTEM_HEADERS, systems)})
    whole = folder / "inventory.xlsx"
    _write(
        whole,
        {
            "AI systems": (SYSTEM_HEADERS, systems),
            "Identities": (IDENTITY_HEADERS, identities),
            "Resources": (RESOURCE_HEADERS, resources),
            "Grants": (GRANT_HEADERS, grants),
        },
    )
    return only_systems, whole


def _bare_read(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    book = CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def _import(path: Path, workspace_path: Path) -> dict[str, float]:
    ws = open_workspace(workspace_path, actor="bench")
    try:
        start = time.perf_counter()
        parse_inventory(path)
        read = time.perf_counter() - start
        start = time.perf_counter()
        plan = plan_import(ws, path)
        planned = time.perf_counter() - start
        assert not plan.has_errors, plan.errors[:3]
        start = time.perf_counter()
        apply_plan(ws, plan)
        applied = time.perf_counter() - start
        start = time.perf_counter()
        again = plan_import(ws, path)
        replan = time.perf_counter() - start
        assert all(c["creates"] == 0 and c.get("updates", 0) == 0 for c in again.summary().values())
    finally:
        ws.close()
    return {"read": read, "plan": planned, "apply": applied, "replan": replan}


@pytest.mark.parametrize("which", ["systems sheet", "whole workbook"])
def test_bench_import(workbooks, tmp_path, which, aims):
    path = workbooks[0] if which == "systems sheet" else workbooks[1]
    bare = min(_bare_read(path) for _ in range(3))
    times = _import(path, tmp_path / "bench.assay")
    total = times["plan"] + times["apply"]
    aim = 1.5 if which == "systems sheet" else 5.0
    print(
        f"\nimport, {which} ({path.stat().st_size / 1e6:.1f} MB): plan {times['plan']:.2f} s "
        f"(reading alone {times['read']:.2f} s) + apply {times['apply']:.2f} s = "
        f"{total:.2f} s (aim <= {aim} s); calamine bare read {bare:.2f} s; "
        f"ratio {total / bare:.1f}x; re-import dry run {times['replan']:.2f} s"
    )
    aims.check(f"import of the {which}", total, aim)
