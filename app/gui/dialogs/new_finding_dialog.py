"""New finding: record by hand a finding about an assessment or an AI system.

The assessments come from the Findings page (it has just read them); the AI systems are read
on a worker when the dialog opens, so a big inventory never stalls the window. Only
assessments that are not final are offered: a final assessment's findings are frozen.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import SEVERITY_ORDER, AssessmentStatus, Severity
from app.gui import tasks
from app.services.assessments import AssessmentInfo
from app.services.inventory_queries import SystemRow, list_systems
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

LOADING_TEXT = "Reading the AI systems…"
DEFAULT_DUE_DAYS = 30


def _key(kind: str, key: int | str | None) -> str:
    """Return the combo box data naming an assessment (by id) or an AI system (by id)."""
    return f"{kind}:{key}"


class NewFindingDialog(QDialog):
    """Collects a finding entered by hand; :meth:`values` returns ``create_finding`` arguments.

    Args:
        workspace: The open workspace (its AI systems are read on a worker).
        assessments: The assessments the finding may belong to; final ones are left out.
        parent: The window the dialog belongs to.
        assessment_id: The assessment to choose at first, if it is offered.
    """

    systems_loaded = Signal()
    """The AI systems have been read (or their failure is shown)."""

    def __init__(
        self,
        workspace: Workspace,
        assessments: Sequence[AssessmentInfo],
        parent: QWidget | None = None,
        *,
        assessment_id: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New finding")
        self.setMinimumWidth(520)
        self._loading = True
        self.about_box = QComboBox()
        self.about_box.setAccessibleName("Belongs to")
        self.about_box.setToolTip("The assessment or the AI system the finding is about")
        for info in assessments:
            if info.status != AssessmentStatus.FINAL:
                label = f"Assessment #{info.id}: {info.system} — {info.title}"
                self.about_box.addItem(label, _key("assessment", info.id))
        self.about_box.setCurrentIndex(
            max(0, self.about_box.findData(_key("assessment", assessment_id)))
        )
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Finding title")
        self.title_edit.setPlaceholderText("A short statement of the problem")
        self.severity_box = QComboBox()
        self.severity_box.setAccessibleName("Severity")
        for severity in SEVERITY_ORDER:
            self.severity_box.addItem(severity.value.capitalize(), severity.value)
        self.severity_box.setCurrentIndex(self.severity_box.findData(Severity.MEDIUM.value))
        self.detail_edit = self._text_edit("Detail", "What was found and where")
        self.recommendation_edit = self._text_edit("Recommendation", "What should be done")
        self.owner_edit = QLineEdit()
        self.owner_edit.setAccessibleName("Owner")
        self.owner_edit.setPlaceholderText("Who must act on it")
        self.due_check = QCheckBox("Due by")
        self.due_edit = QDateEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setAccessibleName("Due date")
        self.due_edit.setDate(QDate.currentDate().addDays(DEFAULT_DUE_DAYS))
        self.due_edit.setEnabled(False)
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_check)
        due_row.addWidget(self.due_edit, 1)
        self.hint = QLabel(LOADING_TEXT)
        self.hint.setObjectName("pageHint")
        self.hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Belongs to:", self.about_box)
        form.addRow("", self.hint)
        form.addRow("Title:", self.title_edit)
        form.addRow("Severity:", self.severity_box)
        form.addRow("Detail:", self.detail_edit)
        form.addRow("Recommendation:", self.recommendation_edit)
        form.addRow("Owner:", self.owner_edit)
        form.addRow("Due date:", due_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Record")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.title_edit.textChanged.connect(lambda _t: self._update())
        self.about_box.currentIndexChanged.connect(lambda _i: self._update())
        self.due_check.toggled.connect(self.due_edit.setEnabled)
        self._update()
        tasks.run_task(
            list_systems,
            workspace,
            on_success=self._on_systems,
            on_failure=self._on_systems_failed,
            with_progress=False,
        )

    @staticmethod
    def _text_edit(name: str, placeholder: str) -> QPlainTextEdit:
        edit = QPlainTextEdit()
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setMaximumHeight(90)
        return edit

    # Loading -------------------------------------------------------------------------------
    def loading(self) -> bool:
        """Return whether the AI systems are still being read."""
        return self._loading

    def _on_systems(self, rows: list[SystemRow]) -> None:
        self._loading = False
        for row in rows:
            self.about_box.addItem(f"AI system {row.ext_id} — {row.name or 'unnamed'}",
                                   _key("system", row.ext_id))  # fmt: skip
        self.hint.setText("" if self.about_box.count() else "The inventory has no AI system yet.")
        self.hint.setVisible(bool(self.hint.text()))
        self._update()
        self.systems_loaded.emit()

    def _on_systems_failed(self, exc: BaseException) -> None:
        self._loading = False
        self.hint.setText(f"The AI systems could not be read: {exc}")
        self._update()
        self.systems_loaded.emit()

    # Choices -------------------------------------------------------------------------------
    def choose(self, kind: str, key: int | str) -> bool:
        """Choose what the finding belongs to (``assessment`` id or ``system`` id)."""
        index = self.about_box.findData(_key(kind, key))
        if index >= 0:
            self.about_box.setCurrentIndex(index)
        return index >= 0

    def _update(self) -> None:
        ready = self.about_box.currentData() is not None and bool(self.title_edit.text().strip())
        self.ok_button.setEnabled(ready)

    def due_date(self) -> dt.date | None:
        """Return the chosen due date, or None."""
        if not self.due_check.isChecked():
            return None
        return self.due_edit.date().toPython()  # type: ignore[no-any-return]

    def values(self) -> dict[str, Any]:
        """Return the finding as keyword arguments of ``create_finding``."""
        kind, _, key = str(self.about_box.currentData() or "").partition(":")
        return {
            "title": self.title_edit.text().strip(),
            "severity": self.severity_box.currentData(),
            "detail": self.detail_edit.toPlainText().strip(),
            "recommendation": self.recommendation_edit.toPlainText().strip(),
            "owner": self.owner_edit.text().strip(),
            "due_date": self.due_date(),
            "assessment_id": int(key) if kind == "assessment" else None,
            "system": key if kind == "system" else None,
        }
