"""Start-up of the main window on a 10,000- and a 100,000-system workspace, against a bare window.

Each cold start runs in a fresh process, the way ``assay gui`` starts: the window paints first
(title, menus, "Opening workspace…"), then a worker opens the workspace and loads the database
layers, and the pages fill. Prints the median of several starts of two times: the first paint,
as a ratio to a bare PySide6 window, and the workspace ready (its summary shown and the
questionnaire catalog loaded); and the peak memory of the process with that workspace open.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import textwrap

import pytest

RUNS = 5
READY_AIM_S = 1.5

PEAK_MB = textwrap.dedent(
    """
    def peak_mb():
        # VmHWM restarts at exec; ru_maxrss keeps the forking parent's peak on Linux.
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        import resource
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    """
)

BARE = PEAK_MB + textwrap.dedent(
    """
    import time, json
    t0 = time.perf_counter()
    from PySide6.QtWidgets import QApplication, QMainWindow
    app = QApplication([])
    w = QMainWindow(); w.resize(1200, 780); w.show(); app.processEvents()
    print(json.dumps({"seconds": time.perf_counter() - t0, "ready": time.perf_counter() - t0,
                      "rss_mb": peak_mb()}))
    """
)

ASSAY = PEAK_MB + textwrap.dedent(
    """
    import time, json, sys
    t0 = time.perf_counter()
    from pathlib import Path
    from app.gui.app import create_application, start_window
    from app.gui.theme import apply_theme
    from app.support.start_preferences import load_start_preferences
    app = create_application()
    apply_theme(app, load_start_preferences().theme)
    w = start_window(Path(sys.argv[1]))
    app.processEvents()  # the first paint (it also starts the opening worker)
    shown = time.perf_counter() - t0
    while not w.is_ready():
        app.processEvents(); time.sleep(0.002)
    overview = w.page("overview")
    while overview.summary is None or w.context._catalog is None:
        app.processEvents(); time.sleep(0.002)
    ready = time.perf_counter() - t0
    print(json.dumps({"seconds": shown, "ready": ready, "rss_mb": peak_mb()}))
    w.close()
    """
)


def _measure(code: str, *args: str) -> tuple[float, float, float]:
    results = []
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return (
        statistics.median(r["seconds"] for r in results),
        statistics.median(r["ready"] for r in results),
        max(r["rss_mb"] for r in results),
    )


@pytest.mark.parametrize("systems", [10_000, 100_000])
def test_startup(systems, bulk_workspace_file, aims):
    path = bulk_workspace_file(systems)
    bare_s, _bare_ready, bare_mb = _measure(BARE)
    assay_s, assay_ready, assay_mb = _measure(ASSAY, str(path))
    print(
        f"\nstart-up, {systems:,} systems: window painted after {assay_s:.2f} s vs bare PySide6 "
        f"window {bare_s:.2f} s (ratio {assay_s / bare_s:.1f}x; aim <= 4x)"
    )
    print(
        f"  workspace ready (summary shown, questionnaires loaded) after {assay_ready:.2f} s "
        f"(ratio {assay_ready / bare_s:.1f}x; aim <= {READY_AIM_S} s)"
    )
    print(f"peak memory: Assay {assay_mb:.0f} MB (bare window {bare_mb:.0f} MB; aim <= 400 MB)")
    aims.check("first paint against a bare window", assay_s / bare_s, 4.0, "x")
    aims.check("workspace ready", assay_ready, READY_AIM_S)
    aims.check("peak memory", assay_mb, 400, "MB")
