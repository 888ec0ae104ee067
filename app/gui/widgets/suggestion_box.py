"""Suggested answers to the current question, each with the reason and an Accept button."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.domain.scoring import LEVEL_NAMES
from app.services.suggestions import INVENTORY, Suggestion

logger = logging.getLogger(__name__)


def suggestion_html(suggestion: Suggestion) -> str:
    """Describe one suggestion; every value is escaped."""
    e = html.escape
    level = (
        f"level {suggestion.level} ({LEVEL_NAMES[suggestion.level]})"
        if suggestion.level is not None
        else "no level"
    )
    if suggestion.kind == INVENTORY:
        head = f"<b>From the inventory: {e(level)}</b>"
    else:
        head = (
            f"<b>From {e(suggestion.source_question)} ({e(suggestion.link_type)}) in assessment "
            f"{suggestion.source_assessment}: {e(level)}</b>"
        )
    parts = [head, e(suggestion.reason)]
    facts = [
        f"{e(f.name)}: {f.recorded} of {f.total} recorded" for f in suggestion.facts if f.total
    ]
    if facts:
        parts.append("Facts: " + "; ".join(facts))
    if suggestion.findings:
        parts.append("Open identity findings: " + "; ".join(e(f) for f in suggestion.findings))
    return "<br>".join(parts)


class SuggestionBox(QWidget):
    """Shows suggestions (or that they are being worked out) and offers to accept each."""

    accepted = Signal(object)
    """The :class:`Suggestion` the user accepted."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._read_only = False
        self.buttons: list[QPushButton] = []
        self._levels: list[bool] = []
        self.status = QLabel()
        self.status.setObjectName("pageHint")
        self._rows = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.status)
        layout.addLayout(self._rows)

    def set_loading(self) -> None:
        self._clear()
        self.status.setText("Looking for suggestions…")

    def set_suggestions(self, suggestions: Sequence[Suggestion]) -> None:
        self._clear()
        self.status.setText("" if suggestions else "No suggestion for this question.")
        for suggestion in suggestions:
            frame = QFrame()
            frame.setObjectName("tile")
            row = QHBoxLayout(frame)
            text = QLabel(suggestion_html(suggestion))
            text.setWordWrap(True)
            text.setTextFormat(Qt.TextFormat.RichText)
            button = QPushButton("Accept")
            button.setToolTip("Record this level; the basis is kept as a note and evidence")
            button.setEnabled(suggestion.level is not None and not self._read_only)
            button.clicked.connect(lambda _c=False, s=suggestion: self.accepted.emit(s))
            row.addWidget(text, 1)
            row.addWidget(button, 0, Qt.AlignmentFlag.AlignTop)
            self._rows.addWidget(frame)
            self.buttons.append(button)
            self._levels.append(suggestion.level is not None)

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for button, has_level in zip(self.buttons, self._levels, strict=True):
            button.setEnabled(has_level and not read_only)

    def _clear(self) -> None:
        self.buttons.clear()
        self._levels.clear()
        while self._rows.count():
            widget = self._rows.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
