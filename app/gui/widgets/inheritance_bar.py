"""The line above a question that says where its answer comes from, with Override / Inherit."""

from __future__ import annotations

import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from app.services.assessments import ResponseInfo

logger = logging.getLogger(__name__)


def origin_text(response: ResponseInfo) -> str:
    """Return the words that say where an answer comes from (empty for a system's own)."""
    if response.inherited:
        return (
            f"{response.source_text}: level, note and evidence are the organisation's and "
            "read-only here."
        )
    return response.source_text


class InheritanceBar(QWidget):
    """Shows an inherited or overridden answer's origin and offers to change it."""

    override_requested = Signal(str)
    inherit_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question_id: str | None = None
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setObjectName("inheritedBanner")
        self.text.setStyleSheet(
            "QLabel#inheritedBanner { background: #e8f1fb; color: #123c69; padding: 6px 10px;"
            " border: 1px solid #9cc2e5; border-radius: 4px; }"
        )
        self.override_button = QPushButton("Override for this system…")
        self.inherit_button = QPushButton("Use the organisation answer")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.override_button)
        layout.addWidget(self.inherit_button)
        self.override_button.clicked.connect(lambda: self._emit(self.override_requested))
        self.inherit_button.clicked.connect(lambda: self._emit(self.inherit_requested))
        self.setVisible(False)

    def _emit(self, signal: Signal) -> None:
        if self.question_id is not None:
            signal.emit(self.question_id)

    def show_response(self, response: ResponseInfo | None, read_only: bool = False) -> None:
        """Show where this answer comes from, or hide when it is the system's own."""
        text = origin_text(response) if response is not None else ""
        self.question_id = response.question_id if response is not None else None
        self.text.setText(text)
        self.override_button.setVisible(bool(response and response.inherited) and not read_only)
        self.inherit_button.setVisible(
            bool(response and response.origin == "overridden") and not read_only
        )
        self.setVisible(bool(text))
