"""Step 4 of the import wizard: the dry run — what would change, and every problem found."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.tasks import Task
from app.gui.theme import BAD, WARNING
from app.gui.widgets.rows_table import RowsTable
from app.ingest.problems import Problem
from app.services.inventory_import import ImportPlan, plan_import

if TYPE_CHECKING:
    from app.gui.dialogs.import_wizard import ImportWizard

logger = logging.getLogger(__name__)

ENTITY_TITLES = {
    "systems": "AI systems",
    "identities": "Identities",
    "resources": "Resources",
    "grants": "Grants",
    "delegations": "Delegations",
    "links": "System–identity links",
}
_ERROR_COLOUR, _WARNING_COLOUR = BAD, WARNING


@dataclass(frozen=True, slots=True)
class EntityCounts:
    """One line of the dry run's counts."""

    records: str
    new: int
    changed: int | None
    unchanged: int | None
    rejected: int | None
    missing: int


@dataclass(frozen=True, slots=True)
class ColumnRead:
    """How one column of one sheet was read by the dry run."""

    sheet: str
    holds: str
    header_row: int
    column: str
    field: str


def count_rows(plan: ImportPlan) -> list[EntityCounts]:
    """Return the dry run's counts per entity, as table rows."""
    rows = []
    for entity, counts in plan.summary().items():
        if entity == "links":
            rows.append(EntityCounts(ENTITY_TITLES[entity], counts["creates"], None, None, None,
                                     counts["missing"]))  # fmt: skip
            continue
        rows.append(
            EntityCounts(ENTITY_TITLES.get(entity, entity), counts["creates"], counts["updates"],
                         counts["unchanged"], counts["rejected"], counts["missing"])
        )  # fmt: skip
    return rows


def column_rows(plan: ImportPlan) -> list[ColumnRead]:
    """Return every column of every sheet the dry run read, with the field it filled."""
    return [
        ColumnRead(sheet.name, ENTITY_TITLES.get(sheet.entity or "", "—"), sheet.header_row,
                   header, target or "custom attribute")
        for sheet in plan.parsed.sheets
        for header, target in sheet.columns
    ]  # fmt: skip


def _severity_colour(problem: Problem) -> str:
    return _ERROR_COLOUR if problem.is_error else _WARNING_COLOUR


