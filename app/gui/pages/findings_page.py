"""The Findings page: triage every finding (themes, identity rules, by hand) and edit it in place.

Themed findings are merged and split here too (the writes run on the writer thread).

The findings and the assessments are read on a worker; a generation number tells a stale
answer from the newest one, so a slow read never overwrites a newer one. Each edit is saved
at once through the findings service, which journals it. Findings of a final assessment keep
owner, due date and status editable (remediation tracking); what the final report states about
them is frozen.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import fields, replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import (
    SEVERITY_ORDER,
    AssessmentStatus,
    FindingSource,
    FindingStatus,
    Severity,
    severity_rank,
)
from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.dialogs.error_dialog import show_error
from app.gui.dialogs.new_finding_dialog import NewFindingDialog
from app.gui.dialogs.theme_dialogs import MergeDialog, SplitDialog
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.role_gate import gate
from app.gui.theme import BAD, SEVERITY_COLOURS
from app.gui.widgets.finding_editor import SOURCE_TEXT, STATUS_TEXT, FindingEditor
from app.gui.widgets.rows_table import RowsTable
from app.gui.writer import Written
from app.services.assessments import AssessmentInfo, list_assessments
from app.services.finding_themes import merge_findings, split_finding
from app.services.findings import (
    FindingInfo,
    create_finding,
    delete_finding,
    list_findings,
    update_finding,
)
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_ACTIVE = (FindingStatus.OPEN.value, FindingStatus.IN_PROGRESS.value)


def is_active(finding: FindingInfo) -> bool:
    return finding.status in _ACTIVE


def is_overdue(finding: FindingInfo) -> bool:
    due = finding.due_date
    return is_active(finding) and due is not None and due < dt.date.today()


def is_severe(finding: FindingInfo) -> bool:
    return is_active(finding) and finding.severity in (Severity.CRITICAL, Severity.HIGH)


def _from(source: FindingSource) -> Any:
    return lambda finding: finding.source == source


FILTERS: tuple[tuple[str, Any], ...] = (
    ("Open and in progress", is_active),
    ("All findings", None),
    ("Critical and high, still open", is_severe),
    ("Themed findings", _from(FindingSource.THEME)),
    ("From identity rules", _from(FindingSource.IDENTITY_RULE)),
    ("Entered by hand", _from(FindingSource.MANUAL)),
    ("Overdue", is_overdue),
    ("Closed or risk accepted", lambda finding: not is_active(finding)),
)


def deletable(finding: FindingInfo | None, final: set[int]) -> bool:
    """Return whether a finding may be deleted: entered by hand, its assessment not final."""
    return (
        finding is not None
        and finding.source == FindingSource.MANUAL
        and finding.assessment_id not in final
    )


def _severity_text(negated_rank: int) -> str:
    """Return the severity word of a row's sort value (the negated severity rank)."""
    rank = -negated_rank
    return SEVERITY_ORDER[rank].value.capitalize() if rank < len(SEVERITY_ORDER) else ""


def _due_colour(finding: FindingInfo) -> str | None:
    return BAD if is_overdue(finding) else None


COLUMNS = (
    Column(
        "Severity",
        lambda f: -severity_rank(f.severity),
        display=_severity_text,
        colour=lambda f: SEVERITY_COLOURS.get(f.severity),
    ),
    Column("Status", attr("status"), display=lambda s: STATUS_TEXT.get(s, s)),
    Column("Title", attr("title"), tooltip=lambda f: f.detail),
    Column(
        "About",
        lambda f: f.system or f.identity or "",
        tooltip=lambda f: "AI system" if f.system else "Identity" if f.identity else "",
    ),
    Column("Assessment", lambda f: f.assessment_id, display=lambda v: f"#{v}" if v else ""),
    Column("Owner", attr("owner")),
    Column("Due", attr("due_date"), colour=_due_colour),
    Column("Gaps", lambda f: len(f.items), display=lambda n: str(n) if n else ""),
    Column("Source", attr("source"), display=lambda s: SOURCE_TEXT.get(s, s)),
)


TITLE_COLUMN = 2


def read_findings(
    workspace: Workspace, generation: int
) -> tuple[int, list[AssessmentInfo], list[FindingInfo]]:
    """Read the assessments and every finding (on a worker); the generation is handed back."""
    return generation, list_assessments(workspace), list_findings(workspace)


