"""What every page of the window shares: the open workspace and change notifications."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


class GuiContext(QObject):
    """Holds the open workspace and tells pages when it or its data changed."""

    workspace_changed = Signal()
    """Another workspace was opened; pages reload everything."""
    data_changed = Signal(str)
    """Records of one area changed: inventory, assessments, findings, frameworks, reports."""
    status_message = Signal(str)
    """A short message for the status bar (finished background work)."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self._workspace = workspace
        #: Window-level actions pages may offer as buttons (``workspace.new``, ``demo.explore``…).
        self.actions: dict[str, QAction] = {}

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    def set_workspace(self, workspace: Workspace) -> None:
        old, self._workspace = self._workspace, workspace
        if old is not workspace:
            old.close()
        self.workspace_changed.emit()

    def notify(self, area: str, message: str = "") -> None:
        self.data_changed.emit(area)
        if message:
            self.status_message.emit(message)
