"""Merge and split themed findings: choose the other themes, or the gaps to move out.

Both dialogs only collect a choice; the Findings page does the write on the writer thread.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.findings import FindingInfo

logger = logging.getLogger(__name__)


class _Checklist(QDialog):
    """A dialog with a hint, a list of checkable rows and OK only when something is ticked."""

    def __init__(self, title: str, hint: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.hint = QLabel(hint)
        self.hint.setWordWrap(True)
        self.choices = QListWidget()
        self.choices.setAccessibleName(title)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.hint)
        self.layout_.addWidget(self.choices, 1)
        self.choices.itemChanged.connect(lambda _item: self._update_ok())
        self.resize(560, 420)

    def add_choice(self, text: str, data: object, tooltip: str = "") -> None:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        item.setData(Qt.ItemDataRole.UserRole, data)
        item.setToolTip(tooltip)
        self.choices.addItem(item)

    def finish(self) -> None:
        self.layout_.addWidget(self.buttons)
        self._update_ok()

    def checked(self) -> list[object]:
        """Return the data of every ticked row, in list order."""
        return [
            self.choices.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.choices.count())
            if self.choices.item(i).checkState() == Qt.CheckState.Checked
        ]

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.checked()))


class MergeDialog(_Checklist):
    """Choose the themed findings of the same assessment to merge into ``into``."""

    def __init__(
        self, into: FindingInfo, candidates: Sequence[FindingInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(
            "Merge findings",
            f"Merge into finding {into.id}, “{into.title}”. The gaps of the findings you tick "
            "move to it and those findings are removed; their categories keep coming to it.",
            parent,
        )
        self.into_id = into.id
        for other in candidates:
            if other.id != into.id and other.assessment_id == into.assessment_id:
                self.add_choice(f"{other.id} · {other.title} ({len(other.items)} gaps)", other.id)
        self.finish()

    def chosen_ids(self) -> list[int]:
        """Return the findings ticked to merge."""
        return [int(str(value)) for value in self.checked()]


class SplitDialog(_Checklist):
    """Choose the gaps of ``finding`` to move to a new finding, and that finding's title."""

    def __init__(self, finding: FindingInfo, parent: QWidget | None = None) -> None:
        super().__init__(
            "Split finding",
            f"Tick the gaps to move from finding {finding.id} to a new finding; at least one "
            "must stay.",
            parent,
        )
        self.finding_id = finding.id
        for item in finding.items:
            self.add_choice(f"{item.ref} · {item.title}", item.key, item.recommendation)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("New finding title")
        self.title_edit.setPlaceholderText("Title of the new finding (drafted when empty)")
        self.layout_.addWidget(self.title_edit)
        self.finish()

    def chosen_keys(self) -> list[str]:
        """Return the gaps ticked to move."""
        return [str(value) for value in self.checked()]

    def title(self) -> str:
        """Return the new finding's title as typed."""
        return self.title_edit.text().strip()
