"""Step 2 of the import wizard: which sheets to import and where their headers are.

The importer finds each sheet's header row itself; when it guesses wrong the user picks the
row in a spin box, and the sheet is read again with that row on a worker, so its sample,
columns and the mapping step follow.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.gui import tasks
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.widgets.rows_table import RowsTable
from app.services.inventory_import.inspection import (
    EXPORT_KIND,
    FilePreview,
    SheetPreview,
    inspect_file,
    inspect_sheet,
)
from app.support.text import plural

if TYPE_CHECKING:
    from app.gui.dialogs.import_wizard import ImportWizard

logger = logging.getLogger(__name__)

ALL_SHEETS = ""
_HEADER_COLOUR = "#cfe3ff"


class SheetPage(QWizardPage):
    """Reads the file on a worker, lists its sheets and previews the chosen one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Sheets and header rows")
        self.setSubTitle(
            "Assay found these sheets and, in each, the row holding the column headers (title "
            "rows above it are skipped). Choose whether to import every sheet or one, and pick "
            "another header row for a sheet where the guess is wrong."
        )
        self._task: tasks.Task | None = None
        self._reread: tasks.Task | None = None
        self._source: tuple[str, str] | None = None
        self.header_rows: dict[str, int] = {}
        """The header rows the user chose, by sheet name (1-based)."""
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Reading the file")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.sheet_box = QComboBox()
        self.sheet_box.setAccessibleName("Sheets to import")
        self.sheet_box.currentIndexChanged.connect(lambda _i: self.completeChanged.emit())
        self.sheets = RowsTable(
            [
                Column("Sheet", attr("name")),
                Column("Holds", lambda s: s.title),
                Column("Header row", attr("header_row"), display=lambda v: str(v or "—"),
                       align_right=True),
                Column("Data rows", attr("data_rows"), align_right=True),
                Column("Note", attr("note")),
            ],
            noun="sheets",
        )  # fmt: skip
        self.sheets.search.hide()
        self.sheets.selection_changed.connect(self._show_sample)
        self.sample = QTableWidget()
        self.sample.setAccessibleName("First rows of the sheet")
        self.sample.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.header_label = QLabel()
        self.header_label.setWordWrap(True)
        self.header_spin = QSpinBox()
        self.header_spin.setAccessibleName("Header row")
        self.header_spin.setToolTip(
            "The row of the selected sheet that holds its column headers; the rows below it "
            "are read as data"
        )
        self.header_spin.setSpecialValueText("none found")
        self.header_spin.setKeyboardTracking(False)  # typed digits count once, on Enter
        self.header_spin.setEnabled(False)
        self.header_spin.valueChanged.connect(self._on_header_spin_changed)
        self.header_hint = QLabel()
        self.header_hint.setObjectName("pageHint")
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.sheets)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.header_label)
        bottom_layout.addWidget(self.sample, 1)
        splitter.addWidget(bottom)
        splitter.setSizes([160, 300])
        header_row = QHBoxLayout()
        header_row.addWidget(self.header_spin)
        header_row.addWidget(self.header_hint, 1)
        form = QFormLayout()
        form.addRow("Import:", self.sheet_box)
        form.addRow("Header row:", header_row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addWidget(splitter, 1)

    def _wizard(self) -> ImportWizard:
        return self.wizard()  # type: ignore[return-value]

    # Reading -----------------------------------------------------------------------------
    def initializePage(self) -> None:
        wizard = self._wizard()
        source = (str(wizard.file_page.path()), wizard.file_page.file_format())
        if source == self._source and wizard.file_preview is not None:
            return
        self._source = source
        wizard.file_preview = None
        wizard.choices = None
        self.header_rows.clear()
        self.sheets.set_rows([])
        self.sample.clear()
        self.sheet_box.clear()
        self.header_label.clear()
        self.progress.setValue(0)
        self.progress.show()
        self.message.setText(f"Reading {wizard.file_page.path().name}…")
        self.cancel()
        self._task = tasks.run_task(
            inspect_file,
            wizard.file_page.path(),
            format=wizard.file_page.file_format(),
            on_success=self._on_inspected,
            on_failure=self._on_failed,
            on_progress=self._on_progress,
        )
        self.completeChanged.emit()

    def cancel(self) -> None:
        for task in (self._task, self._reread):
            if task is not None:
                task.cancel()
        self._task = self._reread = None

    def _on_progress(self, fraction: float, _message: str) -> None:
        self.progress.setValue(int(fraction * 100))

    def _on_failed(self, exc: BaseException) -> None:
        self._task = None
        self._source = None
        self.progress.hide()
        self.message.setText(f"This file cannot be imported: {exc}")
        self.completeChanged.emit()

    def _on_inspected(self, preview: FilePreview) -> None:
        self._task = None
        self._wizard().file_preview = preview
        self.progress.hide()
        self.sheets.set_rows(list(preview.sheets))
        self.sheets.resize_columns()
        usable = [s for s in preview.sheets if s.columns]
        if preview.kind == EXPORT_KIND:
            self.message.setText(
                f"{preview.path.name} is read as an identity export: {preview.note}. Its "
                "identities, resources, grants and delegations are imported; there are no "
                "sheets or columns to choose."
            )
        elif preview.credential_report:
            self.message.setText(
                "This file is an AWS IAM credential report: its users and access keys are "
                "imported as identities."
            )
        elif not usable:
            self.message.setText("No sheet of this file has a row of column headers.")
        else:
            self.message.setText(
                f"{plural(len(preview.sheets), 'sheet')}; {sum(1 for s in usable if s.entity)} "
                "recognised as inventory."
            )
        if len(preview.sheets) > 1:
            self.sheet_box.addItem(f"All sheets ({len(preview.sheets)})", ALL_SHEETS)
        for sheet in preview.sheets:
            self.sheet_box.addItem(f"Only {sheet.name!r} ({sheet.title})", sheet.name)
        if preview.sheets:
            self.sheets.view.selectRow(0)
        self.completeChanged.emit()

    # Choices -----------------------------------------------------------------------------
    def selected_sheet(self) -> str | None:
        """Return the one sheet to import, or None for every sheet (and for a CSV file)."""
        preview = self._wizard().file_preview
        value = self.sheet_box.currentData()
        if not value or preview is None or preview.kind != "xlsx":
            return None
        return str(value)

    def selected_sheets(self) -> list[SheetPreview]:
        """Return the sheets the import will read."""
        preview = self._wizard().file_preview
        if preview is None:
            return []
        chosen = self.sheet_box.currentData()
        return [s for s in preview.sheets if not chosen or s.name == chosen]

    def chosen_header_rows(self) -> dict[str, int]:
        """Return the header rows the user chose for the sheets the import will read."""
        preview = self._wizard().file_preview
        if preview is None or preview.credential_report:
            return {}
        names = {s.name for s in self.selected_sheets()}
        return {name: row for name, row in self.header_rows.items() if name in names}

    def isComplete(self) -> bool:
        preview = self._wizard().file_preview if self.wizard() else None
        if preview is None or self._reread is not None:
            return False
        return preview.credential_report or any(s.columns for s in self.selected_sheets())

    def _show_sample(self, sheet: SheetPreview | None) -> None:
        self.sample.clear()
        self._show_header_row(sheet)
        if sheet is None:
            return
        width = max((len(row) for row in sheet.sample), default=0)
        self.sample.setRowCount(len(sheet.sample))
        self.sample.setColumnCount(width)
        self.sample.setVerticalHeaderLabels(
            [str(sheet.sample_start + r + 1) for r in range(len(sheet.sample))]
        )
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(sheet.sample):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if sheet.sample_start + r + 1 == sheet.header_row:
                    item.setFont(bold)
                    item.setBackground(QBrush(QColor(_HEADER_COLOUR)))
                    item.setForeground(QBrush(QColor("#000000")))
                self.sample.setItem(r, c, item)
        if sheet.header_row:
            found = "chosen" if sheet.chosen else "found"
            self.header_label.setText(
                f"Sheet {sheet.name!r}: headers {found} in row {sheet.header_row} (highlighted); "
                f"{sheet.data_rows:,} data rows below it."
            )
        else:
            self.header_label.setText(f"Sheet {sheet.name!r} is not imported: {sheet.note}.")

    # Header row --------------------------------------------------------------------------
    def _show_header_row(self, sheet: SheetPreview | None) -> None:
        """Set the spin box to the sheet's header row, without reading the sheet again."""
        preview = self._wizard().file_preview if self.wizard() else None
        usable = sheet is not None and sheet.row_count > 0 and preview is not None
        self.header_spin.blockSignals(True)
        if usable and not preview.credential_report:
            self.header_spin.setRange(1 if sheet.detected_row else 0, sheet.row_count)
            self.header_spin.setValue(sheet.header_row)
            self.header_spin.setEnabled(True)
        else:
            self.header_spin.setRange(0, 0)
            self.header_spin.setEnabled(False)
        self.header_spin.blockSignals(False)
        if sheet is None or not usable or preview.credential_report:
            self.header_hint.clear()
        elif sheet.chosen:
            found = f"row {sheet.detected_row}" if sheet.detected_row else "no header row"
            self.header_hint.setText(f"Chosen by you; Assay found {found}.")
        else:
            self.header_hint.setText("As Assay found it; change it if the guess is wrong.")

    def _on_header_spin_changed(self, value: int) -> None:
        sheet = self.sheets.selected_row()
        preview = self._wizard().file_preview
        if sheet is None or preview is None:
            return
        row = None if value in (0, sheet.detected_row) else value
        self.choose_header_row(sheet.name, row)

    def choose_header_row(self, name: str, row: int | None) -> None:
        """Read sheet ``name`` again on a worker with ``row`` as its header row.

        Args:
            name: The sheet.
            row: The 1-based header row; None for the row the importer finds.
        """
        preview = self._wizard().file_preview
        if preview is None:
            return
        if self._reread is not None:
            self._reread.cancel()
        where = f"row {row}" if row else "the row Assay finds"
        self.header_label.setText(f"Reading sheet {name!r} with its headers in {where}…")
        task: tasks.Task | None = None

        def done(sheet: SheetPreview) -> None:
            if task is self._reread:
                self._on_sheet_read(sheet, row)

        def failed(exc: BaseException) -> None:
            if task is self._reread:
                self._on_sheet_failed(name, exc)

        task = self._reread = tasks.run_task(
            inspect_sheet, preview.path, name, kind=preview.kind, header_row=row,
            on_success=done, on_failure=failed,
        )  # fmt: skip
        self.completeChanged.emit()

    def _on_sheet_read(self, sheet: SheetPreview, row: int | None) -> None:
        self._reread = None
        wizard = self._wizard()
        preview = wizard.file_preview
        if preview is None:
            return
        if row is None:
            self.header_rows.pop(sheet.name, None)
        else:
            self.header_rows[sheet.name] = row
        selected = self.sheets.selected_row()
        shown = selected.name if selected is not None else sheet.name
        sheets = tuple(sheet if s.name == sheet.name else s for s in preview.sheets)
        wizard.file_preview = dataclasses.replace(preview, sheets=sheets)
        self.sheets.set_rows(list(sheets))
        number = next(i for i, s in enumerate(sheets) if s.name == shown)
        self.sheets.view.selectRow(self.sheets.proxy.mapFromSource(
            self.sheets.model.index(number, 0)).row())  # fmt: skip
        self._show_sample(self.sheets.selected_row())
        index = self.sheet_box.findData(sheet.name)
        if index >= 0:
            self.sheet_box.setItemText(index, f"Only {sheet.name!r} ({sheet.title})")
        self.completeChanged.emit()

    def _on_sheet_failed(self, name: str, exc: BaseException) -> None:
        self._reread = None
        current = self.sheets.selected_row()
        self._show_sample(current)
        self.header_label.setText(f"Sheet {name!r} was not read again: {exc}")
        self.completeChanged.emit()
