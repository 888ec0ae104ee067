"""Open the window's workspace on a worker, with the modules the window needs next.

The window paints first with only Qt and a few light modules loaded; this function then
loads the database layers, opens (creates, backs up and migrates, checks) the workspace and
imports what the first page needs, all off the UI thread.
"""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.catalog.registry import Catalog
    from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_SHIPPED = threading.Lock()
_shipped: list[Catalog] = []
OPENING = threading.Lock()
"""Held while a workspace opens: migrations run one at a time (Alembic keeps global state)."""

WINDOW_MODULES = (
    "app.gui.context",
    "app.gui.writer",
    "app.gui.pages.registry",
    "app.gui.pages.overview_page",
    "app.gui.dialogs.connect_dialog",
    "app.support.preferences",
)
"""What the window imports as soon as the workspace is open (the first page among them, and
what the window's title and the recent workspaces are worked out with)."""

LATER_MODULES = (
    "app.gui.dialogs.package_actions",
    "app.gui.dialogs.progress_dialog",
    "app.gui.dialogs.settings_dialog",
    "app.gui.dialogs.about_dialog",
    "app.gui.dialogs.system_check_dialog",
)
"""What the window's menus use; imported on a worker once the window is ready."""


def open_for_window(path: Path | str | None, actor: str | None) -> Workspace:
    """Open the workspace at ``path`` (the default one when None) and load the window's modules.

    Runs on a worker.

    Args:
        path: The workspace file (created when it does not exist) or a server URL.
        actor: Who is working (the assessor's name from the preferences), or None.

    Returns:
        The open workspace.

    Raises:
        WorkspaceError: The file is not a workspace, is damaged, too new, or locked.
    """
    from app.services.workspace import open_workspace

    with OPENING:
        workspace = open_workspace(path, actor=actor)
    try:
        import_modules(WINDOW_MODULES)
    except BaseException:
        workspace.close()
        raise
    return workspace


def import_modules(names: tuple[str, ...]) -> None:
    """Import the named modules (on a worker, so a first use only builds widgets)."""
    for name in names:
        importlib.import_module(name)
    logger.debug("imported %d window modules", len(names))


def shipped_catalog() -> Catalog:
    """Return the shipped frameworks, read from their files once per process (any thread).

    The window starts reading them while the workspace opens: the file check of a large
    workspace runs in SQLite, leaving the interpreter free for the frameworks' YAML.
    """
    with _SHIPPED:
        if not _shipped:
            from app.catalog.registry import load_default_catalog

            _shipped.append(load_default_catalog())
        return _shipped[0]


def window_catalog(workspace: Workspace) -> Catalog:
    """Return the catalog of ``workspace``: the shipped frameworks and its own (on a worker)."""
    from app.services.frameworks import catalog_for

    return catalog_for(workspace, base=shipped_catalog())
