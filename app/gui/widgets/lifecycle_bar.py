"""Lifecycle of the open assessment: draft → in review → final, and re-assessment.

Finalising runs the quality gate first (on a worker: it re-hashes the evidence) and asks
before going ahead, naming every error the gate found; a finalisation over errors is
journalled with them by the service.

Compare… opens the comparison with another round of the same AI system. Whether there is
another round is read on a worker each time an assessment is shown; the button stays disabled
until the answer is in.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QPushButton, QWidget

from app.domain.enums import AssessmentStatus
from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.dialogs.compare_dialog import CompareDialog
from app.gui.dialogs.progress_dialog import run_with_progress
from app.gui.dialogs.upgrade_dialog import UpgradeDialog
from app.gui.role_gate import gate
from app.services.assessments import (
    AssessmentInfo,
    finalize,
    list_assessments,
    reassess,
    return_to_draft,
    submit_for_review,
)
from app.services.finding_themes import GapRefresh, refresh_gap_findings
from app.services.quality_gate import QualityReport, run_quality_gate
from app.services.upgrade_plan import UpgradePlan
from app.services.workspace import Workspace
from app.support.text import plural

logger = logging.getLogger(__name__)

FINALIZE_TIP = "Check it with the quality gate and make it final (read-only)"

STATUS_TEXT = {
    AssessmentStatus.DRAFT: "Draft",
    AssessmentStatus.IN_REVIEW: "In review",
    AssessmentStatus.FINAL: "Final",
}
BADGE_COLOURS = {
    AssessmentStatus.DRAFT: "#1565c0",
    AssessmentStatus.IN_REVIEW: "#8a6d00",
    AssessmentStatus.FINAL: "#2e7d32",
}
_LISTED = 8
COMPARE_TIP = "Compare this assessment with another round of the same AI system"
NO_OTHER_ROUND_TIP = "No other assessment of this AI system to compare with"


def _issue_lines(report: QualityReport) -> str:
    lines = [f"• {issue.message}" for issue in report.errors[:_LISTED]]
    if len(report.errors) > _LISTED:
        lines.append(f"… and {len(report.errors) - _LISTED} more errors")
    return "\n".join(lines)


def finalize_question(report: QualityReport) -> str:
    """Return what to ask before finalising, given the quality gate's verdict."""
    count = len(report.warnings)
    verb = "does" if count == 1 else "do"
    warnings = f"\n\n{plural(count, 'warning')} {verb} not block." if count else ""
    if report.errors:
        return (
            f"The quality gate found {plural(len(report.errors), 'error')}:\n"
            f"{_issue_lines(report)}\n\n"
            "Finalise anyway? The override is recorded in the journal with these errors." + warnings
        )
    return (
        "Finalise this assessment? It becomes read-only; gap findings are brought up to date. "
        "A later change needs a re-assessment." + warnings
    )


