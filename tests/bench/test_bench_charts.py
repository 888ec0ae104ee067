"""Chart drawing time of a report and a portfolio, their WeasyPrint cost, and the bundle size.

Charts are SVG text written by app/reports/charts.py. Figures measured on the 2-core machine
when they replaced matplotlib (CPU, read as ratios): charts of one report 510 ms → 3 ms,
portfolio charts 576 ms → 9 ms, first chart of a process (imports) 1.5 s → 0.01 s, WeasyPrint
laying out the eight charts 726 ms → 480 ms; one-folder bundle 344 MB → 185 MB.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.reports import charts
from app.reports.loading import load_yaml, report_data_from_dict

DUMMY = Path(__file__).resolve().parents[1] / "data" / "report_dummy.yaml"
BUNDLE = Path(__file__).resolve().parents[2] / "dist" / "assay"
#: Aims: CPU milliseconds to draw the charts of one report and of a 25-system portfolio.
REPORT_CHARTS_AIM_MS = 50.0
PORTFOLIO_CHARTS_AIM_MS = 100.0
#: The first chart of a process loads no plotting library.
FIRST_CHART_AIM_S = 0.2
#: WeasyPrint laying out all those charts on pages.
LAYOUT_AIM_MS = 1500.0
#: Issue 19: the one-folder bundle.
BUNDLE_AIM_MB = 200.0
ROUNDS = 10


def _report_charts(data) -> list[str]:
    frameworks = data.frameworks
    titles = [f.title for f in frameworks]
    return [
        charts.score_bars_svg(
            titles,
            [f.overall.mean for f in frameworks],
            [],
            [f.overall.target for f in frameworks],
        ),
        *(charts.score_by_function_svg(f) for f in frameworks),
        charts.blast_gauge_svg(97, "critical"),
        charts.comparison_svg(titles, [1.0] * len(titles), [2.0] * len(titles)),
    ]


def _portfolio_charts() -> list[str]:
    rows = [f"AIS-{n:03d} System number {n}" for n in range(25)]
    columns = [f"IR 8596 F{n}" for n in range(12)]
    values = [[(r * c) % 6 if (r + c) % 3 else None for c in range(12)] for r in range(25)]
    measures = ["Identities with a named owner", "Over-privileged identities", "Secrets rotated"]
    return [charts.heatmap_svg(rows, columns, values), charts.kpi_svg(measures, [0.55, 0.25, None])]


def _cpu_ms(action) -> float:
    start = time.process_time()
    for _ in range(ROUNDS):
        action()
    return (time.process_time() - start) / ROUNDS * 1000


def test_bench_first_chart_loads_nothing_heavy(aims):
    probe = (
        "import time\n"
        "start = time.process_time()\n"
        "from app.reports import charts\n"
        "charts.score_bars_svg(['A'], [1.0], [], [2.0])\n"
        "print(time.process_time() - start)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=DUMMY.parents[2],
    )
    aims.check("first chart of a process (CPU)", float(out.stdout.split()[-1]), FIRST_CHART_AIM_S)


def test_bench_chart_drawing_and_layout(aims):
    from weasyprint import HTML

    data = report_data_from_dict(load_yaml(DUMMY)["report"])
    drawn = _report_charts(data) + _portfolio_charts()
    report_ms = _cpu_ms(lambda: _report_charts(data))
    portfolio_ms = _cpu_ms(_portfolio_charts)
    print(f"  {len(drawn)} charts, {sum(map(len, drawn)):,} bytes of SVG")
    aims.check("charts of one report (CPU)", report_ms, REPORT_CHARTS_AIM_MS, unit="ms")
    aims.check("charts of a 25-system portfolio (CPU)", portfolio_ms, PORTFOLIO_CHARTS_AIM_MS,
               unit="ms")  # fmt: skip
    images = "".join(
        f'<figure><img style="width: 100%" src="{charts.svg_data_uri(svg)}"></figure>'
        for svg in drawn
    )
    HTML(string="<p>warm</p>").write_pdf()
    start = time.process_time()
    HTML(string=f"<html><body>{images}</body></html>").write_pdf()
    layout_ms = (time.process_time() - start) * 1000
    aims.check("WeasyPrint laying out those charts (CPU)", layout_ms, LAYOUT_AIM_MS, unit="ms")


def test_bench_bundle_size(aims):
    if not BUNDLE.is_dir():
        pytest.skip("no bundle in dist/ (build it with make bundle)")
    files = [p for p in BUNDLE.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 2**20
    parts = [p for p in BUNDLE.joinpath("_internal").iterdir() if not p.is_symlink()]
    biggest = sorted(parts, key=_size, reverse=True)[:8]
    print("  largest parts: " + ", ".join(f"{p.name} {_size(p) / 2**20:.0f} MB" for p in biggest))
    aims.check("one-folder bundle", size_mb, BUNDLE_AIM_MB, unit="MB")


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
