"""The main window: menus, the navigation bar, the pages and the status bar."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QStackedWidget,
    QWidget,
)

from app import APP_NAME
from app.gui import file_dialogs, tasks
from app.gui.dialogs.error_dialog import show_error
from app.gui.dialogs.import_action import create_import_action
from app.gui.icons import icon
from app.gui.opening import (
    LATER_MODULES,
    OPENING,
    check_then_read_frameworks,
    import_modules,
    open_for_window,
)
from app.gui.pages.registry import PAGES, PageSpec, import_page_modules
from app.gui.theme import apply_theme
from app.gui.widgets.opening_panel import OpeningPanel
from app.services.errors import UserError
from app.support.paths import PACKAGE_SUFFIX, WORKSPACE_SUFFIX, user_data_dir

if TYPE_CHECKING:  # the database layers load after the window is painted (see app.gui.opening)
    from app.gui.context import GuiContext
    from app.gui.dialogs.connect_dialog import ServerAddress
    from app.gui.dialogs.settings_dialog import SettingsDialog
    from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_FALLBACK_KEYS = {
    QKeySequence.StandardKey.Quit: "Ctrl+Q",
    QKeySequence.StandardKey.HelpContents: "F1",
    QKeySequence.StandardKey.Preferences: "Ctrl+,",
}
_PAINT_WAIT_MS = 300
"""How long a workspace waits to open for a window that does not paint."""
_FILE_FILTER = f"Assay workspaces (*{WORKSPACE_SUFFIX});;All files (*)"
_OPEN_FILTER = (
    f"Assay workspaces and packages (*{WORKSPACE_SUFFIX} *{PACKAGE_SUFFIX});;All files (*)"
)


class MainWindow(QMainWindow):
    """The Assay window on one open workspace.

    Given a workspace it shows it at once. Without one it paints first, showing that the
    workspace is opening; :meth:`open_in_background` then opens it on a worker and
    :meth:`attach_workspace` fills the pages. Until then the actions that need a workspace
    are disabled.
    """

    workspace_ready = Signal()
    """The workspace is open and the pages show it."""
    open_failed = Signal(str)
    """The workspace opened in the background could not be opened; the reason in words."""

    def __init__(self, workspace: Workspace | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context: GuiContext | None = None
        self._closing = False
        self._actor: str | None = None
        self._after_paint: tuple[Path | str | None, str | None] | None = None
        self.merge_dialog: QWidget | None = None
        self.handout_dialog: QWidget | None = None
        self.connect_dialog: QWidget | None = None
        self.setAcceptDrops(True)
        self.setWindowTitle(APP_NAME)
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Navigation")
        self.nav.setFixedWidth(180)
        self.stack = QStackedWidget()
        self._pages: dict[str, QWidget] = {}
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.nav.setIconSize(QSize(20, 20))
        for spec in PAGES:
            item = QListWidgetItem(icon(spec.icon), spec.label)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            item.setToolTip(spec.tooltip)
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._on_nav_current_row_changed)
        self._build_menus()
        self.server_label = QLabel()
        self.server_label.setAccessibleName("Team server")
        self.server_label.setToolTip("This workspace is held on your firm's PostgreSQL server")
        self.server_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.server_label)
        self.opening = OpeningPanel([self.open_action, self.new_action])
        self.stack.addWidget(self.opening)
        self._restore_geometry()
        self._set_workspace_actions_enabled(False)
        if workspace is not None:
            self.attach_workspace(workspace)

    @property
    def context(self) -> GuiContext:
        """What the pages share; there is one once the workspace is open."""
        if self._context is None:
            raise RuntimeError("the window's workspace is not open yet")
        return self._context

    def is_ready(self) -> bool:
        """Return True once the window shows an open workspace."""
        return self._context is not None

    # Opening -------------------------------------------------------------------------------
    def open_in_background(
        self, path: Path | str | None, actor: str | None = None
    ) -> tasks.Task | None:
        """Open the workspace at ``path`` (the default one when None) on a worker.

        The window says it is opening meanwhile; when the workspace is open the pages fill
        (:attr:`workspace_ready`); when it cannot be opened the window says why, in a box
        and in its own page, and offers to open or start another (:attr:`open_failed`).
        Returns the opening task, or None when the window is closing.
        """
        self._actor = actor
        if self._closing:
            return None
        self.opening.show_opening(path)
        self.stack.setCurrentWidget(self.opening)
        self.statusBar().showMessage("Opening workspace…")
        checked: Future[str | None] = Future()  # the file check, alongside the imports
        tasks.run_task(check_then_read_frameworks, path, checked, with_progress=False)
        return tasks.run_task(
            open_for_window, path, actor, checked, with_progress=False,
            on_success=self._on_opened, on_failure=self._on_open_failed,
        )  # fmt: skip

    def open_after_first_paint(self, path: Path | str | None, actor: str | None = None) -> None:
        """Say the workspace is opening and open it once the window has painted.

        The opening worker loads the database layers and would slow the first paint down;
        it starts when the window has painted (or after a moment if it never paints, as when
        it starts minimised).
        """
        self.opening.show_opening(path)
        self._after_paint = (path, actor)
        QTimer.singleShot(_PAINT_WAIT_MS, self, self._open_after_paint)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if self._after_paint is not None and event.type() == QEvent.Type.UpdateRequest:
            QTimer.singleShot(0, self, self._open_after_paint)  # once this paint is done
        return handled

    def _open_after_paint(self) -> None:
        if self._after_paint is not None:
            (path, actor), self._after_paint = self._after_paint, None
            self.open_in_background(path, actor)

    def _on_opened(self, workspace: Workspace) -> None:
        if self._closing or self._context is not None:
            workspace.close()  # the window closed (or another workspace opened) meanwhile
            return
        self.attach_workspace(workspace)
        if workspace.backup_path:
            self.statusBar().showMessage(
                f"Workspace upgraded; the previous version is kept at {workspace.backup_path}"
            )

    def _on_open_failed(self, exc: BaseException) -> None:
        if self._closing:
            return
        reason = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
        self.opening.show_failure(reason)
        self.statusBar().showMessage("No workspace is open")
        self.open_failed.emit(reason)
        show_error(self, "Cannot open the workspace", exc)

    def attach_workspace(self, workspace: Workspace) -> None:
        """Show ``workspace`` in this window: make the pages' context and show the first page."""
        from app.gui.context import GuiContext  # imported on the opening worker already

        self._context = GuiContext(workspace)
        self.import_action = create_import_action(self._context, self)
        self.file_menu.insertAction(self.demo_action, self.import_action)
        self._context.actions.update(
            {
                "workspace.new": self.new_action,
                "workspace.open": self.open_action,
                "workspace.open_path": self.open_path_action,
                "workspace.connect": self.connect_action,
                "demo.explore": self.demo_action,
                "inventory.import": self.import_action,
            }
        )
        self._context.workspace_changed.connect(self._on_workspace_changed)
        self._context.status_message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._on_workspace_changed()
        self._set_workspace_actions_enabled(True)
        self.nav.setCurrentRow(-1)
        self.nav.setCurrentRow(0)
        self._import_after_first_page()
        self.workspace_ready.emit()

    def _import_after_first_page(self) -> None:
        """Import the other pages and the menus' modules once the first page shows the workspace.

        Until then the imports would compete with its reads and paint for the interpreter.
        """
        from app.gui.pages.overview_page import OverviewPage  # loaded by the opening worker

        first = self.page(PAGES[0].key)
        if isinstance(first, OverviewPage) and first.summary is None:
            first.refreshed.connect(_import_in_background, Qt.ConnectionType.SingleShotConnection)
        else:
            _import_in_background()

    def _set_workspace_actions_enabled(self, enabled: bool) -> None:
        self.nav.setEnabled(enabled)
        for action in (self.handout_action, self.handback_action, self.merge_action,
                       self.settings_action, self.about_action, self.find_action):  # fmt: skip
            action.setEnabled(enabled)

    # Menus ---------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.file_menu = self.menuBar().addMenu("&File")
        self.new_action = self._action(file_menu, "&New workspace…", QKeySequence.StandardKey.New)
        self.new_action.triggered.connect(self._on_new_triggered)
        self.open_action = self._action(
            file_menu, "&Open workspace…", QKeySequence.StandardKey.Open
        )
        self.open_action.triggered.connect(self._on_open_triggered)
        self.connect_action = self._action(file_menu, "&Connect to server…", None)
        self.connect_action.setToolTip("Open a workspace held on your firm's PostgreSQL server")
        self.connect_action.triggered.connect(lambda: self.connect_to_server())
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.handout_action = self._action(file_menu, "&Hand out package…", None)
        self.handout_action.triggered.connect(lambda: _package_actions().hand_out(self))
        self.handback_action = self._action(file_menu, "Hand &back package…", None)
        self.handback_action.triggered.connect(lambda: _package_actions().hand_back(self))
        self.merge_action = self._action(file_menu, "&Merge package…", None)
        self.merge_action.setToolTip("Merge an assessor's hand-back package into this workspace")
        self.merge_action.triggered.connect(
            lambda: _package_actions().choose_package_to_merge(self)
        )
        file_menu.addSeparator()
        self.settings_action = self._action(
            file_menu, "&Settings…", QKeySequence.StandardKey.Preferences
        )
        self.settings_action.triggered.connect(self._on_settings_triggered)
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, "&Quit", QKeySequence.StandardKey.Quit)
        self.quit_action.triggered.connect(self.close)
        self.open_path_action = QAction("Open workspace at path", self)
        self.open_path_action.triggered.connect(
            lambda: self.open_path(Path(str(self.open_path_action.data())))
        )
        self.demo_action = QAction("Explore the &demo", self)
        self.demo_action.setToolTip(
            "Build a demo workspace of a fictitious insurer (25 AI systems, two answered "
            "assessments) and open it"
        )
        self.demo_action.triggered.connect(self._on_demo_triggered)
        file_menu.insertAction(self.recent_menu.menuAction(), self.demo_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.help_action = self._action(
            help_menu, f"{APP_NAME} &help", QKeySequence.StandardKey.HelpContents
        )
        self.help_action.triggered.connect(self._on_help_triggered)
        self.find_action = QAction("&Find", self)
        self.find_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        self.find_action.triggered.connect(self._on_find_triggered)
        self.addAction(self.find_action)
        self.system_check_action = self._action(help_menu, "&System check…", None)
        self.system_check_action.setToolTip(
            "Check folders, bundled content, system libraries and background processes"
        )
        self.system_check_action.triggered.connect(self._on_system_check_triggered)
        self.about_action = self._action(help_menu, f"&About {APP_NAME}", None)
        self.about_action.triggered.connect(self._on_about_triggered)

    def _action(self, menu: QMenu, text: str, shortcut: QKeySequence.StandardKey | None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            sequence = QKeySequence(shortcut)
            if sequence.isEmpty():  # some platforms define no standard key (Quit on X11)
                sequence = QKeySequence(_FALLBACK_KEYS.get(shortcut, ""))
            action.setShortcut(sequence)
        menu.addAction(action)
        return action

    def _fill_recent_menu(self) -> None:
        from app.gui.dialogs.connect_dialog import ServerAddress
        from app.support.preferences import load_preferences

        self.recent_menu.clear()
        prefs = load_preferences()
        files = [item for item in prefs.recent_workspaces if ServerAddress.parse(item) is None]
        named = [
            ServerAddress.parse(item) for item in prefs.recent_servers + prefs.recent_workspaces
        ]
        servers = list(dict.fromkeys(address for address in named if address is not None))
        if not files and not servers:
            self.recent_menu.addAction("(no recent workspaces)").setEnabled(False)
        for path in files:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_path(Path(p)))
        if servers:
            self.recent_menu.addSection("Team servers")
        for address in servers:
            action = self.recent_menu.addAction(f"{address.label} (server)…")
            action.setToolTip("Connect again (the password is asked for each time)")
            action.triggered.connect(lambda _checked=False, a=address: self.connect_to_server(a))

    # Pages ---------------------------------------------------------------------------------
    def page(self, key: str) -> QWidget:
        """Return the page for ``key``, building it on first use."""
        if key not in self._pages:
            spec: PageSpec = next(s for s in PAGES if s.key == key)
            widget = spec.build(self.context, self)
            self._pages[key] = widget
            self.stack.addWidget(widget)
        return self._pages[key]

    def show_page(self, key: str) -> None:
        keys = [spec.key for spec in PAGES]
        self.nav.setCurrentRow(keys.index(key))

    def _on_nav_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(PAGES):
            self.stack.setCurrentWidget(self.page(PAGES[row].key))

    # Workspaces ----------------------------------------------------------------------------
    def _on_workspace_changed(self) -> None:
        from app.gui.dialogs.connect_dialog import where
        from app.support.preferences import load_preferences, remember_workspace, save_preferences

        workspace = self.context.workspace
        self.context.preload_catalog()
        place = where(workspace)
        on_server = workspace.is_server
        role = f" · {workspace.team_role}" if workspace.team_role else ""
        self.server_label.setText(f"Team server: {place}{role}" if on_server else "")
        self.server_label.setVisible(on_server)
        if on_server:
            self.setWindowTitle(f"{place} — team server — {APP_NAME}")
            self.statusBar().showMessage(
                f"Connected to the team server ({place}); others' changes show within seconds"
            )
            return  # the Connect dialog remembers a server when the user asked it to
        self.setWindowTitle(f"{workspace.name} — {APP_NAME}")
        self.statusBar().showMessage(place)
        save_preferences(
            remember_workspace(load_preferences(), workspace.path or workspace.location)
        )

    def flush_pending_edits(self) -> None:
        """Save text typed but not yet saved (notes and findings wait for a pause in typing)."""
        panel = getattr(self._pages.get("assessments"), "panel", None)
        if panel is not None:
            panel.flush_notes()
        editor = getattr(self._pages.get("findings"), "editor", None)
        if editor is not None:
            editor.flush()

    def open_path(self, path: Path, *, create: bool = False) -> bool:
        """Open (or create) the workspace at ``path`` in this window; errors go to a dialog."""
        from app.services.workspace import open_workspace

        self.flush_pending_edits()
        actor = self._context.workspace.actor if self._context is not None else self._actor
        try:
            with OPENING:  # after a workspace still opening in the background
                workspace = open_workspace(path, create=create, actor=actor)
        except UserError as exc:
            show_error(self, "Cannot open the workspace", exc)
            return False
        self.adopt(workspace)
        return True

    def adopt(self, workspace: Workspace) -> None:
        """Show ``workspace`` in this window instead of the one open (which closes)."""
        self.flush_pending_edits()
        if self._context is None:
            self.attach_workspace(workspace)
        else:
            self._context.set_workspace(workspace)
        if workspace.backup_path:
            self.statusBar().showMessage(
                f"Workspace upgraded; the previous version is kept at {workspace.backup_path}"
            )

    def connect_to_server(self, address: ServerAddress | None = None) -> bool:
        """Ask for a team server (starting from ``address``) and open its workspace here."""
        from app.gui.dialogs.connect_dialog import ConnectDialog, open_server

        actor = self._context.workspace.actor if self._context is not None else self._actor
        dialog = ConnectDialog(
            lambda url, password: open_server(url, password, actor=actor), address, self
        )
        self.connect_dialog = dialog  # reachable while open (tests, screenshots)
        try:
            if dialog.exec() != ConnectDialog.DialogCode.Accepted or dialog.workspace is None:
                return False
            self.adopt(dialog.workspace)
            return True
        finally:
            self.connect_dialog = None  # a child of the window: it still closes a late connection

    def _on_new_triggered(self) -> None:
        path = file_dialogs.get_save_file_name(self, "New workspace", "", _FILE_FILTER)
        if path:
            target = Path(path)
            if target.suffix != WORKSPACE_SUFFIX:
                target = target.with_suffix(WORKSPACE_SUFFIX)
            self.open_path(target, create=True)

    def _on_open_triggered(self) -> None:
        path = file_dialogs.get_open_file_name(self, "Open workspace", "", _OPEN_FILTER)
        if path and path.endswith(PACKAGE_SUFFIX):
            _package_actions().open_package(self, Path(path))
        elif path:
            self.open_path(Path(path))

    def _on_settings_triggered(self) -> None:
        from app.gui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context.workspace, self)
        if dialog.exec() == SettingsDialog.DialogCode.Accepted:
            self.apply_settings(dialog)

    def apply_settings(self, dialog: SettingsDialog) -> None:
        """Save an accepted settings dialog and apply what it changed."""
        from app.gui.dialogs.settings_dialog import store_settings

        changed = dialog.save()
        apply_theme(QApplication.instance(), dialog.preferences().theme)  # type: ignore[arg-type]
        self.context.workspace.actor = (
            dialog.preferences().assessor_name or self.context.workspace.actor
        )
        saved = f"Settings saved ({len(changed)} workspace settings changed)"
        if not changed:
            self.context.status_message.emit(saved)
            return
        self.context.write(
            store_settings, changed,
            on_success=lambda _none: self.context.status_message.emit(saved),
            on_failure=lambda exc: self.context.refuse(
                self, "Cannot save the settings", "The workspace settings", exc),
        )  # fmt: skip

    def _on_demo_triggered(self) -> None:
        from app.gui.dialogs.progress_dialog import run_with_progress
        from app.services.demo.builder import DEMO_FILE_NAME, build_demo  # not at start-up

        target = user_data_dir() / DEMO_FILE_NAME
        if self._context is not None and target == self._context.workspace.path:
            self.statusBar().showMessage("The demo workspace is already open", 5000)
            return
        run_with_progress(
            self,
            "Building the demo workspace…",
            build_demo,
            target,
            on_success=lambda result: self.open_path(result.workspace_path),
            writes=True,
        )

    def _on_help_triggered(self) -> None:
        from app.gui.dialogs.help_dialog import HelpDialog

        HelpDialog(self).show()

    def _on_system_check_triggered(self) -> None:
        from app.gui.dialogs.system_check_dialog import open_system_check

        open_system_check(self)

    def _on_find_triggered(self) -> None:
        """Put the cursor in the current page's search box, if it has one."""
        page = self.stack.currentWidget()
        search = page.findChild(QLineEdit) if page is not None else None
        if search is not None:
            search.setFocus()
            search.selectAll()

    def _on_about_triggered(self) -> None:
        from app.gui.dialogs.about_dialog import AboutDialog
        from app.services.workspace import schema_revision

        AboutDialog(schema_revision(self.context.workspace), self).exec()

    # Drag and drop of workspace files -----------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if any(url.toLocalFile().endswith(WORKSPACE_SUFFIX) for url in urls):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        for url in event.mimeData().urls():
            if url.toLocalFile().endswith(WORKSPACE_SUFFIX):
                self.open_path(Path(url.toLocalFile()))
                event.acceptProposedAction()
                return

    # Window state --------------------------------------------------------------------------
    def _restore_geometry(self) -> None:
        geometry = QSettings().value("main_window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 780)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.flush_pending_edits()
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        self._closing = True
        tasks.wait_for_all(10_000)
        if self._context is not None:
            self._context.stop()
            self._context.workspace.close()
        super().closeEvent(event)


def _import_in_background() -> None:
    """Import every page's module and the menus' on workers (first visits then only build)."""
    tasks.run_task(import_page_modules, with_progress=False)
    tasks.run_task(import_modules, LATER_MODULES, with_progress=False)


def _package_actions():  # noqa: ANN202 - the module, imported when a package action is used
    from app.gui.dialogs import package_actions

    return package_actions
