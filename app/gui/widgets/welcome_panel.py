"""The welcome shown on an empty workspace: start a workspace, open one, or explore the demo."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.support.preferences import load_preferences

logger = logging.getLogger(__name__)

INTRO = (
    "Assay assesses AI systems as governed identities. Import the client's AI-system register "
    "and identity exports, look at each system's owners, permissions, delegation chains and "
    "blast radius, answer NIST IR 8596, NIST AI RMF and OWASP Agentic questionnaires with "
    "evidence, and hand over a signed report."
)


class WelcomePanel(QWidget):
    """Big buttons for the first steps and the list of recent workspaces."""

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._actions = actions
        title = QLabel("Welcome to Assay")
        title.setObjectName("pageHeading")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setMaximumWidth(720)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, label in (
            ("workspace.new", "New workspace…"),
            ("workspace.open", "Open workspace…"),
            ("demo.explore", "Explore the demo"),
            ("inventory.import", "Import an inventory…"),
        ):
            if key in actions:
                button = QPushButton(label)
                button.setObjectName("primary")
                button.setMinimumHeight(44)
                button.setToolTip(actions[key].toolTip())
                button.clicked.connect(actions[key].trigger)
                buttons.addWidget(button)
                self.buttons[key] = button
        buttons.addStretch(1)
        self.recent = QListWidget()
        self.recent.setAccessibleName("Recent workspaces")
        self.recent.setMaximumWidth(720)
        self.recent.itemActivated.connect(self._on_recent_item_activated)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addSpacing(12)
        layout.addWidget(QLabel("Recent workspaces"))
        layout.addWidget(self.recent)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        """List the recent workspaces that still exist; same-named ones show their folder."""
        self.recent.clear()
        paths = [Path(p) for p in load_preferences().recent_workspaces if Path(p).is_file()]
        names = [p.name for p in paths]
        for path in paths:
            text = path.name if names.count(path.name) == 1 else f"{path.name} — {path.parent}"
            item = QListWidgetItem(text)
            item.setToolTip(str(path))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.recent.addItem(item)

    def _on_recent_item_activated(self, item: QListWidgetItem) -> None:
        action = self._actions.get("workspace.open_path")
        if action is not None:
            action.setData(item.data(Qt.ItemDataRole.UserRole))
            action.trigger()
