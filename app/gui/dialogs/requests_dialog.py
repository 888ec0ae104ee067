"""Evidence requests of an assessment: who was asked for what, by when, and where each stands.

Overdue requests (still awaited after their due date) are highlighted. A new request names a
client contact and a question (or ``finding N``); the status of the selected request is set
with the pick list. The Evidence requests sheet of a returned workbook is read back here too.
Reads and writes run on workers through the evidence request service.
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QDate
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.review import RequestStatus
from app.gui import tasks, theme
from app.gui.context import GuiContext
from app.gui.dialogs.record_dialog import error_label, error_text
from app.gui.dialogs.sheet_readback import SheetReadBack
from app.services.evidence_requests import RequestInfo, add_request, list_requests, update_request
from app.services.reporting.request_sheet import RequestsImport, import_requests
from app.support.text import plural

logger = logging.getLogger(__name__)

HEADERS = ("#", "About", "Asked of", "Evidence wanted", "Due", "Status", "Received")


def _cells(request: RequestInfo) -> tuple[str, ...]:
    status = request.status + (" — overdue" if request.overdue else "")
    return (
        str(request.id), request.subject, request.contact, request.description,
        request.due_date.isoformat() if request.due_date else "—", status,
        request.received_on.isoformat() if request.received_on else "",
    )  # fmt: skip


def _sheet_lines(plan: RequestsImport) -> list[str]:
    return [
        f"Row {c.row}: request {c.request_id}: "
        + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in c.changes.items())
        for c in plan.changes
    ]


class RequestsDialog(QDialog):
    """List, add and move along the evidence requests of one assessment."""

    def __init__(self, context: GuiContext, assessment_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self._assessment_id = assessment_id
        self._requests: list[RequestInfo] = []
        self.setWindowTitle(f"Evidence requests — assessment #{assessment_id}")
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.summary = QLabel()
        self.error = error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._status_row())
        layout.addLayout(self._add_form())
        sheet_button = QPushButton("Read the Evidence requests sheet…")
        sheet_button.setToolTip("Bring back the status, received dates and notes the client wrote")
        self._sheet = SheetReadBack(self, "the evidence requests sheet", import_requests,
                                    _sheet_lines, self.error, self._changed)  # fmt: skip
        sheet_button.clicked.connect(
            lambda: self._sheet.ask(self._context.workspace, self._assessment_id)
        )
        layout.addWidget(sheet_button)
        layout.addWidget(self.error)
        self.resize(900, 480)
        self.reload()

    def _status_row(self) -> QHBoxLayout:
        self.status_box = QComboBox()
        self.status_box.setAccessibleName("New status")
        self.status_box.addItems([s.value for s in RequestStatus])
        button = QPushButton("Set status of selected")
        button.clicked.connect(self.set_status)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.status_box)
        row.addWidget(button)
        return row

    def _add_form(self) -> QGridLayout:
        self.subject_edit = QLineEdit()
        self.subject_edit.setPlaceholderText("question id, or finding N")
        self.contact_edit = QLineEdit()
        self.contact_edit.setPlaceholderText("client contact")
        self.what_edit = QLineEdit()
        self.what_edit.setPlaceholderText("evidence wanted")
        self.due_edit = QDateEdit(QDate.currentDate().addDays(14))
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        add = QPushButton("Ask for evidence")
        add.setObjectName("primary")
        add.clicked.connect(self.add)
        grid = QGridLayout()
        for column, (label, widget) in enumerate(
            (("About", self.subject_edit), ("Asked of", self.contact_edit),
             ("Evidence", self.what_edit), ("Due", self.due_edit))
        ):  # fmt: skip
            grid.addWidget(QLabel(label), 0, column)
            grid.addWidget(widget, 1, column)
        grid.addWidget(add, 1, 4)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(2, 2)
        return grid

    def read_requests_sheet(self, path: Path) -> None:
        """Read a returned Evidence requests sheet: show its problems, or ask to apply it."""
        self._sheet.read(self._context.workspace, self._assessment_id, path)

    def reload(self) -> None:
        """Read the requests again on a worker."""
        ws = self._context.workspace
        tasks.run_task(list_requests, ws, self._assessment_id, with_progress=False,
                       on_success=self._show, on_failure=self._failed)  # fmt: skip

    def _show(self, found: list[RequestInfo]) -> None:
        if not shiboken6.isValid(self.error):
            return  # the dialog closed meanwhile
        self._requests = found
        self.table.setRowCount(len(found))
        late = QBrush(QColor(theme.WARNING))
        for row, request in enumerate(found):
            for column, text in enumerate(_cells(request)):
                item = QTableWidgetItem(text)
                if request.overdue:
                    item.setForeground(late)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        overdue = sum(1 for r in found if r.overdue)
        waiting = sum(1 for r in found if r.status == RequestStatus.REQUESTED)
        self.summary.setText(
            f"{plural(len(found), 'request')}: {waiting} awaited, {overdue} overdue."
            if found
            else "No evidence requested yet."
        )

    def add(self) -> None:
        """Ask the typed contact for the typed evidence about a question or a finding."""
        subject = self.subject_edit.text().strip()
        finding = subject.lower().removeprefix("finding").strip()
        about = {"finding_id": int(finding)} if finding.isdigit() else {"question_id": subject}
        due = self.due_edit.date().toPython()
        tasks.run_task(add_request, self._context.workspace, self._assessment_id,
                       contact=self.contact_edit.text(), description=self.what_edit.text(),
                       due_date=due, **about, writes=True, with_progress=False,
                       on_success=lambda _r: self._changed(), on_failure=self._failed)  # fmt: skip

    def set_status(self) -> None:
        """Give the selected request the chosen status."""
        row = self.table.currentRow()
        if not 0 <= row < len(self._requests):
            return
        tasks.run_task(update_request, self._context.workspace, self._requests[row].id,
                       status=self.status_box.currentText(), writes=True, with_progress=False,
                       on_success=lambda _r: self._changed(), on_failure=self._failed)  # fmt: skip

    def _changed(self) -> None:
        self.error.hide()
        self._context.status_message.emit("Evidence requests saved")
        self.reload()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self.error):
            return
        self.error.setText(error_text(exc, "The request could not be saved"))
        self.error.show()