class LifecycleBar(QWidget):
    """Status badge and the lifecycle buttons of one assessment."""

    changed = Signal(int)
    """The assessment to show after a move of the lifecycle (others learn from its changes)."""
    message = Signal(str)
    """A short message for the status bar."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._info: AssessmentInfo | None = None
        self.rounds: list[AssessmentInfo] | None = None
        """The other assessments of the shown system; None while they are being read."""
        self._rounds_generation = 0
        self.compare_dialog: CompareDialog | None = None
        self.status_label = QLabel()
        self.status_label.setObjectName("statusBadge")
        self.status_label.setAccessibleName("Assessment status")
        self.submit_button = self._button("Submit for review", "Hand the draft to the reviewer")
        self.return_button = self._button("Return to draft", "Send it back to the assessor")
        self.finalize_button = self._button("Finalize…", FINALIZE_TIP)
        self.reassess_button = self._button(
            "Re-assess", "Start a new draft from a copy of this final assessment"
        )
        self.compare_button = self._button("Compare…", NO_OTHER_ROUND_TIP)
        self.gaps_button = self._button(
            "Update findings",
            "Group every answer below target into themed findings (edits and decisions are kept)",
        )
        self.version_button = self._button(
            "Framework version…",
            "Move to another version of a framework, keeping the answers (draft or in review)",
        )
        self.upgrade_dialog: UpgradeDialog | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status_label)
        layout.addStretch(1)
        for button in (
            self.submit_button,
            self.return_button,
            self.finalize_button,
            self.reassess_button,
            self.compare_button,
            self.gaps_button,
            self.version_button,
        ):
            layout.addWidget(button)
        self.submit_button.clicked.connect(lambda: self._move(submit_for_review, "submitted"))
        self.return_button.clicked.connect(lambda: self._move(return_to_draft, "returned"))
        self.finalize_button.clicked.connect(self.start_finalize)
        self.reassess_button.clicked.connect(self.reassess)
        self.compare_button.clicked.connect(self.open_compare)
        self.gaps_button.clicked.connect(self.update_gaps)
        self.version_button.clicked.connect(self.open_upgrade)
        self.set_info(None)

    def _button(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        return button

    @property
    def workspace(self) -> Workspace:
        return self._context.workspace

    def set_info(self, info: AssessmentInfo | None) -> None:
        """Show the status of ``info`` and enable the moves it allows."""
        self._info = info
        status = AssessmentStatus(info.status) if info is not None else None
        self.status_label.setText(STATUS_TEXT[status] if status is not None else "")
        self.status_label.setVisible(status is not None)
        colour = BADGE_COLOURS.get(status, "#757575") if status is not None else "#757575"
        self.status_label.setStyleSheet(
            f"QLabel#statusBadge {{ background: {colour}; color: white; font-weight: 600;"
            " padding: 3px 10px; border-radius: 9px; }"
        )
        self.submit_button.setEnabled(status == AssessmentStatus.DRAFT)
        self.return_button.setEnabled(status == AssessmentStatus.IN_REVIEW)
        self.finalize_button.setEnabled(status == AssessmentStatus.IN_REVIEW)
        gate(self.finalize_button, self.workspace.team_role, "finalise", FINALIZE_TIP)
        self.reassess_button.setEnabled(status == AssessmentStatus.FINAL)
        self.gaps_button.setEnabled(status is not None and status != AssessmentStatus.FINAL)
        self.version_button.setEnabled(status is not None and status != AssessmentStatus.FINAL)
        self._list_rounds(info)

    # Comparing with another round ------------------------------------------------------------
    def _list_rounds(self, info: AssessmentInfo | None) -> None:
        """Find the other assessments of the shown system on a worker; enable Compare if any."""
        self._rounds_generation += 1
        generation = self._rounds_generation
        self.rounds = None
        self.compare_button.setEnabled(False)
        self.compare_button.setToolTip(NO_OTHER_ROUND_TIP)
        if info is None:
            return
        tasks.run_task(
            list_assessments,
            self.workspace,
            info.system,
            on_success=lambda found: self._rounds_listed(generation, info, found),
            on_failure=lambda exc: self._rounds_failed(generation, exc),
            with_progress=False,
        )

    def _rounds_listed(
        self, generation: int, info: AssessmentInfo, found: list[AssessmentInfo]
    ) -> None:
        if generation != self._rounds_generation or not shiboken6.isValid(self.compare_button):
            return  # a newer listing is on its way, or the window closed meanwhile
        self.rounds = [other for other in found if other.id != info.id]
        self.compare_button.setEnabled(bool(self.rounds))
        self.compare_button.setToolTip(COMPARE_TIP if self.rounds else NO_OTHER_ROUND_TIP)

    def _rounds_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._rounds_generation:
            return
        logger.warning("cannot list the other rounds: %s", exc)
        self.rounds = []
        self.compare_button.setToolTip(f"Cannot find the other rounds: {exc}")

    def open_upgrade(self) -> UpgradeDialog | None:
        """Open the dialog that moves the shown assessment to another framework version."""
        if self._info is None:
            return None
        info = self._info
        dialog = UpgradeDialog(self.workspace, info, self)
        dialog.upgraded.connect(lambda plan: self._upgraded(info.id, plan))
        self.upgrade_dialog = dialog
        dialog.open()
        return dialog

    def _upgraded(self, assessment_id: int, plan: UpgradePlan) -> None:
        self.changed.emit(assessment_id)
        self.message.emit(f"Moved to {plan.framework_id} {plan.to_version}")

    def open_compare(self) -> CompareDialog | None:
        """Open the comparison of the shown assessment with another round (not blocking)."""
        if self._info is None or not self.rounds:
            return None
        if self.compare_dialog is not None:
            self.compare_dialog.close()
            self.compare_dialog.deleteLater()
        dialog = CompareDialog(self.workspace, self._info, self.rounds, self)
        self.compare_dialog = dialog
        dialog.open()
        return dialog

    # Moves ---------------------------------------------------------------------------------
    def _move(self, service: Callable[[Workspace, int], AssessmentInfo], verb: str) -> None:
        if self._info is None:
            return

        def moved(info: AssessmentInfo) -> None:
            self.message.emit(f"Assessment {info.id} {verb}: now {STATUS_TEXT[info.status]}")
            self.changed.emit(info.id)

        self._write(service, "Cannot change the assessment", moved, self._info.id)

    def _write(self, service: Callable[..., Any], title: str, done: Callable[[Any], None],
               *args: Any) -> None:  # fmt: skip
        """Run a change on the one writer; a refusal is told in a box and the status bar."""
        self._context.write(
            service, *args, origin=self, on_success=done,
            on_failure=lambda exc: self._context.refuse(self, title, "The change", exc),
        )  # fmt: skip

    def start_finalize(self) -> None:
        """Run the quality gate on a worker, then ask and finalise."""
        if self._info is None:
            return
        assessment_id = self._info.id
        run_with_progress(
            self,
            "Checking the assessment before finalising",
            run_quality_gate,
            self.workspace,
            assessment_id,
            on_success=lambda report: self._confirm_finalize(assessment_id, report),
            with_progress=False,
        )

    def _confirm_finalize(self, assessment_id: int, report: QualityReport) -> None:
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
        answer = QMessageBox.question(
            self, "Finalize the assessment", finalize_question(report), buttons
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        run_with_progress(
            self,
            "Finalising the assessment",
            finalize,
            self.workspace,
            assessment_id,
            force=not report.ok,
            writes=True,
            origin=self,
            with_progress=False,
            on_success=self._finalized,
        )

    def _finalized(self, info: AssessmentInfo) -> None:
        self.message.emit(f"Assessment {info.id} is final and read-only")
        self.changed.emit(info.id)

    def reassess(self) -> None:
        if self._info is None:
            return
        source = self._info.id

        def started(info: AssessmentInfo) -> None:
            self.message.emit(f"Assessment {info.id} started from a copy of {source}")
            self.changed.emit(info.id)

        self._write(reassess, "Cannot re-assess", started, source)

    def update_gaps(self) -> None:
        if self._info is None:
            return

        def refreshed(result: GapRefresh) -> None:
            self.message.emit(
                f"Themed findings: {result.created} new, {result.updated} updated, "
                f"{result.removed} removed, {result.resolved} closed"
            )

        self._write(refresh_gap_findings, "Cannot update the findings", refreshed,
                    self._info.id)  # fmt: skip
