"""File ▸ Hand out package…: the assessments an assessor takes away, and who they are for.

The package itself is written by the one writer (the hand-out is journalled); signing a package
is done on the command line (``assay package handout … --sign``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.assessment_records import AssessmentInfo

logger = logging.getLogger(__name__)


class HandoutDialog(QDialog):
    """Ask for the assessor's name and the assessments the hand-out carries."""

    def __init__(self, assessments: Sequence[AssessmentInfo], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Hand out package")
        self.name = QLineEdit()
        self.name.setPlaceholderText("The assessor who takes it, e.g. Ana Ruiz")
        self.name.setAccessibleName("Assessor")
        self.choices = QListWidget()
        self.choices.setAccessibleName("Assessments to hand out")
        for info in assessments:
            where = info.system or "Organisation"
            item = QListWidgetItem(f"{info.id}  {where}: {info.title}")
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.choices.addItem(item)
        note = QLabel(
            "The package carries the ticked assessments with their systems, inventory, answers, "
            "evidence, findings, requests and comments (the organisation assessment they inherit "
            "from goes with them). Tick none to hand out the whole engagement."
        )
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Assessor", self.name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Hand out…")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.choices, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.resize(560, 420)
        self._update()

    def assessor(self) -> str:
        """Return the assessor's name as typed."""
        return self.name.text().strip()

    def assessment_ids(self) -> list[int]:
        """Return the ids of the ticked assessments (none: the whole engagement)."""
        return [
            int(self.choices.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.choices.count())
            if self.choices.item(row).checkState() == Qt.CheckState.Checked
        ]

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.assessor()))
