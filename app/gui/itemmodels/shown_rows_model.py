"""The rows a large table shows, filtered, searched and sorted on a worker.

:class:`ShownRowsModel` stands between a :class:`~app.gui.itemmodels.rows_table_model.
RowsTableModel` holding every row and the view. It keeps only the order of the rows shown (a
list of row numbers, or a ``range`` when nothing filters or sorts), so a view over 100,000 rows
asks the UI thread for nothing but the cells it paints. A new search, filter or sort, and new
rows or values, are worked out on a worker by :func:`order_rows`; the view keeps showing the
previous order until the new one is ready, then the model resets once. At most one worker runs
per table: a change asked for meanwhile runs when it ends, on the newest choices.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from app.gui import tasks
from app.gui.itemmodels.paint_gate import PAINTING, STEP_ROWS, in_steps
from app.gui.itemmodels.rows_table_model import (
    ROW_ROLE,
    SORT_ROLE,
    RowsTableModel,
    fold,
    sort_key,
)
from app.support.gc_pause import paused_gc

logger = logging.getLogger(__name__)

SORT_CHUNK = 4_096
"""Rows sorted in one go: a sort holds the interpreter throughout, so the worker sorts chunks
this long and merges them, letting the UI thread run in between."""

_Index = QModelIndex | QPersistentModelIndex
Predicate = Callable[[Any], bool]
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ANSWERED = frozenset(
    {_DISPLAY, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole,
     Qt.ItemDataRole.TextAlignmentRole, ROW_ROLE, SORT_ROLE}
)  # fmt: skip
"""The roles a cell answers; the view asks for several more per painted cell."""


@dataclass
class Snapshot:
    """One set of rows with their values as they were when it was taken (a worker reads it)."""

    rows: list[Any]
    columns: list[Any]
    texts: list[str] | None = field(default=None, repr=False)
    """Each row's folded text, made by the first search and kept for the next ones."""


@dataclass(frozen=True)
class Choice:
    """What the user chose: a filter, search words and a sort column (-1: the rows' order)."""

    predicate: Predicate | None = None
    words: tuple[str, ...] = ()
    column: int = -1
    descending: bool = False

    def is_plain(self) -> bool:
        """Return True when every row shows in its own order."""
        return self.predicate is None and not self.words and self.column < 0


def order_rows(snapshot: Snapshot, choice: Choice) -> Sequence[int]:
    """Return the numbers of the rows to show, in the order to show them (run on a worker)."""
    with paused_gc():  # every row's text or sort key: no collection may stop the UI thread
        rows, columns = snapshot.rows, snapshot.columns
        numbers: range | list[int] = range(len(rows))
        if choice.predicate is not None:
            keep = choice.predicate
            numbers = [n for part in in_steps(numbers) for n in part if keep(rows[n])]
        if choice.words:
            if snapshot.texts is None:
                every = range(len(rows))
                snapshot.texts = [fold(rows[n], columns) for part in in_steps(every) for n in part]
            texts, words = snapshot.texts, choice.words
            numbers = [
                n for part in in_steps(numbers) for n in part if all(w in texts[n] for w in words)
            ]
        if choice.column >= 0:
            value = columns[choice.column].value
            keyed = [(sort_key(value(rows[n])), n) for part in in_steps(numbers) for n in part]
            numbers = _sorted_in_chunks(keyed, choice.descending)
            _let_go(keyed)
        return numbers


def _sorted_in_chunks(keyed: list[tuple[Any, int]], descending: bool) -> list[int]:
    """Sort (key, row number) pairs, rows of equal keys in their own order.

    Descending sorts (key, -row number) pairs rising and reads them backwards: the keys fall
    and rows of equal keys still come in their own order, with no wrapper object per row.
    """
    if descending:
        keyed = [(key, -n) for key, n in keyed]
    chunks = []
    for start in range(0, len(keyed), SORT_CHUNK):
        PAINTING.step()
        chunks.append(sorted(keyed[start : start + SORT_CHUNK]))
    merged, numbers = heapq.merge(*chunks), []
    while part := [n for _key, n in islice(merged, STEP_ROWS)]:
        PAINTING.step()
        numbers.extend(part)
    if descending:
        numbers.reverse()
        numbers = [-n for n in numbers]
    _let_go(keyed)
    while chunks:  # each chunk frees its pairs and keys: a bounded stop at a time
        chunks.pop()
    return numbers


def _let_go(items: list[Any]) -> None:
    """Empty ``items`` a chunk at a time.

    Freeing a list of 100,000 objects is one long step that holds the interpreter (and so
    the UI thread, should it need Python meanwhile); in chunks the UI thread runs in between.
    """
    while items:
        PAINTING.step()
        del items[-SORT_CHUNK:]


