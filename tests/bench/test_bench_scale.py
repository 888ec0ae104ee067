"""A 100,000-system workspace: import, blast radius, identity findings and peak memory.

The generated register (200,000 identities, 500,000 grants, 60,000 delegations, see
:mod:`tests.bench.scale_register`) is written once per run; a child process imports it into
a new workspace, computes every system's blast radius and refreshes the identity findings
twice (:mod:`tests.bench.scale_child`), so its peak resident memory is the work's own.
Aims: import <= 30 s, blast radius of every system <= 5 s, findings refresh <= 10 s (<= 1 s
when nothing changed), peak memory <= 600 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bench.scale_register import RegisterSize

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scale_figures(scale_register, tmp_path_factory) -> dict[str, float]:
    workspace = tmp_path_factory.mktemp("scale") / "scale.assay"
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.scale_child", str(scale_register), str(workspace)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)
    steps = {"plan": "plan", "apply": "apply", "blast": "blast radius",
             "refresh": "findings refresh", "again": "refresh again, unchanged"}  # fmt: skip
    print(
        f"\n{RegisterSize(100_000).describe()} ({scale_register.stat().st_size / 1e6:.0f} MB "
        f"workbook, {figures['findings']:,.0f} findings), load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores:\n"
        + "\n".join(
            f"  {label}: {figures[key]:.2f} s wall, {figures[key + '_cpu']:.2f} s CPU"
            for key, label in steps.items()
        )
        + f"\n  peak resident memory {figures['peak_mb']:.0f} MB"
    )
    return figures


def test_bench_scale_import(scale_figures, aims):
    aims.check("import of 100,000 systems", scale_figures["plan"] + scale_figures["apply"], 30)


def test_bench_scale_blast_radius(scale_figures, aims):
    assert scale_figures["systems"] == 100_000
    aims.check("blast radius of 100,000 systems", scale_figures["blast"], 5)


def test_bench_scale_findings_refresh(scale_figures, aims):
    assert scale_figures["unchanged"] == scale_figures["findings"]
    aims.check("identity findings refresh, 100,000 systems", scale_figures["refresh"], 10)
    aims.check("identity findings refresh, nothing changed", scale_figures["again"], 1)


def test_bench_scale_peak_memory(scale_figures, aims):
    aims.check("peak memory of the 100,000-system work", scale_figures["peak_mb"], 600, "MB")
