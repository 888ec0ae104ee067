"""The generic rows table: search, filters, sorting by raw value, activation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import Qt

from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.widgets.rows_table import RowsTable


@dataclass(frozen=True)
class Row:
    ident: str
    name: str
    score: int
    due: dt.date | None


COLUMNS = [
    Column("ID", attr("ident")),
    Column("Name", attr("name")),
    Column("Score", attr("score"), align_right=True),
    Column("Due", attr("due")),
]


def _table(qtbot, rows):
    table = RowsTable(
        COLUMNS, noun="systems", filters=[("All", None), ("High", lambda r: r.score >= 50)]
    )
    qtbot.addWidget(table)
    table.set_rows(rows)
    return table


def test_search_matches_every_word_across_columns(qtbot):
    rows = [Row(f"AIS-{i:03}", f"agent {i % 7}", i, None) for i in range(100)]
    table = _table(qtbot, rows)
    assert table.count_label.text() == "100 systems"
    qtbot.keyClicks(table.search, "agent 3 AIS-00")
    qtbot.waitUntil(lambda: table.proxy.rowCount() == 1)
    assert table.count_label.text() == "1 of 100 systems"


def test_filter_and_numeric_sort(qtbot):
    rows = [Row("a", "x", 9, None), Row("b", "y", 100, None), Row("c", "z", 55, None)]
    table = _table(qtbot, rows)
    table.filter_box.setCurrentIndex(1)
    assert table.proxy.rowCount() == 2
    table.view.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    firsts = [table.proxy.index(r, 0).data() for r in range(table.proxy.rowCount())]
    assert firsts == ["c", "b"]  # 55 before 100: numbers, not text


def test_activation_emits_the_plain_row(qtbot):
    rows = [Row("a", "x", 1, dt.date(2026, 1, 1))]
    table = _table(qtbot, rows)
    assert table.proxy.index(0, 3).data() == "2026-01-01"
    with qtbot.waitSignal(table.row_activated) as blocker:
        table.view.doubleClicked.emit(table.proxy.index(0, 1))
    assert blocker.args[0] is rows[0]


def test_hundred_thousand_rows_load_and_filter(qtbot):
    rows = [Row(f"AIS-{i:06}", f"system {i}", i % 100, None) for i in range(100_000)]
    table = _table(qtbot, rows)
    assert table.model.rowCount() == 100_000
    table.filter_box.setCurrentIndex(1)
    assert table.proxy.rowCount() == 50_000


def test_column_layout_is_remembered_per_table(qtbot):
    from app.gui.app import create_application

    create_application()  # QSettings points at the test's own config folder
    first = RowsTable(COLUMNS, noun="systems", layout_key="test-systems")
    qtbot.addWidget(first)
    first.set_rows([Row("a", "x", 1, None)])
    first.view.horizontalHeader().resizeSection(1, 333)
    first.save_layout()
    second = RowsTable(COLUMNS, noun="systems", layout_key="test-systems")
    qtbot.addWidget(second)
    assert second.view.horizontalHeader().sectionSize(1) == 333


def test_columns_fit_the_widest_sampled_text_and_the_header(qtbot):
    rows = [Row(f"AIS-{i:05}", "short", i, None) for i in range(50_000)]
    rows[25_000] = Row("AIS-25000", "a much longer name in the middle of the table", 1, None)
    table = _table(qtbot, rows)
    table.resize_columns()
    view, metrics = table.view, table.view.fontMetrics()
    long_name = metrics.horizontalAdvance("a much longer name in the middle of the table")
    assert view.columnWidth(1) >= long_name, "the sample is spread over the whole table"
    header = view.horizontalHeader().fontMetrics().horizontalAdvance("Score")
    assert view.columnWidth(2) > header, "a narrow column still shows its header"
    rows[0] = Row("AIS-0", "x" * 2_000, 1, None)
    table.set_rows(rows)
    table.resize_columns()
    assert view.columnWidth(1) <= 420, "fitting never makes a column absurdly wide"


def test_new_values_keep_the_selection_and_refilter(qtbot):
    table = _table(qtbot, [Row(f"AIS-{i:03}", f"agent {i}", i, None) for i in range(100)])
    table.view.selectRow(3)
    table.model.rows[:] = [Row(r.ident, r.name, 100 - r.score, r.due) for r in table.model.rows]
    table.refresh_values()
    assert table.view.currentIndex().row() == 3, "the selection stays where it was"
    assert table.selected_row().score == 97
    assert table.proxy.index(3, 2).data() == "97", "the view shows the new value"
    table.filter_box.setCurrentIndex(1)  # High: score >= 50
    assert table.count_label.text() == "51 of 100 systems"
    table.model.rows[:] = [Row(r.ident, r.name, 0, r.due) for r in table.model.rows]
    table.refresh_values()
    assert table.count_label.text() == "0 of 100 systems", "the filter follows the new values"


def test_large_table_sorts_both_ways_keeping_equal_rows_in_their_order(qtbot, monkeypatch):
    from app.gui.itemmodels import shown_rows_model

    monkeypatch.setattr(shown_rows_model, "SORT_CHUNK", 7)  # many chunks merged
    rows = [Row(f"AIS-{i:03}", f"agent {i}", (i * 37) % 5, None) for i in range(60)]
    table = RowsTable(COLUMNS, noun="systems", large=True)
    qtbot.addWidget(table)
    table.set_rows(rows)
    for order, reverse in (
        (Qt.SortOrder.DescendingOrder, True),
        (Qt.SortOrder.AscendingOrder, False),
    ):
        table.view.sortByColumn(2, order)
        qtbot.waitUntil(lambda: not table.proxy.busy())
        shown = [table.proxy.index(r, 0).data() for r in range(table.proxy.rowCount())]
        expected = sorted(rows, key=lambda row: row.score, reverse=reverse)  # a stable sort
        assert shown == [row.ident for row in expected]


def test_a_large_table_paints_each_cell_as_it_answers_each_role(qtbot):
    """The view takes a cell's roles in one call; each role shows what data() answers."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStyleOptionViewItem

    columns = [*COLUMNS, Column("Flag", attr("name"), colour=lambda r: "#c62828" * (r.score > 5))]
    table = RowsTable(columns, noun="systems", large=True)
    qtbot.addWidget(table)
    table.set_rows([Row("a", "x", 9, None), Row("b", "y", 1, dt.date(2026, 1, 2))])
    delegate, shown = table.view.itemDelegate(), table.proxy
    for row in range(2):
        for column in range(len(columns)):
            index = shown.index(row, column)
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, index)
            assert option.text == index.data()
            colour = index.data(Qt.ItemDataRole.ForegroundRole)
            text = option.palette.brush(QPalette.ColorRole.Text).color()
            assert text == (
                colour.color() if colour else QPalette().brush(QPalette.ColorRole.Text).color()
            )
            right = bool(option.displayAlignment & Qt.AlignmentFlag.AlignRight)
            assert right == (column == 2)
    assert shown.index(1, 3).data() == "2026-01-02"
