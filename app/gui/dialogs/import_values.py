"""The value step of the import wizard: say what the values Assay did not understand mean.

The dry run leaves a value it does not understand unrecorded and lists it here once, with the
number of rows it is on; the user picks its meaning (or leaves it unrecorded) and checks again.
The meanings go into the mapping profile with the column mappings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from app.ingest.fields import BOOL, SPECS
from app.ingest.records import UnknownValue

logger = logging.getLogger(__name__)

LEAVE = ""
_HEADERS = ("Sheet", "Column", "Value in the file", "Rows", "Means")
_SHEET, _COLUMN, _TEXT, _ROWS, _MEANS = range(5)


def meanings(target: str) -> list[str]:
    """Return the values a field may be given (empty for a field that is not a vocabulary)."""
    entity, name = target.split(".", 1)
    spec = SPECS[entity].field(name)
    if spec.enum is not None:
        return [member.value for member in spec.enum]
    return ["yes", "no"] if spec.kind == BOOL else []


class ValueChoices:
    """The values not understood so far and the meaning chosen for each.

    Values stay listed after they are given a meaning (the next dry run understands them and
    no longer reports them), so the user can change or undo a choice.
    """

    def __init__(self, chosen: dict[tuple[str, str], str] | None = None) -> None:
        self.values: dict[tuple[str, str], UnknownValue] = {}
        self.chosen: dict[tuple[str, str], str] = dict(chosen or {})

    def add(self, found: list[UnknownValue]) -> None:
        """Add the values a dry run did not understand (a value seen again keeps its place)."""
        for value in found:
            self.values[(value.column, value.text)] = value

    def choose(self, column: str, text: str, meaning: str) -> None:
        """Give a value a meaning; ``LEAVE`` leaves it unrecorded."""
        if meaning == LEAVE:
            self.chosen.pop((column, text), None)
        else:
            self.chosen[(column, text)] = meaning

    def written(self) -> list[str]:
        """Return the choices as the importer reads them, ``Column:Text=value``."""
        return [f"{column}:{text}={value}" for (column, text), value in self.chosen.items()]


class ValuesTable(QTableWidget):
    """One row per value not understood: where, how often, and a combo box of meanings."""

    def __init__(self, on_change: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(0, len(_HEADERS), parent)
        self.on_change = on_change
        self.choices = ValueChoices()
        self.setHorizontalHeaderLabels(_HEADERS)
        self.setAccessibleName("Values not understood")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(_TEXT, QHeaderView.ResizeMode.Stretch)
        self.combos: dict[tuple[str, str], QComboBox] = {}

    def show_choices(self, choices: ValueChoices) -> None:
        """List every value of ``choices`` with its chosen meaning."""
        self.choices = choices
        self.combos.clear()
        rows = list(choices.values.values())
        self.setRowCount(len(rows))
        for number, value in enumerate(rows):
            self._fill(number, value)
        for column in (_SHEET, _COLUMN, _ROWS):
            self.resizeColumnToContents(column)
        self.setColumnWidth(_MEANS, 220)

    def _fill(self, number: int, value: UnknownValue) -> None:
        for column, text in ((_SHEET, value.sheet), (_COLUMN, value.column),
                             (_TEXT, value.text), (_ROWS, f"{value.count:,}")):  # fmt: skip
            item = QTableWidgetItem(text)
            item.setToolTip(f"First on row {value.first_row} (read as {value.field})")
            self.setItem(number, column, item)
        combo = QComboBox()
        combo.setAccessibleName(f"Meaning of {value.text!r} in column {value.column}")
        combo.addItem("Leave unrecorded", LEAVE)
        for meaning in meanings(value.field):
            combo.addItem(meaning, meaning)
        chosen = self.choices.chosen.get((value.column, value.text), LEAVE)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))
        combo.currentIndexChanged.connect(lambda _i, v=value, c=combo: self._on_combo_changed(v, c))
        self.setCellWidget(number, _MEANS, combo)
        self.combos[(value.column, value.text)] = combo

    def _on_combo_changed(self, value: UnknownValue, combo: QComboBox) -> None:
        self.choices.choose(value.column, value.text, str(combo.currentData() or LEAVE))
        self.on_change()

    def choose(self, column: str, text: str, meaning: str) -> None:
        """Pick a meaning for one value (for tests and callers)."""
        combo = self.combos[(column, text)]
        index = combo.findData(meaning)
        if index < 0:
            raise KeyError(f"{meaning!r} is not offered for {text!r}")
        combo.setCurrentIndex(index)
