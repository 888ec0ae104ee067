"""Step 2 of the import wizard: which sheets to import and where their headers are."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.gui import tasks
from app.gui.dialogs.import_inspection import FilePreview, SheetPreview, inspect_file
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.widgets.rows_table import RowsTable

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
            "rows above it are skipped). Choose whether to import every sheet or one."
        )
        self._task: tasks.Task | None = None
        self._source: tuple[str, str] | None = None
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
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.sheets)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(self.header_label)
        bottom_layout.addWidget(self.sample, 1)
        splitter.addWidget(bottom)
        splitter.setSizes([160, 300])
        form = QFormLayout()
        form.addRow("Import:", self.sheet_box)
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
        if self._task is not None:
            self._task.cancel()
            self._task = None

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
        if preview.credential_report:
            self.message.setText(
                "This file is an AWS IAM credential report: its users and access keys are "
                "imported as identities."
            )
        elif not usable:
            self.message.setText("No sheet of this file has a row of column headers.")
        else:
            self.message.setText(
                f"{len(preview.sheets)} sheet(s); {sum(1 for s in usable if s.entity)} "
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

    def isComplete(self) -> bool:
        preview = self._wizard().file_preview if self.wizard() else None
        if preview is None:
            return False
        return preview.credential_report or any(s.columns for s in self.selected_sheets())

    def _show_sample(self, sheet: SheetPreview | None) -> None:
        self.sample.clear()
        if sheet is None:
            return
        width = max((len(row) for row in sheet.sample), default=0)
        self.sample.setRowCount(len(sheet.sample))
        self.sample.setColumnCount(width)
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(sheet.sample):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if r + 1 == sheet.header_row:
                    item.setFont(bold)
                    item.setBackground(QBrush(QColor(_HEADER_COLOUR)))
                    item.setForeground(QBrush(QColor("#000000")))
                self.sample.setItem(r, c, item)
        if sheet.header_row:
            self.header_label.setText(
                f"Sheet {sheet.name!r}: headers found in row {sheet.header_row} (highlighted); "
                f"{sheet.data_rows:,} data rows below it."
            )
        else:
            self.header_label.setText(f"Sheet {sheet.name!r} is not imported: {sheet.note}.")
