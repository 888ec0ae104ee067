"""Help ▸ About: versions of Assay, Qt, Python and the workspace schema."""

from __future__ import annotations

import platform

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app import APP_NAME, __version__
from app.storage.migrate import HEAD_REVISION


def about_text(workspace_schema: str | None) -> str:
    return (
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>An offline workbench for assessing AI systems as governed identities.</p>"
        "<table>"
        f"<tr><td>Qt</td><td>{qVersion()} (PySide6 {PySide6.__version__})</td></tr>"
        f"<tr><td>Python</td><td>{platform.python_version()}</td></tr>"
        f"<tr><td>Schema of this Assay</td><td>{HEAD_REVISION}</td></tr>"
        f"<tr><td>Schema of this workspace</td><td>{workspace_schema or 'unknown'}</td></tr>"
        "</table>"
    )


class AboutDialog(QDialog):
    """Versions of everything a support request needs."""

    def __init__(self, workspace_schema: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_NAME}")
        layout = QVBoxLayout(self)
        self.label = QLabel(about_text(workspace_schema))
        layout.addWidget(self.label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