class ShownRowsModel(QAbstractTableModel):
    """The view's model: the source's rows in the order worked out on a worker.

    Offers the filter proxy's methods the table widget uses (``set_search``,
    ``set_predicate``, ``mapToSource``), so a large table and a small one are driven alike.
    """

    ordering = Signal(bool)
    """True when a new order is being worked out, False when the one shown is current."""

    def __init__(self, source: RowsTableModel, parent: Any = None) -> None:
        super().__init__(parent)
        self._source = source
        self._column_count = len(source.columns)
        self._layouts: dict[int, tuple[tuple[int, int], ...]] = {}
        self._snapshot = Snapshot([], list(source.columns))
        self._order: Sequence[int] = range(0)
        self._shown_rows: list[Any] = []
        self._sorting = False
        self._choice = Choice()
        self._task: tasks.Task | None = None
        self._pending = False
        source.modelReset.connect(self._on_source_reset)
        source.dataChanged.connect(self._on_source_values_changed)

    # What the table widget drives ---------------------------------------------------------
    def set_search(self, text: str) -> None:
        self._choose(words=tuple(w.casefold() for w in text.split()))

    def set_predicate(self, predicate: Predicate | None) -> None:
        self._choose(predicate=predicate)

    def accept_sorting(self) -> None:
        """Sort from now on when the view asks (it asks once when sorting is enabled)."""
        self._sorting = True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._sorting:
            self._choose(column=column, descending=order == Qt.SortOrder.DescendingOrder)

    def mapToSource(self, index: _Index) -> QModelIndex:  # noqa: N802 - the proxy's name
        """Return the source model's index of the cell shown at ``index``.

        Invalid while new rows are being ordered (the view still shows the previous ones).
        """
        if not index.isValid() or self._shown_rows is not self._source.rows:
            return QModelIndex()
        return self._source.index(self._order[index.row()], index.column())

    def shows_source_rows(self) -> bool:
        """Return True when the rows shown are the source's current rows."""
        return self._shown_rows is self._source.rows

    def source_row(self, row: int) -> int:
        """Return the source row number shown at ``row``."""
        return self._order[row]

    def position_of(self, source_row: int) -> int:
        """Return where the source row ``source_row`` is shown, or -1 when it is not."""
        try:
            return self._order.index(source_row)
        except ValueError:
            return -1

    def busy(self) -> bool:
        """Return True while a new order is being worked out."""
        return self._task is not None

    # Ordering ------------------------------------------------------------------------------
    def _choose(self, **changes: Any) -> None:
        self._choice = replace(self._choice, **changes)
        self._reorder()

    def _on_source_reset(self) -> None:
        self._snapshot = Snapshot(self._source.rows, list(self._source.columns))
        if self._choice.is_plain():
            self._show(self._snapshot, range(len(self._snapshot.rows)))
        self._reorder()

    def _on_source_values_changed(self, *_args: object) -> None:
        self._snapshot = Snapshot(self._snapshot.rows, self._snapshot.columns)  # texts changed
        if self._order:
            last = self.index(len(self._order) - 1, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), last)  # the view repaints what it shows
        self._reorder()

    def _reorder(self) -> None:
        if self._choice.is_plain():
            if len(self._order) != len(self._snapshot.rows) or not isinstance(self._order, range):
                self._show(self._snapshot, range(len(self._snapshot.rows)))
            return
        if self._task is not None:
            self._pending = True  # worked out again, on the newest choice, when it ends
            return
        snapshot, choice = self._snapshot, self._choice
        self.ordering.emit(True)
        self._task = tasks.run_task(
            order_rows, snapshot, choice, with_progress=False,
            on_success=lambda order: self._ordered(snapshot, choice, order),
            on_finished=self._on_task_finished,
        )  # fmt: skip

    def _ordered(self, snapshot: Snapshot, choice: Choice, order: Sequence[int]) -> None:
        if snapshot is self._snapshot and choice == self._choice:
            self._show(snapshot, order)
        else:
            self._pending = True

    def _on_task_finished(self) -> None:
        self._task = None
        if self._pending:
            self._pending = False
            self._reorder()
        if self._task is None:
            self.ordering.emit(False)

    def _show(self, snapshot: Snapshot, order: Sequence[int]) -> None:
        self.beginResetModel()
        self._shown_rows, self._order = snapshot.rows, order
        self.endResetModel()

    # The model -----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._column_count

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return self._source.headerData(section, orientation, role)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role not in _ANSWERED or not index.isValid():
            return None  # asked for every painted cell: answered without a look at the row
        row = self._shown_rows[self._order[index.row()]]
        if role == _DISPLAY:
            return self._source.display_text(row, index.column())
        return self._source.cell(row, index.column(), role)

    def multiData(self, index: _Index, roleDataSpan: QModelRoleDataSpan) -> None:  # noqa: N802, N803 - Qt's names
        """Fill every role a view asks of one cell in one call.

        A view paints a cell after asking for seven roles; answered one by one, that is
        seven calls into Python per cell. The view asks for them in the same order every
        time, so where the answered roles sit is learnt once per number of roles asked. Every
        answered role is set, None too: the view may hand the same span from cell to cell.
        """
        if not index.isValid():
            return
        row = self._shown_rows[self._order[index.row()]]
        column, cell = index.column(), self._source.cell
        size = roleDataSpan.size()
        layout = self._layouts.get(size)
        if layout is None:
            layout = self._layouts[size] = _layout(roleDataSpan)
        for position, role in layout:
            item = roleDataSpan[position]
            if item.role() != role:  # roles asked in another order: look at each
                self._layouts.pop(size, None)
                for item in roleDataSpan:
                    item.setData(cell(row, column, item.role()))
                return
            item.setData(cell(row, column, role))


def _layout(span: QModelRoleDataSpan) -> tuple[tuple[int, int], ...]:
    """Return the positions in ``span`` of the roles a cell answers, with each role."""
    roles = [item.role() for item in span]
    return tuple((n, role) for n, role in enumerate(roles) if role in _ANSWERED)
