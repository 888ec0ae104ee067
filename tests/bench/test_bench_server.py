"""The team server against the file: saving an answer, and importing 10,000 AI systems.

Both run on a throw-away PostgreSQL cluster on this computer (localhost) and, for comparison,
on a workspace file. Aims: the median answer save on the server <= 20 ms (its 95th
percentile and the file's figures are printed beside it); the import of the generated
10,000-system workbook (20,000 identities, 50,000 grants) into the server <= 2x the time
into a file.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from app.services import assessments as svc
from app.services.inventory_import import apply_plan, plan_import
from app.services.workspace import Workspace, open_workspace
from tests.bench.test_bench_import import workbooks  # noqa: F401 - the generated workbooks
from tests.gui.test_assessments_page import add_system

SAVES = 300


def _save_times(workspace: Workspace) -> list[float]:
    """Answer questions one after another, each its own transaction; return each save's time."""
    add_system(workspace)
    info = svc.new_assessment(workspace, "AIS-001", ["nist-ai-rmf"], target=3)
    questions = [r.question_id for r in svc.list_responses(workspace, info.id)]
    for question in questions[:10]:  # warm up: connections, prepared statements, caches
        svc.answer(workspace, info.id, question, 1)
    times = []
    for n in range(SAVES):
        start = time.perf_counter()
        svc.answer(workspace, info.id, questions[n % len(questions)], n % 6, note=f"save {n}")
        times.append(time.perf_counter() - start)
    return times


def _figures(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95)] * 1000


def test_bench_answer_save_on_a_server(server_url, tmp_path, aims):
    server = open_workspace(server_url, create=False)
    try:
        on_server = _figures(_save_times(server))
    finally:
        server.close()
    file = open_workspace(tmp_path / "bench.assay", actor="bench")
    try:
        on_file = _figures(_save_times(file))
    finally:
        file.close()
    print(
        f"\nanswer save, {SAVES} saves (load average {os.getloadavg()[0]:.1f}): server median "
        f"{on_server[0]:.1f} ms, p95 {on_server[1]:.1f} ms; file median {on_file[0]:.1f} ms, "
        f"p95 {on_file[1]:.1f} ms; server/file {on_server[0] / on_file[0]:.2f}x"
    )
    aims.check("answer save on the server (median)", on_server[0], 20, "ms")


def _import_time(location: str | Path, book: Path) -> float:
    workspace = open_workspace(location, create=not isinstance(location, str), actor="bench")
    try:
        start = time.perf_counter()
        plan = plan_import(workspace, book)
        assert not plan.has_errors, plan.errors[:3]
        apply_plan(workspace, plan)
        return time.perf_counter() - start
    finally:
        workspace.close()


def test_bench_import_to_a_server(workbooks, server_url, tmp_path, aims):  # noqa: F811
    book = workbooks[1]
    on_file = _import_time(tmp_path / "bench.assay", book)
    on_server = _import_time(server_url, book)
    print(
        f"\nimport of 10,000 systems, 20,000 identities, 50,000 grants (load average "
        f"{os.getloadavg()[0]:.1f}): file {on_file:.2f} s, server {on_server:.2f} s, "
        f"server/file {on_server / on_file:.2f}x"
    )
    aims.check("import to the server / to a file", on_server / on_file, 2.0, "x")
