"""A searchable, sortable table of plain rows with an optional filter drop-down."""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.gui.itemmodels.paint_gate import PAINTING
from app.gui.itemmodels.rows_table_model import ROW_ROLE, Column, RowsFilterProxy, RowsTableModel
from app.gui.itemmodels.shown_rows_model import ShownRowsModel

logger = logging.getLogger(__name__)

SIZE_SAMPLE_ROWS = 200
"""How many rows (spread over the table) fitting the columns to their contents looks at."""
MAX_FITTED_WIDTH = 420
"""Fitting never makes a column wider than this; the user may widen it."""
_CELL_PADDING, _SORT_ARROW_ROOM = 16, 28
_MEASURED_TEXTS = 8


class _TableView(QTableView):
    """A table view that holds the paint gate while it paints its cells.

    A worker ordering rows steps aside meanwhile, so the cells' calls into Python do not each
    wait for the worker to hand the interpreter over (see :mod:`app.gui.itemmodels.paint_gate`).
    """

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        with PAINTING.painting():
            super().paintEvent(event)


class RowsTable(QWidget):
    """Search box, filter choice, count label and a table view over plain rows.

    With ``large=True`` the search, filter and sort run on a worker
    (:class:`~app.gui.itemmodels.shown_rows_model.ShownRowsModel`) and the view shows the
    result when it is ready, so a table of 100,000 rows never holds the UI thread; otherwise
    a filter proxy does them at once, which suits tables of a few thousand rows.
    """

    row_activated = Signal(object)
    """The row (a plain object) the user double-clicked or pressed Enter on."""
    selection_changed = Signal(object)
    """The selected row, or None."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        noun: str = "rows",
        filters: Sequence[tuple[str, Callable[[Any], bool] | None]] = (),
        layout_key: str | None = None,
        large: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._layout_key = layout_key
        self._noun = noun
        self._ordering = False
        self.model = RowsTableModel(columns, self)
        self.proxy: RowsFilterProxy | ShownRowsModel
        if large:
            self.proxy = ShownRowsModel(self.model, self)
        else:
            self.proxy = RowsFilterProxy(self)
            self.proxy.setSourceModel(self.model)
        self.search = QLineEdit()
        self.search.setPlaceholderText(f"Search {noun}…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(f"Search {noun}")
        self.filter_box = QComboBox()
        self.filter_box.setAccessibleName(f"Filter {noun}")
        self._filters = list(filters)
        for label, _predicate in self._filters:
            self.filter_box.addItem(label)
        self.filter_box.setVisible(bool(self._filters))
        self.count_label = QLabel()
        self.view: QTableView = _TableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.setAccessibleName(noun.capitalize())
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.filter_box)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        # Debounce typing so that a 100,000-row filter runs once per pause, not per key.
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.filter_box.currentIndexChanged.connect(self._on_filter_box_changed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.activated.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_row_changed)
        if isinstance(self.proxy, ShownRowsModel):
            self.proxy.accept_sorting()  # after the view's own first call, made above
            self._follow_ordering(self.proxy)
        if self._filters:
            self._on_filter_box_changed(0)  # the first filter shown is the one in force
        if layout_key:
            self._restore_layout()

    # Column layout, remembered per table in QSettings ------------------------------------
    def _settings_name(self) -> str:
        return f"tables/{self._layout_key}/header"

    def _restore_layout(self) -> None:
        header = self.view.horizontalHeader()
        state = QSettings().value(self._settings_name())
        if state is not None:
            header.restoreState(state)
        self._layout_timer = QTimer(self, singleShot=True, interval=400)
        self._layout_timer.timeout.connect(self.save_layout)
        for signal in (header.sectionResized, header.sectionMoved):
            signal.connect(lambda *_args: self._layout_timer.start())

    def save_layout(self) -> None:
        """Remember column widths and order of this table (tables with a layout key only)."""
        if self._layout_key:
            QSettings().setValue(self._settings_name(), self.view.horizontalHeader().saveState())

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.model.set_rows(rows)
        self._update_count()

    def refresh_values(self) -> None:
        """Show new values of the same rows (keeps selection, scroll and column widths)."""
        self.model.refresh_values()
        self._update_count()

    def selected_row(self) -> Any:
        index = self.view.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def _follow_ordering(self, shown: ShownRowsModel) -> None:
        """Keep the count and the chosen row when a worker's new order is shown."""
        chosen: list[int] = []

        def remember() -> None:
            index = self.view.currentIndex()
            keep = index.isValid() and shown.shows_source_rows()
            chosen[:] = [shown.source_row(index.row())] if keep else []

        def restore() -> None:
            position = shown.position_of(chosen[0]) if chosen else -1
            if position >= 0 and shown.shows_source_rows():
                self.view.selectRow(position)
                self.view.scrollTo(shown.index(position, 0))
            self._update_count()

        def ordering(busy: bool) -> None:
            self._ordering = busy
            self._update_count()

        shown.modelAboutToBeReset.connect(remember)
        shown.modelReset.connect(restore)
        shown.ordering.connect(ordering)

    def resize_columns(self) -> None:
        """Fit each column to its header and to the text of a sample of rows.

        Qt's own fitting asks the model for every role of every measured cell; measuring the
        sampled texts directly costs a few milliseconds on 100 or 100,000 rows.
        """
        rows = self.model.rows
        sample = rows[:: max(1, len(rows) // SIZE_SAMPLE_ROWS)][:SIZE_SAMPLE_ROWS]
        cell = self.view.fontMetrics()
        header = self.view.horizontalHeader().fontMetrics()
        for column in range(self.model.columnCount()):
            texts = {self.model.display_text(row, column) for row in sample}
            longest = heapq.nlargest(_MEASURED_TEXTS, texts, key=len)  # the widest is among them
            widest = max((cell.horizontalAdvance(text) for text in longest), default=0)
            title = header.horizontalAdvance(self.model.header(column)) + _SORT_ARROW_ROOM
            width = min(MAX_FITTED_WIDTH, max(widest + _CELL_PADDING, title))
            self.view.setColumnWidth(column, width)

    def _apply_search(self) -> None:
        self.proxy.set_search(self.search.text())
        self._update_count()

    def _on_filter_box_changed(self, index: int) -> None:
        self.proxy.set_predicate(
            self._filters[index][1] if 0 <= index < len(self._filters) else None
        )
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if self._ordering:
            self.count_label.setText(f"Filtering {total:,} {self._noun}…")
            return
        text = (
            f"{total:,} {self._noun}" if shown == total else f"{shown:,} of {total:,} {self._noun}"
        )
        self.count_label.setText(text)

    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.row_activated.emit(row)

    def _on_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.selection_changed.emit(current.data(ROW_ROLE) if current.isValid() else None)
