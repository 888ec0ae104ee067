"""Run the scale benchmark's work in a child process and print its figures as JSON.

``python -m tests.bench.scale_child WORKBOOK WORKSPACE`` imports the workbook into a new
workspace, computes every system's blast radius, refreshes the identity findings twice (the
second time nothing changed) and reports the seconds of each step (wall and CPU: on a shared
machine the CPU time is the steadier figure) and the process's peak resident memory, which
only a process of its own measures truthfully.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path


def _timed(figures: dict[str, float], name: str, work):
    """Run ``work``; note its wall time as ``name`` and its CPU time as ``name_cpu``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = work()
    figures[name] = time.perf_counter() - start
    figures[f"{name}_cpu"] = time.process_time() - start_cpu
    return result


def main(workbook: Path, workspace: Path) -> dict[str, float]:
    """Do the work and return its figures (seconds; ``peak_mb`` in MiB)."""
    from app.services import identity_analysis
    from app.services.inventory_import import apply_plan, plan_import
    from app.services.workspace import open_workspace

    figures: dict[str, float] = {}
    ws = open_workspace(workspace, actor="bench")
    try:
        plan = _timed(figures, "plan", lambda: plan_import(ws, workbook))
        if plan.has_errors:
            raise SystemExit(f"the generated register has errors: {plan.errors[:3]}")
        _timed(figures, "apply", lambda: apply_plan(ws, plan))
        plan = None  # the parsed file is not needed any more
        portfolio = _timed(figures, "blast", lambda: identity_analysis.analyse_all(ws))
        figures["systems"] = len(portfolio.systems)
        first = _timed(figures, "refresh", lambda: identity_analysis.refresh_identity_findings(ws))
        figures["findings"] = first.created
        again = _timed(figures, "again", lambda: identity_analysis.refresh_identity_findings(ws))
        figures["unchanged"] = again.unchanged
    finally:
        ws.close()
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


if __name__ == "__main__":
    json.dump(main(Path(sys.argv[1]), Path(sys.argv[2])), sys.stdout)