class PreviewPage(QWizardPage):
    """Runs the dry run and shows counts, problems and the options of the import."""

    plan_ready = Signal(object)
    """The :class:`ImportPlan` of a finished dry run."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("Check before importing")
        self.setSubTitle(
            "A dry run: what the import would create and change, and every problem with its "
            "sheet, row and column. Nothing has been written yet."
        )
        self.setFinalPage(True)
        self.plan: ImportPlan | None = None
        self._task: Task | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        number = {"align_right": True}
        self.counts = RowsTable(
            [
                Column("Records", attr("records")),
                Column("New", attr("new"), **number),
                Column("Changed", attr("changed"), **number),
                Column("Unchanged", attr("unchanged"), **number),
                Column("Rejected", attr("rejected"), **number),
                Column("Not in the file", attr("missing"), **number),
            ],
            noun="record kinds",
        )
        self.counts.search.hide()
        self.counts.count_label.hide()
        self.counts.view.setSortingEnabled(False)
        self.counts.setMaximumHeight(205)
        self.problems = RowsTable(
            [
                Column("Severity", attr("severity"), colour=_severity_colour),
                Column("File", attr("file")),
                Column("Sheet", attr("sheet")),
                Column("Row", attr("row"), display=lambda v: str(v or ""), align_right=True),
                Column("Column", attr("column")),
                Column("Reason", attr("reason"), tooltip=str),
            ],
            noun="problems",
            filters=[
                ("All problems", None),
                ("Errors (rows rejected)", lambda p: p.is_error),
                ("Warnings", lambda p: not p.is_error),
            ],
        )
        self.columns = RowsTable(
            [
                Column("Sheet", attr("sheet")),
                Column("Holds", attr("holds")),
                Column("Header row", attr("header_row"), align_right=True),
                Column("Column", attr("column")),
                Column("Read as", attr("field")),
            ],
            noun="columns",
        )
        self.tabs = QTabWidget()
        self.tabs.addTab(self.problems, "Problems")
        self.tabs.addTab(self.columns, "Columns read")
        self.valid_only_box = QCheckBox("Import the valid rows only (skip the rejected rows)")
        self.valid_only_box.setToolTip(
            "Without this, a file with errors is not imported at all: fix it and try again"
        )
        self.valid_only_box.toggled.connect(lambda _on: self.completeChanged.emit())
        self.delete_missing_box = QCheckBox("Delete records that are not in the file")
        self.delete_missing_box.setToolTip(
            "Only records of the kinds this file covers; never a system with assessments"
        )
        self.again_button = QPushButton("Check again")
        self.again_button.setToolTip("Read the file again (after fixing it in Excel)")
        self.again_button.clicked.connect(self.start_check)
        self.note = QLabel()
        self.note.setWordWrap(True)
        options = QHBoxLayout()
        options.addWidget(self.valid_only_box)
        options.addWidget(self.delete_missing_box)
        options.addStretch(1)
        options.addWidget(self.again_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.counts)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        layout.addLayout(options)

    def _wizard(self) -> ImportWizard:
        return self.wizard()  # type: ignore[return-value]

    def initializePage(self) -> None:
        self.start_check()

    def cleanupPage(self) -> None:
        self.cancel()
        self.plan = None

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def start_check(self) -> None:
        """Run the dry run on a worker, with a progress dialog and Cancel."""
        wizard = self._wizard()
        self.cancel()
        self.plan = None
        self._clear()
        path = wizard.file_page.path()
        self.summary.setText(f"Checking {path.name}…")
        self._task = run_with_progress(
            wizard,
            f"Checking {path.name}",
            plan_import,
            wizard.workspace,
            path,
            on_success=self._on_plan_ready,
            on_failure=self._on_plan_failed,
            on_cancelled=self._on_plan_cancelled,
            **wizard.plan_arguments(),
        )
        self.completeChanged.emit()

    def _clear(self) -> None:
        for table in (self.counts, self.problems, self.columns):
            table.set_rows([])
        self.note.clear()
        self.valid_only_box.setChecked(False)
        self.valid_only_box.setEnabled(False)
        self.delete_missing_box.setChecked(False)
        self.delete_missing_box.setEnabled(False)

    def _on_plan_ready(self, plan: ImportPlan) -> None:
        self._task = None
        self.plan = plan
        self.counts.set_rows(count_rows(plan))
        self.counts.resize_columns()
        self.problems.set_rows(plan.problems)
        self.problems.resize_columns()
        self.columns.set_rows(column_rows(plan))
        self.columns.resize_columns()
        errors = len(plan.errors)
        warnings = len(plan.problems) - errors
        rejected = sum(plan.rejected_rows().values())
        self.tabs.setTabText(0, f"Problems ({len(plan.problems):,})")
        text = f"{plan.file_name} ({plan.format}, {plan.parsed.rows:,} data rows): "
        if errors:
            text += (
                f"{errors:,} error(s) reject {rejected:,} row(s); {warnings:,} warning(s). "
                "Fix the file and check again, or import the valid rows only."
            )
        else:
            text += f"no errors, {warnings:,} warning(s). Press Import to apply."
        self.summary.setText(text)
        self.valid_only_box.setEnabled(bool(errors))
        missing = sum(r.missing for r in count_rows(plan) if r.records in ENTITY_TITLES.values())
        self.delete_missing_box.setEnabled(missing > 0)
        self.delete_missing_box.setText(
            f"Delete the {missing:,} record(s) that are not in the file"
            if missing
            else "Delete records that are not in the file"
        )
        if errors:
            self.tabs.setCurrentIndex(0)
        self.completeChanged.emit()
        self.plan_ready.emit(plan)

    def _on_plan_failed(self, exc: BaseException) -> None:
        self._task = None
        self.summary.setText(f"The file cannot be imported: {exc}")
        self.completeChanged.emit()

    def _on_plan_cancelled(self) -> None:
        self._task = None
        self.summary.setText("Check cancelled. Press Check again, or go back.")
        self.completeChanged.emit()

    def show_note(self, text: str) -> None:
        self.note.setText(text)

    def isComplete(self) -> bool:
        if self.plan is None or self._task is not None:
            return False
        return not self.plan.has_errors or self.valid_only_box.isChecked()
