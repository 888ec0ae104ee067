"""Edit one finding: title, condition, recommendation, risk rating and remediation tracking.

Tracking is the owner, due date, effort, status, the client's management response and, for an
accepted risk, its justification and approver. A themed finding also lists the gaps it groups
(its criteria). Every change is handed to the page at once (text after a short pause or on
leaving the field), which saves it through the findings service.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QDate, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import risk_matrix
from app.domain.enums import FINDING_STATUS_LABELS, SEVERITY_ORDER, FindingStatus
from app.domain.scoring import LEVEL_NAMES
from app.services.findings import TRACKING_FIELDS, FindingInfo

logger = logging.getLogger(__name__)

TEXT_DELAY_MS = 700
SOURCE_TEXT = {
    "theme": "Themed finding",
    "gap": "Maturity gap",
    "identity-rule": "Identity rule",
    "manual": "Entered by hand",
}
STATUS_TEXT = {FindingStatus(value): text for value, text in FINDING_STATUS_LABELS.items()}
EFFORT_TEXT = {"": "Not estimated", "low": "Low", "medium": "Medium", "high": "High"}


def _label(text: str = "", hint: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if hint:
        label.setObjectName("pageHint")
    return label


def _spin(name: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 5)
    box.setSpecialValueText("—")
    box.setAccessibleName(name)
    return box


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
        self.recommendation_edit = self._text_box("Recommendation", "Advice to the client")
        self.detail_edit = self._text_box("Condition", "What was found")
        self.response_edit = self._text_box(
            "Management response", "What the client says it will do, and by when"
        )
        self.justification_edit = QLineEdit()
        self.justification_edit.setAccessibleName("Risk acceptance justification")
        self.justification_edit.setPlaceholderText("Why the client accepts the risk")
        self.approver_edit = QLineEdit()
        self.approver_edit.setAccessibleName("Risk accepted by")
        self.approver_edit.setPlaceholderText("Who approved accepting it")
        self.likelihood_box = _spin("Likelihood")
        self.impact_box = _spin("Impact")
        self.score_label = _label(hint=True)
        risk_row = QHBoxLayout()
        for text, box in (("Likelihood", self.likelihood_box), ("× impact", self.impact_box)):
            risk_row.addWidget(QLabel(text))
            risk_row.addWidget(box)
        risk_row.addWidget(self.score_label, 1)
        self.effort_box = QComboBox()
        self.effort_box.setAccessibleName("Effort")
        for value, text in EFFORT_TEXT.items():
            self.effort_box.addItem(text, value)
        self.criteria = QTreeWidget()
        self.criteria.setAccessibleName("Criteria")
        self.criteria.setHeaderLabels(["Criterion", "Practice or check", "Current", "Target"])
        self.criteria.setRootIsDecorated(False)
        self.criteria.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.criteria.setMinimumHeight(120)
        header = self.criteria.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.references = _label(hint=True)
        form = QFormLayout()
        form.addRow("Title:", self.title_edit)
        form.addRow("Risk:", risk_row)
        form.addRow("Severity:", self.severity_box)
        form.addRow("Condition:", self.detail_edit)
        form.addRow("Recommendation:", self.recommendation_edit)
        form.addRow("Status:", self.status_box)
        form.addRow("Owner:", self.owner_edit)
        form.addRow("Due date:", due_row)
        form.addRow("Effort:", self.effort_box)
        form.addRow("Response:", self.response_edit)
        form.addRow("Accepted because:", self.justification_edit)
        form.addRow("Accepted by:", self.approver_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.origin)
        layout.addWidget(self.lock_label)
        layout.addLayout(form)
        layout.addWidget(QLabel("<b>Criteria</b>"))
        layout.addWidget(self.criteria, 1)
        layout.addWidget(self.references)
        self._text_timer = QTimer(self, singleShot=True, interval=TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self.flush)
        self.severity_box.activated.connect(
            lambda _i: self._emit(severity=self.severity_box.currentData())
        )
        self.status_box.activated.connect(lambda _i: self._status_chosen())
        self.effort_box.activated.connect(
            lambda _i: self._emit(effort=self.effort_box.currentData())
        )
        for field, line in (("owner", self.owner_edit), ("title", self.title_edit),
                            ("acceptance_justification", self.justification_edit),
                            ("accepted_by", self.approver_edit)):  # fmt: skip
            line.textEdited.connect(lambda _t, f=field: self._typed.add(f))
            line.editingFinished.connect(self.flush)
        self.due_check.toggled.connect(self._due_changed)
        self.due_edit.dateChanged.connect(lambda _d: self._due_changed())
        self.likelihood_box.valueChanged.connect(lambda _v: self._rating_changed())
        self.impact_box.valueChanged.connect(lambda _v: self._rating_changed())
        self.show_finding(None)

    def _text_box(self, name: str, placeholder: str) -> QPlainTextEdit:
        box = QPlainTextEdit()
        box.setAccessibleName(name)
        box.setPlaceholderText(placeholder)
        box.setMaximumHeight(90)
        field = {"Recommendation": "recommendation", "Condition": "detail"}.get(
            name, "management_response"
        )
        box.textChanged.connect(lambda: self._text_typed(field))
        return box

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
        for widget in (self.status_box, self.owner_edit, self.due_check, self.effort_box,
                       self.justification_edit, self.approver_edit):  # fmt: skip
            widget.setEnabled(not self._read_only)
        for widget in (self.title_edit, self.severity_box, self.likelihood_box, self.impact_box):
            widget.setEnabled(not self._frozen)
        self.due_edit.setEnabled(not self._read_only and self.due_check.isChecked())
        self.recommendation_edit.setReadOnly(self._frozen)
        self.detail_edit.setReadOnly(self._frozen)
        self.response_edit.setReadOnly(self._read_only)
        if previous is not None and pending:  # handed over once the new finding is shown
            self._emit_for(previous, pending)

    def _fill(self, finding: FindingInfo | None) -> None:
        if finding is None:
            self.heading.setText("Choose a finding in the list.")
            for label in (self.origin, self.references, self.score_label):
                label.clear()
            for line in (self.title_edit, self.owner_edit, self.justification_edit,
                         self.approver_edit):  # fmt: skip
                line.clear()
            for box in (self.recommendation_edit, self.detail_edit, self.response_edit):
                box.clear()
            self.criteria.clear()
            self.likelihood_box.setValue(0)
            self.impact_box.setValue(0)
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
        for field, box in (("recommendation", self.recommendation_edit),
                           ("detail", self.detail_edit),
                           ("management_response", self.response_edit)):  # fmt: skip
            if field not in self._typed:
                box.setPlainText(getattr(finding, field))
        for field, line in (("acceptance_justification", self.justification_edit),
                            ("accepted_by", self.approver_edit)):  # fmt: skip
            if field not in self._typed:
                line.setText(getattr(finding, field))
        self.effort_box.setCurrentIndex(max(0, self.effort_box.findData(finding.effort)))
        self.likelihood_box.setValue(finding.likelihood or 0)
        self.impact_box.setValue(finding.impact or 0)
        self._show_score()
        self._fill_criteria(finding)
        refs = ", ".join(finding.references)
        self.references.setText(f"References: {refs}" if refs else "")

    def _fill_criteria(self, finding: FindingInfo) -> None:
        self.criteria.clear()
        for item in finding.items:
            levels = [
                "" if value is None else f"{value} {LEVEL_NAMES.get(value, '')}"
                for value in (item.level, item.target)
            ]
            ref = item.ref if item.kind != "rule" else "Identity check"
            row = QTreeWidgetItem([ref, item.title, *levels])
            row.setToolTip(1, item.recommendation)
            self.criteria.addTopLevelItem(row)
        self.criteria.setVisible(bool(finding.items))

    def _show_score(self) -> None:
        likelihood, impact = self.likelihood_box.value(), self.impact_box.value()
        if likelihood and impact:
            band = risk_matrix.rating(likelihood, impact).value
            self.score_label.setText(f"= {likelihood * impact} ({band})")
        else:
            self.score_label.setText("not rated")

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

    def _text_typed(self, field: str) -> None:
        frozen = self._frozen and field not in TRACKING_FIELDS
        if not self._loading and not frozen and not self._read_only:
            self._typed.add(field)
            self._text_timer.start()

    def _status_chosen(self) -> None:
        """Hand over the status, with the acceptance details typed so far when accepting."""
        status = self.status_box.currentData()
        if status == FindingStatus.ACCEPTED:
            pending = self._take_typed()
            self._emit(status=status, **pending)
        else:
            self._emit(status=status)

    def _rating_changed(self) -> None:
        self._show_score()
        likelihood, impact = self.likelihood_box.value(), self.impact_box.value()
        if likelihood and impact:
            self._emit(likelihood=likelihood, impact=impact)

    def _values(self) -> dict[str, str]:
        return {
            "title": self.title_edit.text().strip(),
            "owner": self.owner_edit.text().strip(),
            "recommendation": self.recommendation_edit.toPlainText().strip(),
            "detail": self.detail_edit.toPlainText().strip(),
            "management_response": self.response_edit.toPlainText().strip(),
            "acceptance_justification": self.justification_edit.text().strip(),
            "accepted_by": self.approver_edit.text().strip(),
        }

    def _take_typed(self) -> dict[str, Any]:
        """Return the typed text fields not yet handed over, and forget them."""
        self._text_timer.stop()
        values = self._values()
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
