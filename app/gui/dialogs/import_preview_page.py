"""Step 4 of the import wizard: the dry run — what would change, and every problem found."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from app.gui import file_dialogs
from app.gui.dialogs.import_export_tabs import (
    conditional_rows,
    conditional_table,
    coverage_rows,
    coverage_table,
)
from app.gui.dialogs.import_profile import PROFILE_FILTER, id_rule_options
from app.gui.dialogs.import_values import ValuesTable
from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.tasks import Task
from app.gui.theme import BAD, WARNING
from app.gui.widgets.rows_table import RowsTable
from app.ingest.problems import Problem
from app.services.inventory_import import ImportPlan, plan_import
from app.services.inventory_import.inspection import EXPORT_KIND
from app.support.text import plural

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


def _reading_text(plan: ImportPlan) -> str:
    """Return the sentences about skipped rows, permissions and values not understood."""
    parsed, parts = plan.parsed, []
    if parsed.skipped_rows:
        parts.append(
            f"Skipped {plural(len(parsed.skipped_rows), 'non-data row')} (totals, sources, notes): "
            f"{parsed.skipped_text()}."
        )
    understood, entries = parsed.permissions
    if entries:
        parts.append(f"{understood:,} of {entries:,} permission entries understood.")
    if parsed.unknown_values:
        parts.append(
            f"{plural(len(parsed.unknown_values), 'value')} not understood "
            f"{plural(len(parsed.unknown_values), 'was', number=False)} left unrecorded: say "
            "what they mean on the Values tab, then press Check again."
        )
    return "".join(f" {p}" for p in parts)


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
            "sheet, row and column (or JSON path). Nothing has been written yet."
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
                Column("JSON path", attr("path"), tooltip=str),
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
        self.values = ValuesTable(self._on_value_chosen)
        self.kept = RowsTable(
            [
                Column("Record", lambda e: " → ".join(e.key)),
                Column("Field", lambda e: e.field.replace("_", " ")),
                Column("Value in Assay (kept)", attr("in_assay")),
                Column("Value in the file (not imported)", attr("in_file")),
            ],
            noun="values changed in Assay",
        )
        self.kept.view.setToolTip(
            "Values edited in Assay since the last import of this register are kept"
        )
        self.conditional = conditional_table()
        self.coverage = coverage_table()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.problems, "Problems")
        self.tabs.addTab(self.values, "Values not understood")
        self.tabs.addTab(self.columns, "Columns read")
        self.id_rule_box = QComboBox()
        self.id_rule_box.setAccessibleName("Rows without an id")
        self.id_rule_box.setToolTip(
            "How a row with an empty id column gets its id; the same rule on the next import "
            "finds the same records"
        )
        self.id_rule_box.activated.connect(self._on_id_rule_box_activated)
        self.save_profile_button = QPushButton("Save mapping profile…")
        self.save_profile_button.setToolTip(
            "Save the column mappings, value meanings, header rows and id rule of this check, "
            "to import the next export of the same register in one step"
        )
        self.save_profile_button.clicked.connect(self._on_save_profile_button_clicked)
        self.tabs.addTab(self.kept, "Changed in Assay since the last import")
        self.tabs.addTab(self.conditional, "Conditional grants")
        self.tabs.addTab(self.coverage, "Register and exports")
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
        reading = QHBoxLayout()
        self.id_rule_label = QLabel("Rows without an id:")
        reading.addWidget(self.id_rule_label)
        reading.addWidget(self.id_rule_box, 1)
        reading.addStretch(1)
        reading.addWidget(self.save_profile_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.counts)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        layout.addLayout(reading)
        layout.addLayout(options)

    def _wizard(self) -> ImportWizard:
        return self.wizard()  # type: ignore[return-value]

    def initializePage(self) -> None:
        self._show_sheet_choices()
        self._fill_id_rules()
        self.start_check()

    def _show_sheet_choices(self) -> None:
        """Hide what only a spreadsheet has (id rule, profile, values) for identity exports."""
        preview = self._wizard().file_preview
        sheets = preview is None or preview.kind != EXPORT_KIND
        for widget in (self.id_rule_label, self.id_rule_box, self.save_profile_button):
            widget.setVisible(sheets)
        self.tabs.setTabVisible(self.tabs.indexOf(self.values), sheets)

    def _fill_id_rules(self) -> None:
        wizard = self._wizard()
        self.id_rule_box.clear()
        for label, rule in id_rule_options(wizard.sheet_page.selected_sheets()):
            self.id_rule_box.addItem(label, rule)
        index = self.id_rule_box.findData(wizard.extra.id_rule)
        if index < 0 and wizard.extra.id_rule:
            self.id_rule_box.addItem(f"Profile: {wizard.extra.id_rule}", wizard.extra.id_rule)
            index = self.id_rule_box.count() - 1
        self.id_rule_box.setCurrentIndex(max(index, 0))

    def _on_id_rule_box_activated(self, _index: int) -> None:
        rule = str(self.id_rule_box.currentData() or "")
        if rule != self._wizard().extra.id_rule:
            self._wizard().extra.id_rule = rule
            self.show_note("The id rule changed: press Check again to read the file with it.")

    def _on_value_chosen(self) -> None:
        self.show_note("Press Check again to read the file with the meanings you chose.")

    def _on_save_profile_button_clicked(self) -> None:
        name = f"{self._wizard().file_page.path().stem}-profile.json"
        path = file_dialogs.get_save_file_name(
            self, "Save the mapping profile", name, PROFILE_FILTER
        )
        if path:
            self._wizard().save_profile(Path(path))

    def cleanupPage(self) -> None:
        self.cancel()
        self.plan = None
        self._wizard().prepared.discard()  # the user goes back: the options may change

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
        arguments = wizard.plan_arguments()
        self._task = run_with_progress(
            wizard,
            f"Checking {path.name}",
            plan_import,
            wizard.workspace,
            path,
            on_success=self._on_plan_ready,
            on_failure=self._on_plan_failed,
            on_cancelled=self._on_plan_cancelled,
            **arguments,
        )
        # The import process reads the same file the same way meanwhile, ready for Import.
        wizard.prepared.prepare(wizard.workspace, path, arguments)
        self.completeChanged.emit()

    def _clear(self) -> None:
        tables = (self.counts, self.problems, self.columns, self.kept)
        for table in (*tables, self.conditional, self.coverage):
            table.set_rows([])
        self.note.clear()
        self.save_profile_button.setEnabled(False)
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
        wizard = self._wizard()
        wizard.extra.values.add(plan.parsed.unknown_values)
        self.values.show_choices(wizard.extra.values)
        unknown = len(plan.parsed.unknown_values)
        self.tabs.setTabText(self.tabs.indexOf(self.values), f"Values not understood ({unknown:,})")
        self.save_profile_button.setEnabled(True)
        kept = plan.diff.kept_edits
        self.kept.set_rows(list(kept))
        self.kept.resize_columns()
        self.tabs.setTabText(
            self.tabs.indexOf(self.kept), f"Changed in Assay since the last import ({len(kept):,})"
        )
        self._show_export_tabs(plan)
        errors = len(plan.errors)
        warnings = len(plan.problems) - errors
        rejected = sum(plan.rejected_rows().values())
        self.tabs.setTabText(0, f"Problems ({len(plan.problems):,})")
        text = f"{plan.file_name} ({plan.format}, {plan.parsed.rows:,} data rows): "
        if errors:
            text += (
                f"{plural(errors, 'error')} {plural(errors, 'rejects', 'reject', number=False)} "
                f"{plural(rejected, 'row')}; {plural(warnings, 'warning')}. "
                "Fix the file and check again, or import the valid rows only."
            )
        else:
            text += f"no errors, {plural(warnings, 'warning')}. Press Import to apply."
        text += _reading_text(plan)
        if kept:
            text += (
                f" {plural(len(kept), 'value')} changed in Assay since the last import "
                f"{plural(len(kept), 'is', number=False)} kept "
                "(see the last tab)."
            )
        self.summary.setText(text)
        self.valid_only_box.setEnabled(bool(errors))
        missing = sum(r.missing for r in count_rows(plan) if r.records in ENTITY_TITLES.values())
        self.delete_missing_box.setEnabled(missing > 0)
        self.delete_missing_box.setText(
            f"Delete the {plural(missing, 'record')} that "
            f"{plural(missing, 'is', number=False)} not in the file"
            if missing
            else "Delete records that are not in the file"
        )
        if errors:
            self.tabs.setCurrentIndex(0)
        elif unknown:
            self.tabs.setCurrentIndex(1)
        self.completeChanged.emit()
        self.plan_ready.emit(plan)

    def _show_export_tabs(self, plan: ImportPlan) -> None:
        conditional, coverage = conditional_rows(plan), coverage_rows(plan)
        for table, rows, title in (
            (self.conditional, conditional, "Conditional grants"),
            (self.coverage, coverage, "Register and exports"),
        ):
            index = self.tabs.indexOf(table)
            table.set_rows(rows)
            table.resize_columns()
            self.tabs.setTabText(index, f"{title} ({len(rows):,})")
            self.tabs.setTabVisible(index, bool(rows))

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
