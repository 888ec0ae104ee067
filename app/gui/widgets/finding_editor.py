"""Edit one finding: title, severity, status, owner, due date and recommendation.

Every change is handed to the page at once (text after a short pause or on leaving the
field), which saves it through the findings service.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import SEVERITY_ORDER, FindingStatus
from app.services.findings import FindingInfo

logger = logging.getLogger(__name__)

TEXT_DELAY_MS = 700
SOURCE_TEXT = {"gap": "Maturity gap", "identity-rule": "Identity rule", "manual": "Entered by hand"}
STATUS_TEXT = {
    FindingStatus.OPEN: "Open",
    FindingStatus.IN_PROGRESS: "In progress",
    FindingStatus.ACCEPTED: "Risk accepted",
    FindingStatus.RESOLVED: "Resolved",
}


def _label(text: str = "", hint: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if hint:
        label.setObjectName("pageHint")
    return label


TRACKING_FIELDS = frozenset({"owner", "due_date", "status"})


class FindingEditor(QWidget):
    """Shows one finding and emits ``changed(finding_id, {field: value})`` for each edit."""

    changed = Signal(int, dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._finding: FindingInfo | None = None
        self._loading = False
        self._read_only = False
        self._frozen = False
        self._typed: set[str] = set()
        """Text fields typed in but not yet handed over (kept when the finding is re-shown)."""
        self.heading = _label()
        self.heading.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.origin = _label(hint=True)
        self.lock_label = _label()
        self.lock_label.setStyleSheet("color: #8a6d00;")
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Finding title")
        self.severity_box = QComboBox()
        self.severity_box.setAccessibleName("Severity")
        for severity in SEVERITY_ORDER:
            self.severity_box.addItem(severity.value.capitalize(), severity.value)
        self.status_box = QComboBox()
        self.status_box.setAccessibleName("Status")
        for status, text in STATUS_TEXT.items():
            self.status_box.addItem(text, status.value)
        self.owner_edit = QLineEdit()
        self.owner_edit.setAccessibleName("Owner")
        self.owner_edit.setPlaceholderText("Who must act on it")
        self.due_check = QCheckBox("Due by")
        self.due_check.setToolTip("Give the finding a due date")
        self.due_edit = QDateEdit()
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setAccessibleName("Due date")
        due_row = QHBoxLayout()
        due_row.addWidget(self.due_check)
        due_row.addWidget(self.due_edit, 1)
        self.recommendation_edit = QPlainTextEdit()
        self.recommendation_edit.setAccessibleName("Recommendation")
        self.recommendation_edit.setPlaceholderText("What should be done about it")
        self.detail = _label()
        self.references = _label(hint=True)
        form = QFormLayout()
        form.addRow("Title:", self.title_edit)
        form.addRow("Severity:", self.severity_box)
        form.addRow("Status:", self.status_box)
        form.addRow("Owner:", self.owner_edit)
        form.addRow("Due date:", due_row)
        form.addRow("Recommendation:", self.recommendation_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.origin)
        layout.addWidget(self.lock_label)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Detail</b>"))
        layout.addWidget(self.detail)
        layout.addWidget(self.references)
        layout.addStretch(1)
        self._text_timer = QTimer(self, singleShot=True, interval=TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self.flush)
        self.severity_box.activated.connect(
            lambda _i: self._emit(severity=self.severity_box.currentData())
        )
        self.status_box.activated.connect(
            lambda _i: self._emit(status=self.status_box.currentData())
        )
        self.owner_edit.textEdited.connect(lambda _t: self._typed.add("owner"))
        self.title_edit.textEdited.connect(lambda _t: self._typed.add("title"))
        self.owner_edit.editingFinished.connect(self.flush)
        self.title_edit.editingFinished.connect(self.flush)
        self.due_check.toggled.connect(self._due_changed)
        self.due_edit.dateChanged.connect(lambda _d: self._due_changed())
        self.recommendation_edit.textChanged.connect(self._recommendation_typed)
        self.show_finding(None)

    # Showing -------------------------------------------------------------------------------
    @property
    def finding(self) -> FindingInfo | None:
        return self._finding

    def show_finding(
        self, finding: FindingInfo | None, *, read_only_reason: str = "", frozen_reason: str = ""
    ) -> None:
        """Show a finding (None: nothing chosen); text typed for another one is saved.

        The same finding shown again (after a save or a refresh) keeps the text being typed.
        ``read_only_reason`` locks everything; ``frozen_reason`` locks only what a final
        report states (title, severity, recommendation) and leaves tracking editable.
        """
        previous = self._finding
        same = finding is not None and previous is not None and previous.id == finding.id
        pending = {} if same else self._take_typed()
        self._finding = finding
        self._read_only = bool(read_only_reason) or finding is None
        self._frozen = self._read_only or bool(frozen_reason)
        read_only_reason = read_only_reason or frozen_reason
        self._loading = True
        try:
            self._fill(finding)
        finally:
            self._loading = False
        self.lock_label.setText(read_only_reason)
        self.lock_label.setVisible(bool(read_only_reason))
        for widget in (self.status_box, self.owner_edit, self.due_check):
            widget.setEnabled(not self._read_only)
        for widget in (self.title_edit, self.severity_box):
            widget.setEnabled(not self._frozen)
        self.due_edit.setEnabled(not self._read_only and self.due_check.isChecked())
        self.recommendation_edit.setReadOnly(self._frozen)
        if previous is not None and pending:  # handed over once the new finding is shown
            self._emit_for(previous, pending)

    def _fill(self, finding: FindingInfo | None) -> None:
        if finding is None:
            self.heading.setText("Choose a finding in the list.")
            for label in (self.origin, self.detail, self.references):
                label.clear()
            self.title_edit.clear()
            self.owner_edit.clear()
            self.recommendation_edit.clear()
            self.due_check.setChecked(False)
            return
        self.heading.setText(f"Finding {finding.id}")
        where = [SOURCE_TEXT.get(finding.source, finding.source)]
        if finding.rule_id:
            where.append(f"rule {finding.rule_id}")
        if finding.system:
            where.append(f"AI system {finding.system}")
        if finding.identity:
            where.append(f"identity {finding.identity}")
        if finding.assessment_id is not None:
            where.append(f"assessment #{finding.assessment_id}")
        if finding.question_id:
            where.append(f"question {finding.question_id}")
        self.origin.setText(" · ".join(where))
        if "title" not in self._typed:
            self.title_edit.setText(finding.title)
            self.title_edit.setCursorPosition(0)
        self.severity_box.setCurrentIndex(self.severity_box.findData(finding.severity))
        self.status_box.setCurrentIndex(self.status_box.findData(finding.status))
        if "owner" not in self._typed:
            self.owner_edit.setText(finding.owner)
        self.due_check.setChecked(finding.due_date is not None)
        due = finding.due_date or dt.date.today() + dt.timedelta(days=30)
        self.due_edit.setDate(QDate(due.year, due.month, due.day))
        if "recommendation" not in self._typed:
            self.recommendation_edit.setPlainText(finding.recommendation)
        self.detail.setText(finding.detail or "—")
        refs = ", ".join(finding.references)
        self.references.setText(f"References: {refs}" if refs else "")

    # Edits ---------------------------------------------------------------------------------
    def _emit(self, **changes: Any) -> None:
        if self._finding is not None and not self._loading:
            self._emit_for(self._finding, changes)

    def _emit_for(self, finding: FindingInfo, changes: dict[str, Any]) -> None:
        if self._read_only:
            return
        if self._frozen:
            changes = {k: v for k, v in changes.items() if k in TRACKING_FIELDS}
        changes = {k: v for k, v in changes.items() if getattr(finding, k) != v}
        if changes:
            self.changed.emit(finding.id, changes)

    def due_date(self) -> dt.date | None:
        if not self.due_check.isChecked():
            return None
        return self.due_edit.date().toPython()  # type: ignore[no-any-return]

    def _due_changed(self, *_args: object) -> None:
        self.due_edit.setEnabled(not self._read_only and self.due_check.isChecked())
        self._emit(due_date=self.due_date())

    def _recommendation_typed(self) -> None:
        if not self._loading and not self._frozen:
            self._typed.add("recommendation")
            self._text_timer.start()

    def _take_typed(self) -> dict[str, Any]:
        """Return the typed text fields not yet handed over, and forget them."""
        self._text_timer.stop()
        values = {
            "title": self.title_edit.text().strip(),
            "owner": self.owner_edit.text().strip(),
            "recommendation": self.recommendation_edit.toPlainText().strip(),
        }
        typed, self._typed = self._typed, set()
        return {k: v for k, v in values.items() if k in typed and (v or k != "title")}

    def flush(self) -> None:
        """Hand over text typed but not yet saved (a pause, leaving a field, closing).

        What decides is whether text was typed since it was last handed over, never whether
        the timer still runs: inside its own timeout a single-shot timer is no longer active.
        """
        pending = self._take_typed()
        if pending and self._finding is not None:
            self._emit_for(self._finding, pending)

    @property
    def text_unsaved(self) -> bool:
        """Return True while typed text waits to be handed over."""
        return bool(self._typed)
