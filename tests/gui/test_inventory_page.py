"""The Inventory page: systems and identities tables, blast radius columns, system tabs."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.services.inventory_import import import_inventory
from app.services.inventory_queries import SystemRow
from tests.gui.writes import announce

SHEETS: dict[str, list[list[object]]] = {
    "AI systems": [
        ["id", "name", "owner_email", "business_unit", "autonomy", "data_classification",
         "environment", "identities"],
        ["AIS-001", "Claims agent", "ann@example.com", "Claims", "autonomous", "restricted",
         "production", "svc-claims"],
        ["AIS-002", "Underwriting copilot", "bob@example.com", "Underwriting",
         "human-in-the-loop", "confidential", "production", "svc-shared"],
        ["AIS-003", "Marketing drafts", "", "Marketing", "advisory", "internal", "test",
         "svc-shared"],
    ],
    "Identities": [
        ["id", "kind", "owner_email", "last_rotated", "revocation_procedure"],
        ["svc-claims", "service-account", "ann@example.com", "2020-01-01", "runbook"],
        ["svc-shared", "api-key", "", "", ""],
    ],
    "Resources": [["id", "sensitivity"], ["claims-db", "restricted"]],
    "Grants": [["identity", "resource", "action", "scope"],
               ["svc-claims", "claims-db", "admin", "*"]],
}  # fmt: skip


@pytest.fixture
def page(make_main_window, workspace, tmp_path: Path, qtbot):
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for name, rows in SHEETS.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(tmp_path / "inventory.xlsx")
    _plan, result = import_inventory(workspace, tmp_path / "inventory.xlsx")
    assert result is not None
    window = make_main_window(workspace=workspace)
    window.show_page("inventory")
    page = window.page("inventory")
    qtbot.waitUntil(lambda: page._load_task is None and page._analysis_task is None, timeout=10_000)
    return page


def shown(table, column: int = 0) -> list[str]:
    proxy = table.proxy
    return [proxy.index(r, column).data() for r in range(proxy.rowCount())]


def settle(qtbot, table) -> None:
    """Wait until the table shows the rows of the search, filter and sort chosen last.

    The Inventory tables work them out on a worker and show the result when it is ready.
    """
    qtbot.waitUntil(lambda: not table.proxy.busy(), timeout=10_000)


def choose_filter(table, label: str, qtbot) -> None:
    table.filter_box.setCurrentIndex(table.filter_box.findText(label))
    settle(qtbot, table)


def test_systems_table_lists_filters_searches_and_sorts(page, qtbot):
    table = page.systems
    assert shown(table) == ["AIS-001", "AIS-002", "AIS-003"]
    assert table.count_label.text() == "3 AI systems"
    choose_filter(table, "Without an owner", qtbot)
    assert shown(table) == ["AIS-003"]
    choose_filter(table, "In production", qtbot)
    assert shown(table) == ["AIS-001", "AIS-002"]
    choose_filter(table, "All systems", qtbot)
    qtbot.keyClicks(table.search, "underwriting")
    qtbot.waitUntil(lambda: table.proxy.rowCount() == 1)
    assert shown(table) == ["AIS-002"]
    assert table.count_label.text() == "1 of 3 AI systems"
    table.search.clear()
    qtbot.waitUntil(lambda: table.proxy.rowCount() == 3)
    table.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)  # by name
    settle(qtbot, table)
    assert shown(table, 1) == ["Underwriting copilot", "Marketing drafts", "Claims agent"]


def test_blast_radius_and_risk_columns_are_filled(page, qtbot):
    headers = [page.systems.model.headerData(c, Qt.Orientation.Horizontal) for c in range(13)]
    blast, risk = headers.index("Blast radius"), headers.index("Risk tier")
    rows = dict(zip(shown(page.systems), shown(page.systems, blast), strict=True))
    assert int(rows["AIS-001"]) > 0  # admin on restricted data
    assert rows["AIS-003"] == "unknown"  # its identity holds no grant: not recorded, not 0
    model = page.systems.model
    row = next(r for r in range(model.rowCount()) if model.rows[r].ext_id == "AIS-003")
    index = model.index(row, blast)
    assert model.data(index, Qt.ItemDataRole.ForegroundRole).color().name() == "#757575"
    assert "access not recorded" in model.data(index, Qt.ItemDataRole.ToolTipRole)
    tiers = dict(zip(shown(page.systems), shown(page.systems, risk), strict=True))
    assert tiers["AIS-001"].startswith("critical")
    assert tiers["AIS-003"].endswith("(provisional)")
    choose_filter(page.systems, "Risk tier high or critical", qtbot)
    assert "AIS-001" in shown(page.systems)
    assert "AIS-003" not in shown(page.systems)


def test_identities_table_and_its_filters(page, qtbot):
    table = page.identities
    assert table.model.rowCount() == 0, "a hidden table is filled when it is first shown"
    page.tabs.setCurrentWidget(table)
    assert shown(table) == ["svc-claims", "svc-shared"]
    choose_filter(table, "Shared by several systems", qtbot)
    assert shown(table) == ["svc-shared"]
    choose_filter(table, "Not rotated in time", qtbot)
    assert shown(table) == ["svc-claims"]
    choose_filter(table, "Without an owner", qtbot)
    assert shown(table) == ["svc-shared"]


def test_activating_a_system_opens_it_in_a_closable_tab(page, qtbot):
    index = page.systems.proxy.index(0, 0)
    page.systems.view.doubleClicked.emit(index)
    assert "AIS-001" in page.system_views
    view = page.system_views["AIS-001"]
    assert page.tabs.currentWidget() is view
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert page.open_system("AIS-001") is view  # one tab per system
    assert page.tabs.count() == 3
    page.tabs.tabCloseRequested.emit(2)
    assert page.tabs.count() == 2
    assert not page.system_views


def test_hundred_thousand_light_rows_load_filter_and_sort(page, qtbot):
    rows = [
        SystemRow(f"AIS-{n:06d}", f"System {n}", f"Unit {n % 40}", "", "production",
                  "production" if n < 50_000 else "test", "advisory", "internal", "internal",
                  n % 5, n % 3)
        for n in range(100_000)
    ]  # fmt: skip
    page.set_system_rows(rows)
    table = page.systems
    assert table.model.rowCount() == 100_000
    assert table.count_label.text() == "100,000 AI systems"
    table.view.selectRow(7)
    choose_filter(table, "In production", qtbot)
    assert table.proxy.rowCount() == 50_000
    assert table.count_label.text() == "50,000 of 100,000 AI systems"
    assert table.selected_row().ext_id == "AIS-000007", "the chosen row stays chosen"
    choose_filter(table, "All systems", qtbot)
    table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert table.count_label.text() == "Filtering 100,000 AI systems…"
    settle(qtbot, table)
    assert table.count_label.text() == "100,000 AI systems"
    assert table.proxy.index(0, 0).data() == "AIS-099999"
    assert table.proxy.index(99_999, 0).data() == "AIS-000000"


def test_import_changes_refresh_the_tables(page, qtbot, workspace, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "AI systems"
    book.active.append(["id", "name"])
    book.active.append(["AIS-004", "New agent"])
    book.save(tmp_path / "more.xlsx")
    import_inventory(workspace, tmp_path / "more.xlsx")
    with qtbot.waitSignal(page.rows_loaded, timeout=10_000):
        announce(page._context, "import_run")
    assert "AIS-004" in shown(page.systems)


def test_activating_an_identity_shows_its_details_in_a_window(page, qtbot):
    page.tabs.setCurrentIndex(1)
    table = page.identities
    table.view.doubleClicked.emit(table.proxy.index(shown(table).index("svc-claims"), 0))
    dialog = page.identity_dialogs["svc-claims"]
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        pass
    text = dialog.profile.toPlainText()
    for expected in ("svc-claims", "service-account", "ann@example.com", "AIS-001", "runbook",
                     "claims-db (admin)"):  # fmt: skip
        assert expected in text
    assert "svc-claims → claims-db (admin)" in text
    assert "svc-claims → svc-claims" not in text, "a path names its identity once"
    assert [(g.resource, g.action, g.scope) for g in dialog.grants.model.rows] == [
        ("claims-db", "admin", "*")
    ]
    findings = dialog.findings.model.rows
    assert "key-not-rotated" in {f.rule_id for f in findings}  # rotated in 2020
    assert {f.identity for f in findings} == {"svc-claims"}
    assert dialog.tabs.tabText(3) == f"Hygiene findings ({len(findings)})"
    assert page.open_identity("svc-claims") is dialog  # one window per identity
    dialog.reject()
    assert "svc-claims" not in page.identity_dialogs


def test_an_identity_shared_by_systems_lists_them(page, qtbot):
    dialog = page.open_identity("svc-shared")
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=10_000)
    assert dialog.data.analysis.systems == ("AIS-002", "AIS-003")
    assert "AIS-002, AIS-003" in dialog.profile.toPlainText()
    assert dialog.grants.model.rows == []
    assert "Blast radius unknown: access not recorded" in dialog.profile.toPlainText()
    assert "0/100" not in dialog.profile.toPlainText()


def test_an_identity_gone_from_the_inventory_says_so(page, qtbot):
    dialog = page.open_identity("svc-404")
    qtbot.waitUntil(lambda: "svc-404" in dialog.message.text(), timeout=10_000)
    assert dialog.data is None
    assert not dialog.tabs.isEnabled()
