"""The Inventory page on 10,000 and 100,000 AI systems: load, filter, search, sort and scroll.

Drives the real window over a workspace built through the storage layer (twice as many
identities as systems) while ``UiGapRecorder`` records the longest time the UI thread could not
react. Prints the wall time and the longest gap of each step; the aim is no gap above 50 ms.
"""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt

from tests.bench.test_bench_responsiveness import Steps

AIM_MS = 50
TIMEOUT_MS = 300_000


def _choose(table, label: str) -> None:
    table.filter_box.setCurrentIndex(table.filter_box.findText(label))


def _settled(qtbot, table):
    return lambda: qtbot.waitUntil(lambda: not table.proxy.busy(), timeout=TIMEOUT_MS)


def _scroll(qtbot, table, steps: int = 40) -> None:
    """Scroll from the top to the bottom of the table in ``steps`` jumps, then page back up."""
    bar = table.view.verticalScrollBar()
    for step in range(steps + 1):
        bar.setValue(bar.maximum() * step // steps)
        qtbot.wait(15)
    for _ in range(10):
        table.view.verticalScrollBar().triggerAction(bar.SliderAction.SliderPageStepSub)
        qtbot.wait(15)


def _drive(qtbot, steps: Steps, table, filter_label: str, search: str) -> None:
    steps.run(f"filter: {filter_label}", lambda: _choose(table, filter_label),
              _settled(qtbot, table))  # fmt: skip
    steps.run("scroll the filtered rows", lambda: None, lambda: _scroll(qtbot, table))
    steps.run(f"search {search!r}", lambda: table.search.setText(search),
              lambda: (qtbot.wait(200), _settled(qtbot, table)()))  # fmt: skip
    steps.run("clear the search", table.search.clear,
              lambda: (qtbot.wait(200), _settled(qtbot, table)()))  # fmt: skip
    steps.run("sort by name, descending",
              lambda: table.view.sortByColumn(1, Qt.SortOrder.DescendingOrder),
              _settled(qtbot, table))  # fmt: skip
    steps.run("scroll the sorted rows", lambda: None, lambda: _scroll(qtbot, table))
    steps.run("back to every row", lambda: _choose(table, table.filter_box.itemText(0)),
              _settled(qtbot, table))  # fmt: skip


@pytest.mark.parametrize("systems", [10_000, 100_000])
def test_bench_inventory_page_at_scale(
    systems, bulk_workspace_file, make_main_window, tmp_path, qtbot, aims
):
    from app.gui import tasks
    from app.services.workspace import open_workspace

    copy = tmp_path / "inventory.assay"
    shutil.copy2(bulk_workspace_file(systems), copy)
    window = make_main_window(open_workspace(copy, actor="bench"))
    page = None

    def show() -> None:
        nonlocal page
        window.show_page("inventory")
        page = window.page("inventory")

    qtbot.waitUntil(lambda: tasks.live_task_count() == 0, timeout=TIMEOUT_MS)  # settled window
    steps = Steps(f"Inventory page, {systems:,} AI systems and {2 * systems:,} identities", AIM_MS)
    steps.run("open the page, load the rows", show, lambda: qtbot.waitUntil(
        lambda: page._load_task is None and page.systems.model.rowCount() == systems,
        timeout=TIMEOUT_MS))  # fmt: skip
    steps.run("blast radius and risk columns", lambda: None, lambda: qtbot.waitUntil(
        lambda: page._analysis_task is None, timeout=TIMEOUT_MS))  # fmt: skip
    steps.run("scroll every system", lambda: None, lambda: _scroll(qtbot, page.systems))
    _drive(qtbot, steps, page.systems, "In production", "system 12")
    steps.run("risk tier high or critical",
              lambda: _choose(page.systems, "Risk tier high or critical"),
              _settled(qtbot, page.systems))  # fmt: skip
    shown = page.systems.proxy.rowCount()
    steps.run("show the identities", lambda: page.tabs.setCurrentWidget(page.identities),
              _settled(qtbot, page.identities))  # fmt: skip
    steps.run("scroll every identity", lambda: None, lambda: _scroll(qtbot, page.identities))
    _drive(qtbot, steps, page.identities, "Without an owner", "svc 99")
    print(f"  ({shown:,} systems at high or critical risk)")
    steps.total(aims)
