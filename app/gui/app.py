"""Start the desktop app: QApplication, the workspace, the main window."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from app import APP_AUTHOR, APP_NAME, __version__
from app.gui.dialogs.error_dialog import show_error
from app.gui.icons import icon
from app.gui.main_window import MainWindow
from app.gui.theme import apply_theme
from app.services.errors import UserError
from app.services.workspace import open_workspace
from app.support import paths
from app.support.logging_setup import configure_logging
from app.support.preferences import load_preferences

logger = logging.getLogger(__name__)


def create_application(argv: Sequence[str] = ()) -> QApplication:
    """Return the process's QApplication, creating it with Assay's names."""
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("app"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.user_config_dir())
    )
    return app  # type: ignore[return-value]


def run_gui(argv: Sequence[str]) -> int:
    """Open the main window on the named (or default) workspace and run the event loop."""
    parser = argparse.ArgumentParser(prog="assay gui")
    parser.add_argument("path", nargs="?", metavar="WORKSPACE")
    parser.add_argument("--workspace", metavar="PATH")
    args = parser.parse_args(list(argv))
    configure_logging()
    app = create_application()
    target = args.workspace or args.path
    prefs = load_preferences()
    apply_theme(app, prefs.theme)
    actor = prefs.assessor_name or None
    try:
        workspace = open_workspace(Path(target) if target else None, actor=actor)
    except UserError as exc:
        show_error(None, "Cannot open the workspace", exc)
        return 1
    window = MainWindow(workspace)
    window.show()
    logger.info("main window shown for %s", workspace.path)
    return app.exec()
