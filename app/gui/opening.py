"""Open the window's workspace on a worker, with the modules the window needs next.

The window paints first with only Qt and a few light modules loaded; this function then
loads the database layers, opens (creates, backs up and migrates, checks) the workspace and
imports what the first page needs, all off the UI thread. Meanwhile a second worker checks the
file (``PRAGMA quick_check``, which runs in SQLite without the interpreter: a third of a
second for 100,000 systems) and then reads the shipped frameworks.
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
import threading
from concurrent.futures import Future
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


def open_for_window(
    path: Path | str | None, actor: str | None, checked: Future[str | None] | None = None
) -> Workspace:
    """Open the workspace at ``path`` (the default one when None) and load the window's modules.

    Runs on a worker.

    Args:
        path: The workspace file (created when it does not exist) or a server URL.
        actor: Who is working (the assessor's name from the preferences), or None.
        checked: The verdict of :func:`check_then_read_frameworks`, or None to check here.

    Returns:
        The open workspace.

    Raises:
        WorkspaceError: The file is not a workspace, is damaged, too new, or locked.
    """
    from app.services.workspace import open_workspace

    verdict = _verdict(checked)
    with OPENING:
        workspace = open_workspace(path, actor=actor, checked=verdict)
    try:
        import_modules(WINDOW_MODULES)
    except BaseException:
        workspace.close()
        raise
    return workspace


def check_then_read_frameworks(path: Path | str | None, checked: Future[str | None]) -> None:
    """Check the workspace file for :func:`open_for_window`, then read the shipped frameworks.

    Runs on a worker while the other one loads the database layers. ``checked`` receives
    ``PRAGMA quick_check``'s verdict on an existing file, or None when there is nothing to
    check here (a new file, a server) or the check could not run (the opening checks then).
    """
    if checked.set_running_or_notify_cancel():  # not given up by the opening worker
        try:
            verdict = _quick_check(path)
        except BaseException as exc:  # the opening worker must not wait for ever
            checked.set_exception(exc)
            raise
        checked.set_result(verdict)
    shipped_catalog()


def _quick_check(path: Path | str | None) -> str | None:
    from app.support.locations import is_server_location
    from app.support.paths import default_workspace_path

    if is_server_location(path):
        return None
    file = Path(path).expanduser() if path is not None else default_workspace_path()
    try:
        if not file.is_file() or file.stat().st_size == 0:
            return None
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return str(conn.execute("PRAGMA quick_check").fetchone()[0])
        finally:
            conn.close()
    except (OSError, sqlite3.Error) as exc:  # the opening checks the file and says why
        logger.debug("file not checked before opening: %s", exc)
        return None


def _verdict(checked: Future[str | None] | None) -> str | None:
    """Return the check's verdict; None when it has not started (the opening checks then)."""
    if checked is None or checked.cancel():
        return None
    try:
        return checked.result()
    except Exception:  # reported by its own worker; the opening checks the file itself
        return None


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
