"""Step 3 of the import wizard: what each source column maps to.

Every column gets a combo box of the canonical fields with the importer's own suggestion
preselected; "Keep as custom attribute" keeps a column that matches nothing (it is stored with
the record and shown in the system view).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.services.inventory_import.inspection import (
    ATTRIBUTE,
    MappingChoices,
    MappingRow,
    field_label,
    field_targets,
)
from app.support.text import plural

if TYPE_CHECKING:
    from app.gui.dialogs.import_wizard import ImportWizard

logger = logging.getLogger(__name__)

_SHEET, _COLUMN, _EXAMPLES, _TARGET, _STATE = range(5)
_HEADERS = ("Sheet", "Column in the file", "Examples", "Maps to", "")


class MappingPage(QWizardPage):
    """A table of source columns, each with a combo box of canonical fields."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Map the columns")
        self.setSubTitle(
            "Each column of the file and the inventory field it fills. Assay preselects its "
            "suggestion; change any that is wrong. Columns kept as custom attributes are "
            "stored with the record and shown in the system view."
        )
        self.choices: MappingChoices | None = None
        self._combos: dict[tuple[str, str], QComboBox] = {}
        self._rows: dict[tuple[str, str], int] = {}
        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setHorizontalHeaderLabels(_HEADERS)
        self.table.setAccessibleName("Column mapping")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(_EXAMPLES, QHeaderView.ResizeMode.Stretch)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.reset_button = QPushButton("Use the suggestions")
        self.reset_button.setToolTip("Undo every change and map each column as Assay suggests")
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        bar = QHBoxLayout()
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.reset_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)

    def _wizard(self) -> ImportWizard:
        return self.wizard()  # type: ignore[return-value]

    def initializePage(self) -> None:
        wizard = self._wizard()
        preview = wizard.file_preview
        sheets = wizard.sheet_page.selected_sheets()
        rows = [MappingRow(s.name, s.entity, c) for s in sheets for c in s.columns]
        kept = wizard.choices.overrides if wizard.choices else wizard.extra.column_overrides()
        self.choices = wizard.choices = MappingChoices(rows, kept)
        self._combos.clear()
        self._rows.clear()
        self.table.setRowCount(0)
        if preview is not None and preview.credential_report:
            self.summary.setText(
                "An identity export has a fixed shape; there is nothing to map."
                if preview.kind == "export"
                else "An AWS credential report has fixed columns; there is nothing to map."
            )
            self.table.hide()
            self.reset_button.hide()
            return
        self.table.show()
        self.reset_button.show()
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            self._fill_row(number, row)
        self.table.resizeColumnToContents(_SHEET)
        self.table.resizeColumnToContents(_COLUMN)
        self.table.setColumnWidth(_TARGET, 260)
        self.table.setColumnWidth(_STATE, 130)
        self._update_summary()

    def _fill_row(self, number: int, row: MappingRow) -> None:
        key = (row.sheet, row.column.header)
        self._rows[key] = number
        self.table.setItem(number, _SHEET, QTableWidgetItem(row.sheet))
        self.table.setItem(number, _COLUMN, QTableWidgetItem(row.column.header))
        examples = QTableWidgetItem(" · ".join(row.column.examples))
        examples.setToolTip("\n".join(row.column.examples))
        self.table.setItem(number, _EXAMPLES, examples)
        self.table.setItem(number, _STATE, QTableWidgetItem())
        combo = QComboBox()
        combo.setAccessibleName(f"Field for column {row.column.header} of sheet {row.sheet}")
        combo.setToolTip(f"Where the values of {row.column.header!r} go")
        combo.addItem(field_label(ATTRIBUTE, row.entity), ATTRIBUTE)
        targets = field_targets(row.entity)
        own = [t for t in targets if row.entity and t.startswith(f"{row.entity}.")]
        for group in (own, targets[len(own) :]):
            if not group:
                continue
            combo.insertSeparator(combo.count())
            for target in group:
                combo.addItem(field_label(target, row.entity), target)
        combo.setMaxVisibleItems(20)
        self.table.setCellWidget(number, _TARGET, combo)
        self._combos[key] = combo
        self._show_choice(row)
        combo.currentIndexChanged.connect(lambda _i, r=row, c=combo: self._on_combo_changed(r, c))

    def _show_choice(self, row: MappingRow) -> None:
        assert self.choices is not None
        key = (row.sheet, row.column.header)
        combo, number = self._combos[key], self._rows[key]
        target = self.choices.chosen(row)
        combo.blockSignals(True)
        combo.setCurrentIndex(max(combo.findData(target), 0))
        combo.blockSignals(False)
        if target != row.column.suggested:
            state = "changed"
        elif target:
            state = "suggested"
        else:
            state = "custom attribute"
        item = self.table.item(number, _STATE)
        item.setText(state)
        suggestion = field_label(row.column.suggested, row.entity)
        item.setToolTip(f"Assay's suggestion: {suggestion}")

    def _on_combo_changed(self, row: MappingRow, combo: QComboBox) -> None:
        if self.choices is None:
            return
        target = str(combo.currentData() or "")
        for changed in self.choices.choose(row, target):
            self._show_choice(changed)
        self._update_summary()

    def _on_reset_button_clicked(self) -> None:
        if self.choices is None:
            return
        self.choices.overrides.clear()
        for row in self.choices.rows:
            self._show_choice(row)
        self._update_summary()

    def _update_summary(self) -> None:
        assert self.choices is not None
        rows = self.choices.rows
        mapped = sum(1 for r in rows if self.choices.chosen(r))
        changed = len(self.choices.overrides)
        self.summary.setText(
            f"{len(rows)} columns: {mapped} mapped to fields, {len(rows) - mapped} kept as custom "
            f"attributes; {plural(changed, 'column name')} mapped by hand."
        )

    # For tests and callers ------------------------------------------------------------------
    def combo_for(self, sheet: str, header: str) -> QComboBox:
        """Return the combo box of one column."""
        return self._combos[(sheet, header)]

    def choose(self, sheet: str, header: str, target: str) -> None:
        """Pick ``target`` (``entity.field``, or empty for a custom attribute) for a column."""
        combo = self.combo_for(sheet, header)
        index = combo.findData(target)
        if index < 0:
            raise KeyError(f"{target!r} is not offered for column {header!r}")
        combo.setCurrentIndex(index)