class FindingsPage(QWidget):
    """Table of findings with filters, and an editor for the chosen one."""

    refreshed = Signal()
    """The newest read has finished: its rows are shown, or its failure was reported."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._final: set[int] = set()
        self._all: list[FindingInfo] = []
        self._assessments: list[AssessmentInfo] = []
        self._select_next: int | None = None
        self._stale = False
        self._generation = 0
        self._load_task: tasks.Task | None = None
        heading = QLabel("Findings")
        heading.setObjectName("pageHeading")
        self.status = QLabel()
        self.status.setObjectName("pageHint")
        self.assessment_box = QComboBox()
        self.assessment_box.setAccessibleName("Findings of")
        self.assessment_box.setToolTip("Show the findings of one assessment, or of all")
        # Room for "All assessments and identities" or an assessment's number and system.
        self.assessment_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.assessment_box.setMinimumContentsLength(28)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addWidget(self.status, 1)
        top.addWidget(QLabel("Of:"))
        top.addWidget(self.assessment_box)
        self.new_button = QPushButton("New finding…")
        self.new_button.setToolTip("Record a finding by hand about an assessment or an AI system")
        self.new_button.clicked.connect(self.start_new_finding)
        self.delete_button = QPushButton("Delete finding")
        self.delete_button.clicked.connect(self.delete_chosen)
        self.merge_button = QPushButton("Merge…")
        self.merge_button.setToolTip("Merge other themed findings of this assessment into this one")
        self.merge_button.clicked.connect(self.start_merge)
        self.split_button = QPushButton("Split…")
        self.split_button.setToolTip("Move some gaps of this themed finding to a new finding")
        self.split_button.clicked.connect(self.start_split)
        for button in (self.merge_button, self.split_button, self.new_button, self.delete_button):
            top.addWidget(button)
        self.finding_dialog: NewFindingDialog | None = None
        self.table = RowsTable(COLUMNS, noun="findings", filters=FILTERS, layout_key="findings")
        # RowsTable applies a filter only when the choice changes; apply the first one now.
        self.table.proxy.set_predicate(FILTERS[0][1])
        self.editor = FindingEditor()
        splitter = QSplitter()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.editor)
        splitter.addWidget(self.table)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([640, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        self.assessment_box.currentIndexChanged.connect(lambda _i: self._show_rows())
        self.table.selection_changed.connect(self._on_selection_changed)
        self.editor.changed.connect(self.save)
        context.workspace_changed.connect(self.refresh)
        context.watch("findings", self._on_changed, owner=self)
        self._update_delete_button()
        self.refresh()
        self.table.view.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)

    # Loading -------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the findings and the assessments again on a worker, keeping the chosen one."""
        self._stale = False
        self._generation += 1
        if self._load_task is not None:
            self._load_task.cancel()
        self.status.setText("Loading…")
        generation = self._generation
        self._load_task = tasks.run_task(
            read_findings,
            self._context.workspace,
            generation,
            on_success=self._on_loaded,
            on_failure=lambda exc: self._on_load_failed(generation, exc),
            with_progress=False,
        )

    def loading(self) -> bool:
        """Return whether a read is still running."""
        return self._load_task is not None

    def _on_loaded(self, outcome: tuple[int, list[AssessmentInfo], list[FindingInfo]]) -> None:
        generation, infos, found = outcome
        if generation != self._generation:
            return  # a newer read is on its way
        self._load_task = None
        self.status.clear()
        keep = self.editor.finding.id if self.editor.finding is not None else None
        if self._select_next is not None:
            keep, self._select_next = self._select_next, None
        self._assessments = infos
        self._final = {a.id for a in infos if a.status == AssessmentStatus.FINAL}
        self._fill_assessment_box(infos)
        self._all = found
        self._show_rows(keep)
        self._update_delete_button()
        self.refreshed.emit()

    def _on_load_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._load_task = None
        self.status.setText("The findings could not be read")
        show_error(self, "Cannot read the findings", exc)
        self.refreshed.emit()

    def _fill_assessment_box(self, infos: list[AssessmentInfo]) -> None:
        chosen = self.assessment_box.currentData()
        self.assessment_box.blockSignals(True)
        self.assessment_box.clear()
        self.assessment_box.addItem("All assessments and identities", None)
        for info in infos:
            self.assessment_box.addItem(f"#{info.id} {info.system} — {info.title}", info.id)
        self.assessment_box.setCurrentIndex(max(0, self.assessment_box.findData(chosen)))
        self.assessment_box.blockSignals(False)

    def _show_rows(self, keep: int | None = None) -> None:
        if keep is None and self.editor.finding is not None:
            keep = self.editor.finding.id
        assessment_id = self.assessment_box.currentData()
        rows = [f for f in self._all if assessment_id is None or f.assessment_id == assessment_id]
        self.table.set_rows(rows)
        self.table.resize_columns()
        header = self.table.view.horizontalHeader()
        header.resizeSection(TITLE_COLUMN, min(header.sectionSize(TITLE_COLUMN), 420))
        if keep is not None and not self.select_finding(keep):
            # Still shown in the editor when a filter hides it (e.g. just resolved).
            found = next((f for f in self._all if f.id == keep), None)
            self._show_in_editor(found)

    def select_finding(self, finding_id: int) -> bool:
        """Select a finding in the table if it is shown; return whether it is."""
        proxy = self.table.proxy
        for row in range(proxy.rowCount()):
            source = proxy.mapToSource(proxy.index(row, 0))
            if self.table.model.row_at(source.row()).id == finding_id:
                self.table.view.selectRow(row)
                return True
        return False

    def _lock_reason(self, finding: FindingInfo | None) -> str:
        if finding is not None and finding.assessment_id in self._final:
            return (
                f"Assessment #{finding.assessment_id} is final: what its report states is frozen; "
                "owner, due date and status stay open to track remediation."
            )
        return ""

    def _on_selection_changed(self, finding: FindingInfo | None) -> None:
        if finding is None and self.editor.finding is not None:
            return  # the table was refilled; the page selects the finding again
        self._show_in_editor(finding)

    def _show_in_editor(self, finding: FindingInfo | None) -> None:
        self.editor.show_finding(finding, frozen_reason=self._lock_reason(finding))
        self._update_delete_button()

    def _themed(self) -> FindingInfo | None:
        finding = self.editor.finding
        if finding is None or finding.source != FindingSource.THEME:
            return None
        return None if finding.assessment_id in self._final else finding

    def _update_delete_button(self) -> None:
        themed = self._themed()
        self.merge_button.setEnabled(themed is not None)
        self.split_button.setEnabled(themed is not None and len(themed.items) > 1)
        finding = self.editor.finding
        allowed = deletable(finding, self._final)
        self.delete_button.setEnabled(allowed)
        if finding is None:
            reason = "Choose a finding entered by hand to delete it"
        elif finding.source != FindingSource.MANUAL:
            reason = "Only findings entered by hand can be deleted; set this one's status"
        elif not allowed:
            reason = f"Assessment #{finding.assessment_id} is final: its findings stay"
        else:
            reason = f"Delete finding {finding.id} (it was entered by hand)"
        self.delete_button.setToolTip(reason)
        if allowed:
            gate(self.delete_button, self._context.workspace.team_role, "delete_finding")

    # Saving --------------------------------------------------------------------------------
    def save(self, finding_id: int, changes: dict[str, Any]) -> tasks.Task:
        """Show one edit of a finding at once and write it on the one writer.

        When the write is refused the finding is read again (the stored values come back)
        and the window says why.
        """
        names = {f.name for f in fields(FindingInfo)}
        known = {k: v for k, v in changes.items() if k in names}
        self._all = [replace(f, **known) if f.id == finding_id else f for f in self._all]
        self._show_rows()  # keeps the finding shown (text typed for another is saved on leaving)

        def stored(info: FindingInfo) -> None:
            self._all = [info if f.id == finding_id else f for f in self._all]
            self._show_rows()
            if self._load_task is not None:
                self.refresh()  # the running read may predate this edit
            self._context.status_message.emit(f"Finding {finding_id} saved")

        def refused(exc: BaseException) -> None:
            self.refresh()
            self._context.refuse(self, "Cannot change the finding", f"Finding {finding_id}", exc)

        return self._context.write(update_finding, finding_id, origin=self, on_success=stored,
                                   on_failure=refused, **changes)  # fmt: skip

    # Recording and deleting by hand ----------------------------------------------------------
    def new_finding_dialog(self) -> NewFindingDialog:
        """Return a dialog for a new finding, the chosen assessment (if any) chosen first."""
        self.finding_dialog = NewFindingDialog(
            self._context.workspace,
            self._assessments,
            self,
            assessment_id=self.assessment_box.currentData(),
        )
        return self.finding_dialog

    def start_new_finding(self) -> None:
        """Ask for a new finding and record it."""
        dialog = self.new_finding_dialog()
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.record_finding(dialog.values())
        finally:
            self.finding_dialog = None
            dialog.deleteLater()

    def record_finding(self, values: dict[str, Any]) -> tasks.Task:
        """Record a finding by hand on the write thread; it is chosen once the table shows it."""
        self.new_button.setEnabled(False)

        def recorded(info: FindingInfo) -> None:
            self.new_button.setEnabled(True)
            self._select_next = info.id
            self._written(f"Finding {info.id} recorded")

        def failed(exc: BaseException) -> None:
            self.new_button.setEnabled(True)
            show_error(self, "Cannot record the finding", exc)
            self.refresh()  # e.g. the assessment became final meanwhile

        return self._context.write(create_finding, origin=self, on_success=recorded,
                                   on_failure=failed, **values)  # fmt: skip

    def delete_chosen(self) -> tasks.Task | None:
        """Delete the chosen finding after the user confirms; only one entered by hand."""
        finding = self.editor.finding
        if finding is None or not deletable(finding, self._final):
            return None
        answer = QMessageBox.question(
            self,
            "Delete finding",
            f"Delete finding {finding.id}, “{finding.title}”? This cannot be undone; "
            "the workspace journal keeps a record of it.",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        self._show_in_editor(None)  # saves a pending edit first
        self.delete_button.setEnabled(False)

        def failed(exc: BaseException) -> None:
            show_error(self, "Cannot delete the finding", exc)
            self.refresh()

        return self._context.write(delete_finding, finding.id, origin=self, on_failure=failed,
                                   on_success=lambda _none: self._written(
                                       f"Finding {finding.id} deleted"))  # fmt: skip

    # Merging and splitting themes ------------------------------------------------------------
    def merge_dialog(self) -> MergeDialog | None:
        """Return a dialog to merge themes into the chosen one (None: no themed finding chosen)."""
        themed = self._themed()
        if themed is None:
            return None
        others = [f for f in self._all if f.source == FindingSource.THEME]
        return MergeDialog(themed, others, self)

    def start_merge(self) -> None:
        """Ask which themes to merge into the chosen one, then merge them."""
        dialog = self.merge_dialog()
        if dialog is None:
            return
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.merge(dialog.into_id, dialog.chosen_ids())
        finally:
            dialog.deleteLater()

    def merge(self, into_id: int, other_ids: list[int]) -> tasks.Task:
        """Merge themed findings on the write thread."""
        return self._shape(
            merge_findings, into_id, other_ids, message=f"Findings merged into {into_id}"
        )

    def split_dialog(self) -> SplitDialog | None:
        """Return a dialog to split the chosen theme (None: no themed finding chosen)."""
        themed = self._themed()
        return None if themed is None else SplitDialog(themed, self)

    def start_split(self) -> None:
        """Ask which gaps to move out of the chosen theme, then split it."""
        dialog = self.split_dialog()
        if dialog is None:
            return
        try:
            if dialog.exec() == QDialog.DialogCode.Accepted:
                self.split(dialog.finding_id, dialog.chosen_keys(), dialog.title())
        finally:
            dialog.deleteLater()

    def split(self, finding_id: int, keys: list[str], title: str = "") -> tasks.Task:
        """Split a themed finding on the write thread; the new finding is chosen."""
        return self._shape(split_finding, finding_id, keys, title=title,
                           message=f"Finding {finding_id} split", choose_result=True)  # fmt: skip

    def _shape(self, service: Any, *args: Any, message: str, choose_result: bool = False,
               **kwargs: Any) -> tasks.Task:  # fmt: skip
        self.editor.flush()  # hands over typed text first
        for button in (self.merge_button, self.split_button):
            button.setEnabled(False)

        def done(info: FindingInfo) -> None:
            self._select_next = info.id if choose_result else None
            self._written(message)

        def failed(exc: BaseException) -> None:
            show_error(self, "Cannot change the findings", exc)
            self.refresh()

        return self._context.write(service, *args, origin=self, on_success=done,
                                   on_failure=failed, **kwargs)  # fmt: skip

    def _written(self, message: str) -> None:
        self.refresh()
        self._context.status_message.emit(message)

    def _on_changed(self, _written: Written) -> None:
        if self.isVisible():
            self.refresh()
        else:  # answers change often; read the findings again when the page is shown
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()
