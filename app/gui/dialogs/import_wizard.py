"""The inventory import wizard: file → sheet and header row → column mapping → dry run → apply.

Reading the file and the dry run run on a worker (``app.gui.tasks``); the import itself runs in
a child process, from the write thread through :func:`run_with_progress`, with Cancel, and
nothing is written until the user presses Import on the dry-run page. That process is prepared
ahead (:mod:`app.gui.dialogs.prepared_import`): started when the wizard opens, it plans each dry
run's file beside the window, so Import only sends it the command.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.gui import file_dialogs
from app.gui.context import GuiContext
from app.gui.dialogs.error_dialog import show_error
from app.gui.dialogs.import_mapping_page import MappingPage
from app.gui.dialogs.import_preview_page import PreviewPage
from app.gui.dialogs.import_profile import PROFILE_FILTER, WizardChoices, profile_for_plan
from app.gui.dialogs.import_sheet_page import SheetPage
from app.gui.dialogs.prepared_import import PreparedImport
from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.tasks import Task
from app.services.errors import UserError
from app.services.identity_analysis import FindingRefresh
from app.services.inventory_import import ImportPlan, ImportResult
from app.services.inventory_import.background import import_checked_file
from app.services.inventory_import.inspection import (
    AWS_FORMAT,
    EXPORT_FORMATS,
    FilePreview,
    MappingChoices,
)
from app.services.inventory_import.profile import load_profile, save_profile
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

FILE_FILTER = (
    "Inventory files and identity exports (*.xlsx *.xlsm *.csv *.tsv *.txt *.json *.yaml *.yml);;"
    "All files (*)"
)
FORMATS = (
    ("Detect automatically", "auto"),
    ("AWS IAM credential report (CSV)", AWS_FORMAT),
    *((label, name) for name, label in EXPORT_FORMATS.items()),
)
_ENTITY_WORDS = {
    "systems": "AI systems",
    "identities": "identities",
    "resources": "resources",
    "grants": "grants",
    "delegations": "delegations",
}


class FilePage(QWizardPage):
    """Step 1: choose the file and how to read it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Choose the inventory file")
        self.setSubTitle(
            "An Excel workbook (.xlsx, .xlsm) or CSV file in whatever shape the client keeps "
            "it: AI systems, identities, resources, grants and delegations, on one sheet or many. "
            "Or identity exports of AWS, Azure/Entra ID, Google Cloud or Kubernetes: a JSON or "
            "YAML file, or a folder of them."
        )
        self.path_edit = QLineEdit()
        self.path_edit.setAccessibleName("Inventory file")
        self.path_edit.setPlaceholderText("Path of the .xlsx or .csv file")
        self.path_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setToolTip("Pick the file in a file dialog")
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self.folder_button = QPushButton("Folder…")
        self.folder_button.setToolTip("Pick a folder of identity exports, read as one import")
        self.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.format_box = QComboBox()
        self.format_box.setAccessibleName("File format")
        for label, value in FORMATS:
            self.format_box.addItem(label, value)
        self.template_button = QPushButton("Save the template workbook…")
        self.template_button.setToolTip(
            "A workbook with Assay's canonical columns and drop-downs, to send to the client"
        )
        self.template_button.clicked.connect(self._on_template_button_clicked)
        self.profile_button = QPushButton("Load a mapping profile…")
        self.profile_button.setToolTip(
            "The column mappings, value meanings, header rows and id rule saved from an earlier "
            "import of the same register"
        )
        self.profile_button.clicked.connect(self._on_profile_button_clicked)
        self.profile_label = QLabel()
        self.profile_label.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setObjectName("pageHint")
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.folder_button)
        form = QFormLayout()
        form.addRow("File:", row)
        form.addRow("Format:", self.format_box)
        profile_row = QHBoxLayout()
        profile_row.addWidget(self.profile_button)
        profile_row.addWidget(self.profile_label, 1)
        form.addRow("Profile:", profile_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignLeft)

    def path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def file_format(self) -> str:
        return str(self.format_box.currentData())

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        if not (self.path().is_file() or self.path().is_dir()):
            self.message.setText(f"There is no file or folder at {self.path()}.")
            return False
        wizard = self.wizard()
        try:  # read outside SQLite, the open workspace would lose its locks
            if isinstance(wizard, ImportWizard):
                wizard.context.workspace.refuse_own_file(self.path(), "imported as an inventory")
        except UserError as exc:
            self.message.setText(f"{exc}.")
            return False
        self.message.clear()
        return True

    def _on_browse_button_clicked(self) -> None:
        path = file_dialogs.get_open_file_name(self, "Import an inventory", "", FILE_FILTER)
        if path:
            self.path_edit.setText(path)

    def _on_folder_button_clicked(self) -> None:
        path = file_dialogs.get_existing_directory(self, "Import a folder of identity exports")
        if path:
            self.path_edit.setText(path)

    def _on_profile_button_clicked(self) -> None:
        path = file_dialogs.get_open_file_name(self, "Load a mapping profile", "", PROFILE_FILTER)
        if path:
            self.wizard().load_profile(Path(path))  # type: ignore[attr-defined]

    def _on_template_button_clicked(self) -> None:
        path = file_dialogs.get_save_file_name(
            self, "Save the template", "inventory-template.xlsx", "Excel workbook (*.xlsx)"
        )
        if not path:
            return
        from app.services.inventory_template import write_template

        try:
            written = write_template(Path(path))
        except (OSError, UserError) as exc:
            show_error(self, "Cannot save the template", exc)
            return
        self.message.setText(f"Template saved to {written}.")


