"""The window's file dialogs: the one way the window asks for a file name.

A file dialog lists a folder and, to show each file's type and icon, Qt (like GTK's dialog)
reads the first bytes of files whose name it does not recognise, and closes them again. When
that folder holds the open workspace, closing that descriptor drops every POSIX lock SQLite
holds on the file in this process. Another ``assay`` process then believes it is the last user
of the workspace, checkpoints and deletes ``-wal`` and ``-shm``, and the window goes on reading
and writing files nobody else sees: its changes, and entries other processes journalled, are
lost when it closes.

So every dialog here is Qt's own dialog with an icon provider that decides icons and type
names from the name alone and never opens a file. Pages call these functions, never the
static ``QFileDialog.get…`` helpers (a test keeps it so).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QFileInfo
from PySide6.QtGui import QAbstractFileIconProvider, QIcon
from PySide6.QtWidgets import QFileDialog, QFileIconProvider, QWidget

from app.support.paths import WORKSPACE_SUFFIX

logger = logging.getLogger(__name__)


class NameOnlyIconProvider(QFileIconProvider):
    """Icons and type names from the file name alone: no file is ever opened to sniff it."""

    def icon(self, what: object) -> QIcon:  # type: ignore[override]
        if isinstance(what, QFileInfo):
            kind = (
                QAbstractFileIconProvider.IconType.Folder
                if what.isDir()
                else QAbstractFileIconProvider.IconType.File
            )
            return super().icon(kind)
        return super().icon(what)  # type: ignore[arg-type]

    def type(self, info: QFileInfo) -> str:
        if info.isDir():
            return "Folder"
        suffix = info.suffix()
        if f".{suffix}" == WORKSPACE_SUFFIX:
            return "Assay workspace"
        return f"{suffix.upper()} file" if suffix else "File"


_ICONS: NameOnlyIconProvider | None = None


def _icons() -> NameOnlyIconProvider:
    global _ICONS  # noqa: PLW0603 - one provider for the process, made on first use
    if _ICONS is None:
        _ICONS = NameOnlyIconProvider()
    return _ICONS


def file_dialog(
    parent: QWidget | None, caption: str, directory: str = "", file_filter: str = ""
) -> QFileDialog:
    """Return a file dialog that never opens the files it lists (see the module's note)."""
    dialog = QFileDialog(parent, caption, directory, file_filter)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setIconProvider(_icons())
    return dialog


def _run(dialog: QFileDialog) -> list[str]:
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return []
        return list(dialog.selectedFiles())
    finally:
        dialog.deleteLater()


def get_open_file_name(
    parent: QWidget | None, caption: str, directory: str = "", file_filter: str = ""
) -> str:
    """Ask for one existing file; return its path, or "" when cancelled."""
    dialog = file_dialog(parent, caption, directory, file_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    chosen = _run(dialog)
    return chosen[0] if chosen else ""


def get_open_file_names(
    parent: QWidget | None, caption: str, directory: str = "", file_filter: str = ""
) -> list[str]:
    """Ask for existing files; return their paths (none when cancelled)."""
    dialog = file_dialog(parent, caption, directory, file_filter)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return _run(dialog)


def get_save_file_name(
    parent: QWidget | None, caption: str, directory: str = "", file_filter: str = ""
) -> str:
    """Ask for a file to write (confirming an overwrite); return its path, or "" when cancelled."""
    dialog = file_dialog(parent, caption, directory, file_filter)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    chosen = _run(dialog)
    return chosen[0] if chosen else ""


def get_existing_directory(parent: QWidget | None, caption: str, directory: str = "") -> str:
    """Ask for an existing folder; return its path, or "" when cancelled."""
    dialog = file_dialog(parent, caption, directory)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _run(dialog)
    return chosen[0] if chosen else ""
