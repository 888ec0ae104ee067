"""What every page of the window shares: the open workspace and change notifications."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction

from app.gui import tasks
from app.services.workspace import Workspace

if TYPE_CHECKING:
    from app.catalog.registry import Catalog

logger = logging.getLogger(__name__)

UI_WRITE_WAIT_MS = 2_000
"""How long a change made on the UI thread waits for another program's write lock."""


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
        workspace.db.wait_briefly_on_this_thread(UI_WRITE_WAIT_MS)
        #: Window-level actions pages may offer as buttons (``workspace.new``, ``demo.explore``…).
        self.actions: dict[str, QAction] = {}
        self._catalog: Catalog | None = None
        self.workspace_changed.connect(self.reset_catalog)

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    def set_workspace(self, workspace: Workspace) -> None:
        old, self._workspace = self._workspace, workspace
        workspace.db.wait_briefly_on_this_thread(UI_WRITE_WAIT_MS)
        if old is not workspace:
            old.close()
        self.workspace_changed.emit()

    def catalog(self) -> Catalog:
        """Return the questionnaire catalog of this workspace (shipped + custom), loaded once."""
        if self._catalog is None:
            from app.services.frameworks import catalog_for  # pydantic and YAML: not at start-up

            self._catalog = catalog_for(self._workspace)
        return self._catalog

    def preload_catalog(self) -> None:
        """Load the catalog on a worker so the first page that needs it does not wait."""
        if self._catalog is not None:
            return
        workspace = self._workspace

        def loaded(catalog: Catalog) -> None:
            if self._workspace is workspace and self._catalog is None:
                self._catalog = catalog

        from app.services.frameworks import catalog_for  # pydantic and YAML: not at start-up

        tasks.run_task(catalog_for, workspace, on_success=loaded, with_progress=False)

    def reset_catalog(self) -> None:
        """Forget the loaded catalog (a framework was added or the workspace changed)."""
        self._catalog = None

    def notify(self, area: str, message: str = "") -> None:
        self.data_changed.emit(area)
        if message:
            self.status_message.emit(message)
