"""What the window shows while its workspace opens, and why when it could not be opened."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.support.locations import shown_location

logger = logging.getLogger(__name__)


class OpeningPanel(QWidget):
    """A centred message: "Opening workspace…", or the reason it failed with ways on.

    Args:
        actions: The window's New and Open actions, offered as buttons when opening failed.
        parent: The owning widget.
    """

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingPanel")
        self.title = QLabel()
        self.title.setObjectName("pageHeading")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail = QLabel()
        self.detail.setObjectName("pageHint")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: list[QPushButton] = []
        row = QHBoxLayout()
        row.addStretch(1)
        for action in actions:
            button = QPushButton(action.text().replace("&", ""))
            button.clicked.connect(action.trigger)
            row.addWidget(button)
            self.buttons.append(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.detail)
        layout.addLayout(row)
        layout.addStretch(2)

    def show_opening(self, path: Path | str | None) -> None:
        """Say which workspace is being opened (the default one when ``path`` is None)."""
        self.title.setText("Opening workspace…")
        self.detail.setText(shown_location(path) if path is not None else "your default workspace")
        for button in self.buttons:
            button.hide()

    def show_failure(self, reason: str) -> None:
        """Say why the workspace could not be opened and offer to open or start another."""
        self.title.setText("Cannot open the workspace")
        self.detail.setText(reason)
        for button in self.buttons:
            button.show()
