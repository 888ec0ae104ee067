"""A read-only table model over a list of plain rows (dataclasses or tuples).

Rows stay plain Python objects; the model only reads attributes when a cell is painted, so a
table of 100,000 rows costs one list and no per-cell objects. Sorting and searching go through
:class:`RowsFilterProxy`, which compares the raw values, not the painted text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
"""A right-aligned cell's alignment (worked out once: a painted cell asks for it)."""

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One column: a header, how to get the value from a row, and how to show it."""

    header: str
    value: Callable[[Any], Any]
    display: Callable[[Any], str] | None = None
    tooltip: Callable[[Any], str] | None = None
    colour: Callable[[Any], str | None] | None = None
    align_right: bool = False


@lru_cache(maxsize=64)
def _brush(colour: str) -> QBrush:
    """Return the brush of a text colour (one per colour: a painted cell asks for it)."""
    return QBrush(QColor(colour))


def attr(name: str) -> Callable[[Any], Any]:
    """Return a getter for attribute ``name`` (the usual column value)."""
    return lambda row: getattr(row, name)


def _text(value: Any) -> str:
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(str(v) for v in value)
    return str(value)


def fold(row: Any, columns: Sequence[Column]) -> str:
    """Return the row's displayed text in every column, folded for searching."""
    parts = ((c.display(c.value(row)) if c.display else _text(c.value(row))) for c in columns)
    return " ".join(parts).casefold()


def sort_key(value: Any) -> Any:
    """Return a key that orders raw values of any kind: missing, numbers, dates, then text."""
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, float(value))
    if isinstance(value, dt.date):
        return (2, value.isoformat())
    return (3, _text(value).casefold())


class RowsTableModel(QAbstractTableModel):
    """Table model over ``rows`` with the given ``columns``."""

    def __init__(self, columns: Sequence[Column], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._rows: list[Any] = []
        self._search_texts: list[str] | None = None

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._search_texts = None
        self.endResetModel()

    def refresh_values(self) -> None:
        """Tell views every cell may show a new value; rows, selection and scroll stay."""
        if self._rows:
            self._search_texts = None
            last = self.index(len(self._rows) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def search_text(self, row: int) -> str:
        """Return the row's displayed text, folded for searching (computed once per row set)."""
        if self._search_texts is None:
            self._search_texts = [self._fold(r) for r in self._rows]
        return self._search_texts[row]

    def _fold(self, row: Any) -> str:
        return fold(row, self._columns)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows in Python by the column's raw values (fast on 100,000 rows)."""
        getter = self._columns[column].value
        self.layoutAboutToBeChanged.emit()
        self._rows.sort(
            key=lambda row: sort_key(getter(row)),
            reverse=order == Qt.SortOrder.DescendingOrder,
        )
        self._search_texts = None
        self.layoutChanged.emit()

    def row_at(self, row: int) -> Any:
        return self._rows[row]

    def header(self, column: int) -> str:
        return self._columns[column].header

    def display_text(self, row: Any, column: int) -> str:
        """Return the text the table shows for ``row`` (a row object) in ``column``."""
        spec = self._columns[column]
        value = spec.value(row)
        return spec.display(value) if spec.display else _text(value)

    @property
    def rows(self) -> list[Any]:
        return self._rows

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._columns[section].header
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(self._rows[index.row()], index.column(), role)

    def cell(self, row: Any, column: int, role: int) -> Any:
        """Return what ``role`` asks of ``row`` (a row object) in ``column``."""
        spec = self._columns[column]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(row, column)
        if role == SORT_ROLE:
            return sort_key(spec.value(row))
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and spec.tooltip:
            return spec.tooltip(row)
        if role == Qt.ItemDataRole.ForegroundRole and spec.colour:
            colour = spec.colour(row)
            return _brush(colour) if colour else None
        if role == Qt.ItemDataRole.TextAlignmentRole and spec.align_right:
            return _RIGHT
        return None

    @property
    def columns(self) -> list[Column]:
        return self._columns


class RowsFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose text matches every word of the search and a filter predicate.

    Sorting is handed to the source model, which sorts its Python list by raw values; the
    proxy itself keeps source order, so large tables sort in one ``list.sort``.
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._predicate: Callable[[Any], bool] | None = None

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_words", [w.casefold() for w in text.split()]))

    def set_predicate(self, predicate: Callable[[Any], bool] | None) -> None:
        self._refilter(lambda: setattr(self, "_predicate", predicate))

    def _refilter(self, change: Callable[[], None]) -> None:
        # A full invalidate rebuilds the mapping once; a filter change would emit one update
        # per removed range, which costs seconds on 100,000 interleaved rows.
        change()
        self.invalidate()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= 0:
            self.sourceModel().sort(column, order)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model: RowsTableModel = self.sourceModel()  # type: ignore[assignment]
        if self._predicate is not None and not self._predicate(model.row_at(source_row)):
            return False
        if not self._words:
            return True
        haystack = model.search_text(source_row)
        return all(word in haystack for word in self._words)