def result_message(plan: ImportPlan, result: ImportResult) -> str:
    """Return one sentence about an applied import, for the status bar."""
    created = [
        f"{result.counts[e]['created']:,} {word}"
        for e, word in _ENTITY_WORDS.items()
        if result.counts.get(e, {}).get("created")
    ]
    updated = sum(result.counts.get(e, {}).get("updated", 0) for e in _ENTITY_WORDS)
    rejected = sum(result.counts.get(e, {}).get("rejected", 0) for e in _ENTITY_WORDS)
    parts = [f"Imported {plan.file_name}: " + (", ".join(created) or "nothing") + " new"]
    parts.append(f"{updated:,} changed")
    if rejected:
        parts.append(f"{rejected:,} rows skipped")
    return "; ".join(parts)


class ImportWizard(QWizard):
    """Guides an import from the file to the applied changes."""

    imported = Signal(object)
    """The :class:`ImportResult` of an applied import."""

    def __init__(
        self, context: GuiContext, parent: QWidget | None = None, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Import an inventory")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Import")
        self.resize(920, 640)
        self.file_preview: FilePreview | None = None
        self.choices: MappingChoices | None = None
        self.extra = WizardChoices()
        self.result: ImportResult | None = None
        self._apply_task: Task | None = None
        self.prepared = PreparedImport()
        """An import process, started now, planning each dry run's file beside it."""
        self.file_page = FilePage()
        self.sheet_page = SheetPage()
        self.mapping_page = MappingPage()
        self.preview_page = PreviewPage()
        for page in (self.file_page, self.sheet_page, self.mapping_page, self.preview_page):
            self.addPage(page)
        if path is not None:
            self.file_page.path_edit.setText(str(path))
        self.finished.connect(self._on_finished)
        self.destroyed.connect(self.prepared.close)
        if parent is not None:  # the process stops when the window closes, not only the wizard
            parent.window().installEventFilter(self)
        self.prepared.warm()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        """Stop the prepared import process when the window closes under the wizard."""
        if event.type() == QEvent.Type.Close:
            self.prepared.close()
        return super().eventFilter(watched, event)

    # What the pages share -------------------------------------------------------------------
    @property
    def workspace(self) -> Workspace:
        return self.context.workspace

    def selected_sheet(self) -> str | None:
        """Return the one sheet to import, or None for every sheet."""
        return self.sheet_page.selected_sheet()

    def mapping(self) -> dict[str, str]:
        return self.choices.mapping() if self.choices else {}

    def plan_arguments(self) -> dict[str, Any]:
        """Return the keyword arguments of ``plan_import`` for the current choices."""
        sheets = [s.name for s in self.file_preview.sheets] if self.file_preview else []
        chosen = self.extra.plan_arguments(
            self.mapping(), self.sheet_page.chosen_header_rows(), sheets
        )
        return {"sheet": self.selected_sheet(), "format": self.file_page.file_format(), **chosen}

    # Mapping profiles -----------------------------------------------------------------------
    def load_profile(self, path: Path) -> bool:
        """Take the choices of a saved mapping profile; False (and a message) when unreadable."""
        try:
            profile = load_profile(path)
        except UserError as exc:
            show_error(self, "Cannot load the mapping profile", exc)
            return False
        self.extra.load(profile, path.name)
        self.choices = None  # the mapping step starts again from the profile's mappings
        self.file_page.profile_label.setText(self.extra.summary())
        return True

    def save_profile(self, path: Path) -> bool:
        """Save the choices of the last dry run as a mapping profile."""
        plan = self.preview_page.plan
        if plan is None:
            return False
        try:
            save_profile(path, profile_for_plan(plan.options))
        except OSError as exc:
            show_error(self, "Cannot save the mapping profile", exc)
            return False
        self.preview_page.show_note(
            f"Mapping profile saved to {path.name}: load it on the first step next time."
        )
        return True

    # Applying -------------------------------------------------------------------------------
    def accept(self) -> None:
        """Apply the dry-run plan on the write thread; close when it is done."""
        if self.result is not None:
            super().accept()
            return
        plan = self.preview_page.plan
        if plan is None or self._apply_task is not None or not self.preview_page.isComplete():
            return
        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        process = self.prepared.take()
        if process is not None:  # it has planned the file already: only the command travels
            call: tuple[Any, ...] = (process.apply, self.workspace, plan.file_sha256)
        else:  # a fresh child reads and plans the file again before applying it
            call = (import_checked_file, self.workspace, plan.path, plan.file_sha256,
                    dict(plan.options))  # fmt: skip
        self._apply_task = run_with_progress(
            self,
            f"Importing {plan.file_name}",
            *call,
            valid_only=self.preview_page.valid_only_box.isChecked(),
            delete_missing=self.preview_page.delete_missing_box.isChecked(),
            on_success=self._on_applied,
            on_failure=self._on_apply_failed,
            on_cancelled=self._on_apply_cancelled,
            writes=True,
            # Its garbage collections must not pause the window: it runs in a child process.
            in_child=process is None,
        )

    def _on_applied(self, outcome: tuple[ImportResult, FindingRefresh | None]) -> None:
        result, refresh = outcome
        self._apply_task = None
        self.result = result
        plan = self.preview_page.plan
        message = result_message(plan, result) if plan else "Imported"
        self.context.status_message.emit(message)
        self.imported.emit(result)
        super().accept()

    def _on_apply_failed(self, exc: BaseException) -> None:
        self._apply_task = None
        self.prepared.again()
        self.preview_page.completeChanged.emit()
        show_error(self, "The import failed; nothing was written", exc)

    def _on_apply_cancelled(self) -> None:
        self._apply_task = None
        self.prepared.again()
        self.preview_page.show_note("Import cancelled; nothing was written.")
        self.preview_page.completeChanged.emit()

    def reject(self) -> None:
        if self._apply_task is not None:  # the progress dialog's Cancel stops an import
            return
        self.sheet_page.cancel()
        self.preview_page.cancel()
        super().reject()

    def _on_finished(self, _code: int) -> None:
        # The file preview and the plan hold every row of the file: let them go now, not when
        # the last Python reference to this closed wizard happens to disappear.
        self.prepared.close()
        self.file_preview = self.choices = None
        self.preview_page.plan = None
        self.deleteLater()


def open_import_wizard(
    context: GuiContext, parent: QWidget | None = None, path: Path | None = None
) -> ImportWizard:
    """Open the import wizard (window-modal, not blocking) and return it."""
    wizard = ImportWizard(context, parent, path)
    wizard.setWindowModality(Qt.WindowModality.WindowModal)
    wizard.show()
    return wizard
