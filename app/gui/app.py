"""Start the desktop app: QApplication, the workspace, the main window."""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

import shiboken6
from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtWidgets import QApplication, QWidget

from app import APP_AUTHOR, APP_NAME, __version__
from app.gui.dialogs.error_dialog import show_error
from app.gui.icons import icon
from app.gui.main_window import MainWindow
from app.gui.theme import apply_theme
from app.support import paths
from app.support.logging_setup import configure_logging
from app.support.start_preferences import load_start_preferences

logger = logging.getLogger(__name__)

# How long a worker thread may hold the interpreter before the UI thread gets its turn. Python's
# default (5 ms) lets a worker sorting or analysing 100,000 rows delay a paint by several turns;
# at 1 ms the window answers within a frame and the workers' own time barely changes.
UI_SWITCH_INTERVAL_S = 0.001


def create_application(argv: Sequence[str] = ()) -> QApplication:
    """Return the process's QApplication, creating it with Assay's names."""
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    sys.setswitchinterval(UI_SWITCH_INTERVAL_S)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_AUTHOR)
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("app"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(paths.user_config_dir())
    )
    return app  # type: ignore[return-value]


class ErrorHook(QObject):
    """Shows exceptions nothing caught (such as one raised in a slot) in the error dialog.

    While installed as ``sys.excepthook`` it logs every such exception with its traceback and
    shows it, parented to the window, in a modal error box. At most one box is open: errors
    raised while it is open (a slot failing again and again) are only logged. An exception
    reported from another thread is shown on the UI thread.

    Args:
        window: The main window the error box belongs to.
    """

    _report = Signal(object, str)

    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self._window = window
        self._previous = sys.excepthook
        self._showing = False
        self._report.connect(self._show)

    def install(self) -> None:
        """Make this hook ``sys.excepthook``, remembering the hook it replaces."""
        if sys.excepthook is not self:
            self._previous = sys.excepthook
            sys.excepthook = self

    def uninstall(self) -> None:
        """Put back the hook that was there before :meth:`install` (if still ours)."""
        if sys.excepthook is self:
            sys.excepthook = self._previous

    def __call__(
        self,
        exc_type: type[BaseException],
        exc: BaseException,
        tb: TracebackType | None,
    ) -> None:
        """Log an uncaught exception and show it (the ``sys.excepthook`` protocol)."""
        if issubclass(exc_type, KeyboardInterrupt):
            self._previous(exc_type, exc, tb)
            return
        logger.error("unexpected error: %s", exc, exc_info=(exc_type, exc, tb))
        self._report.emit(exc, "".join(traceback.format_exception(exc_type, exc, tb)))

    def _show(self, exc: BaseException, details: str) -> None:
        if self._showing:
            logger.warning("error box already open; only logged: %s", exc)
            return
        self._showing = True
        try:
            parent = self._window if shiboken6.isValid(self._window) else None
            show_error(parent, "Unexpected error", exc, details)
        except Exception:
            logger.exception("cannot show the error box")
        finally:
            self._showing = False


def start_window(target: Path | str | None, actor: str | None = None) -> MainWindow:
    """Show the main window at once, then open the workspace ``target`` in the background.

    The window paints (title, menus, "Opening workspace…") before the workspace is opened,
    migrated and checked and before the database layers are imported; the pages fill when the
    workspace is open.

    Args:
        target: The workspace file or server URL; the user's default workspace when None.
        actor: Who is working (the assessor's name from the preferences), or None.

    Returns:
        The shown window.
    """
    window = MainWindow()
    window.open_after_first_paint(target, actor)
    window.show()
    logger.info("main window shown; opening %s", target or "the default workspace")
    return window


def run_gui(argv: Sequence[str]) -> int:
    """Open the main window on the named (or default) workspace and run the event loop."""
    parser = argparse.ArgumentParser(prog="assay gui")
    parser.add_argument("path", nargs="?", metavar="WORKSPACE")
    parser.add_argument("--workspace", metavar="PATH")
    args = parser.parse_args(list(argv))
    configure_logging()
    app = create_application()
    target = args.workspace or args.path
    prefs = load_start_preferences()
    apply_theme(app, prefs.theme)
    location = target if target and "://" in target else Path(target) if target else None
    window = start_window(location, prefs.assessor_name or None)
    hook = ErrorHook(window)
    hook.install()
    app.aboutToQuit.connect(hook.uninstall)
    try:
        return app.exec()
    finally:
        hook.uninstall()
