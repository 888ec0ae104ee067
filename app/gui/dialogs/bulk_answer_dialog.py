"""Answer several questions at once: the ones picked in the tree, or every one the filter shows.

The dialog collects what to set (a level, N/A with its reason, a note, the evidence strength
as provenance, evidence files); the page saves it as one action with one journal entry and one
undo. Inherited answers are never changed here: they belong to the organisation assessment.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.gui import file_dialogs
from app.gui.widgets.subcategory_panel import STRENGTHS
from app.support.text import plural

logger = logging.getLogger(__name__)

KEEP = "keep"
LEVELS = [("Keep as is", KEEP), *((f"{n}", n) for n in range(6)), ("N/A (give the reason)", "na"),
          ("Clear the answer", None)]  # fmt: skip


class BulkAnswerDialog(QDialog):
    """Collects one bulk answer; :meth:`changes` and :meth:`files` give what to save.

    Args:
        picked: How many own questions are picked in the tree.
        shown: How many own questions the current filter shows.
        parent: The window the dialog belongs to.
    """

    def __init__(self, picked: int, shown: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Answer several questions")
        self.picked_button = QRadioButton(f"The {plural(picked, 'question')} picked in the tree")
        self.shown_button = QRadioButton(
            f"All {plural(shown, 'question')} the filter shows"
            if shown != 1
            else "The one question the filter shows"
        )
        self.picked_button.setEnabled(picked > 0)
        (self.picked_button if picked else self.shown_button).setChecked(True)
        self.level = QComboBox()
        for text, value in LEVELS:
            self.level.addItem(text, value)
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("A note for every answer (for N/A: why it does not apply)")
        self.note.setMaximumHeight(80)
        self.strength = QComboBox()
        self.strength.addItem("Keep as is", KEEP)
        for text, value in STRENGTHS[1:]:
            self.strength.addItem(text, value)
        self._files: list[Path] = []
        self.files_label = QLabel("No file")
        files_button = QPushButton("Attach files…")
        files_button.clicked.connect(self._choose_files)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.problem = QLabel()
        self.problem.setObjectName("pageHint")
        self._layout(files_button)
        for signal in (self.level.currentIndexChanged, self.note.textChanged,
                       self.strength.currentIndexChanged):  # fmt: skip
            signal.connect(self._check)
        self._check()

    def _layout(self, files_button: QPushButton) -> None:
        files = QHBoxLayout()
        files.addWidget(self.files_label, 1)
        files.addWidget(files_button)
        form = QFormLayout()
        form.addRow("Level", self.level)
        form.addRow("Note", self.note)
        form.addRow("Provenance", self.strength)
        form.addRow("Evidence", files)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Apply to"))
        layout.addWidget(self.picked_button)
        layout.addWidget(self.shown_button)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def _choose_files(self) -> None:
        paths = file_dialogs.get_open_file_names(self, "Evidence for every answer")
        self.set_files([Path(p) for p in paths])

    def set_files(self, paths: list[Path]) -> None:
        """Attach these files to every answer (replacing an earlier choice)."""
        self._files = list(paths)
        self.files_label.setText(", ".join(p.name for p in paths) or "No file")
        self._check()

    def files(self) -> list[Path]:
        """Return the files to store and link to every answer."""
        return list(self._files)

    def use_picked(self) -> bool:
        """Return True to answer the picked questions, False for all the filter shows."""
        return self.picked_button.isChecked()

    def changes(self) -> dict[str, Any]:
        """Return the response changes to apply to every chosen question."""
        out: dict[str, Any] = {}
        level, note = self.level.currentData(), self.note.toPlainText().strip()
        if level == "na":
            out |= {"not_applicable": True, "justification": note}
        elif level != KEEP:
            out |= {"level": level, "not_applicable": False}
        if note and level != "na":
            out["notes"] = note
        if self.strength.currentData() != KEEP:
            out["evidence_strength"] = self.strength.currentData()
        return out

    def _check(self) -> None:
        changes = self.changes()
        problem = ""
        if changes.get("not_applicable") and not changes.get("justification"):
            problem = "N/A needs a reason: write it as the note."
        elif not changes and not self._files:
            problem = "Choose what to set."
        self.problem.setText(problem)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not problem)
