"""What every page of the window shares: the open workspace, its one writer and its changes.

Views learn what changed from change records, never from guesses: each view names itself
(``"inventory"``, ``"findings"``…) and :data:`VIEW_ENTITIES` says which kinds of record it
shows. A write of the window reports its changes when it is done (see :mod:`app.gui.writer`);
a unit committed on another thread of this process reaches the UI thread through a queued
signal; changes made by another program (the CLI, another window) are found by looking at the
journal's head every few seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from app.gui import tasks, writer
from app.gui.opening import window_catalog
from app.gui.writer import Written
from app.services.change_feed import Feed, changes_since, journal_head
from app.services.errors import UserError, database_message
from app.services.workspace import Workspace

if TYPE_CHECKING:
    from app.catalog.registry import Catalog
    from app.storage.unit_of_work import Change

logger = logging.getLogger(__name__)

POLL_MS = 2_000
"""How often the journal's head is looked at for changes made by another program."""

INVENTORY = frozenset(
    {"systems", "identities", "resources", "grants", "delegations", "import_run", "finding"}
)
ASSESSMENT = frozenset(
    {
        "assessment",
        "response",
        "evidence",
        "framework_version",
        "assessment_opinion",
        "evidence_request",
        "review_comment",
    }
)
VIEW_ENTITIES: dict[str, frozenset[str]] = {
    "overview": frozenset(),  # every change: it counts everything
    "inventory": INVENTORY | {"workspace_setting"},
    "system": INVENTORY | {"workspace_setting", "assessment"},
    "assessments": ASSESSMENT | {"systems", "identities", "engagement"},
    "findings": INVENTORY | ASSESSMENT,
    "reports": INVENTORY | ASSESSMENT | {"file", "engagement", "workspace_setting"},
    "frameworks": frozenset({"framework_version"}),
}
"""The kinds of record (a change's ``entity``) each view shows; an empty set: all of them."""


def shows(view: str, written: Written) -> bool:
    """Return True when ``view`` shows a record that ``written`` changed."""
    kinds = VIEW_ENTITIES[view]
    if written.everything or not kinds:
        return written.everything or bool(written.changes)
    return bool(kinds & written.entities())


def failure_reason(exc: BaseException) -> str:
    """Return why a write failed, in words, without SQL or a traceback."""
    if isinstance(exc, UserError):
        return str(exc)
    sentence = database_message(exc)
    if sentence is not None:
        return sentence
    reason = str(getattr(exc, "orig", None) or exc)
    if "locked" in reason or "busy" in reason:
        return "the workspace is busy (another program is writing to it); try again in a moment"
    return reason or type(exc).__name__


class GuiContext(QObject):
    """Holds the open workspace, sends the window's writes to the one writer, spreads changes."""

    workspace_changed = Signal()
    """Another workspace was opened; pages reload everything."""
    changed = Signal(object)
    """A :class:`~app.gui.writer.Written`: records changed (by the window or another program)."""
    status_message = Signal(str)
    """A short message for the status bar (finished background work, a refused change)."""
    _committed = Signal(object)
    """Changes committed on another thread of this process (queued to the UI thread)."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self._workspace = workspace
        #: Window-level actions pages may offer as buttons (``workspace.new``, ``demo.explore``…).
        self.actions: dict[str, QAction] = {}
        self._catalog: Catalog | None = None
        self._known_head: int | None = None
        self._polling = False
        self._writes_seen = 0
        self._poll_timer = QTimer(self, interval=POLL_MS)
        self._poll_timer.timeout.connect(self.look_for_other_changes)
        self.workspace_changed.connect(self.reset_catalog)
        self._committed.connect(lambda changes: self._spread(Written(list(changes))))
        writer.set_change_sink(self._on_written)
        self._watch(workspace)

    @property
    def workspace(self) -> Workspace:
        return self._workspace

    def set_workspace(self, workspace: Workspace) -> None:
        old, self._workspace = self._workspace, workspace
        old.remove_change_listener(self._on_committed)
        if old is not workspace:
            tasks.wait_for_writes()  # the old workspace's queued writes land before it closes
            old.close()
        self._watch(workspace)
        self.workspace_changed.emit()

    # Writing -------------------------------------------------------------------------------
    def write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        origin: object = None,
        on_success: Callable[[Any], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> tasks.Task:
        """Run ``fn(workspace, *args, **kwargs)`` on the one writer, after earlier writes.

        Args:
            fn: A service that writes; it receives the open workspace first.
            *args: Its other positional arguments.
            origin: The view asking (it shows the change already and is not told again).
            on_success: Called on the UI thread with the service's result.
            on_failure: Called on the UI thread with the exception (the caller shows the
                stored value again and says why, e.g. with :func:`failure_reason`).
            **kwargs: The service's keyword arguments.

        Returns:
            The write's task.
        """
        return tasks.run_task(
            fn, self._workspace, *args, writes=True, with_progress=False, origin=origin,
            on_success=on_success, on_failure=on_failure, **kwargs,
        )  # fmt: skip

    def refused(self, what: str, exc: BaseException) -> str:
        """Say in the status bar that ``what`` was not saved and why; return the sentence."""
        if not isinstance(exc, UserError) and database_message(exc) is None:
            logger.error("saving %s failed", what, exc_info=exc)
        message = f"{what} was not saved: {failure_reason(exc)}"
        message = message[:1].upper() + message[1:]
        self.status_message.emit(message)
        return message

    def refuse(self, parent: QWidget, title: str, what: str, exc: BaseException) -> None:
        """Say that ``what`` was not saved: in the status bar and in a box titled ``title``."""
        from app.gui.dialogs.error_dialog import show_error

        message = self.refused(what, exc)
        show_error(parent, title, exc if isinstance(exc, UserError) else UserError(message))

    # Changes -------------------------------------------------------------------------------
    def watch(self, view: str, slot: Callable[[Written], None], owner: object = None) -> None:
        """Call ``slot`` with every change of a record that ``view`` shows.

        Args:
            view: A key of :data:`VIEW_ENTITIES`.
            slot: Receives the changes on the UI thread.
            owner: The view's object: its own writes (their ``origin``) are not sent back.
        """

        def relay(written: Written) -> None:
            if shows(view, written) and (owner is None or written.origin is not owner):
                slot(written)

        self.changed.connect(relay)

    def _watch(self, workspace: Workspace) -> None:
        self._known_head = None
        workspace.add_change_listener(self._on_committed)
        self._poll_timer.start()
        # The journal's head at once, not one period later: a change another program makes
        # while the pages load must count as new.
        self.look_for_other_changes()

    @property
    def watching(self) -> bool:
        """Return True once the journal's head is known (later changes by others are spread)."""
        return self._known_head is not None

    def _on_committed(self, changes: list[Change]) -> None:
        """Receive a committed unit's changes on the committing thread."""
        if not writer.collect(changes):  # a write of the one writer reports its own
            self._committed.emit(list(changes))

    def _on_written(self, written: Written) -> None:
        self._writes_seen += 1
        if written.head is not None and written.workspace is self._workspace:
            self._known_head = max(self._known_head or 0, written.head)
        self._spread(written)

    def _spread(self, written: Written) -> None:
        if written.changes or written.everything:
            self.changed.emit(written)

    def look_for_other_changes(self) -> None:
        """Read the journal after its known head on a worker; spread what others changed."""
        if self._polling or tasks.writes_pending():
            return
        workspace, writes_seen, known = self._workspace, self._writes_seen, self._known_head
        self._polling = True

        def done(result: Feed | int) -> None:
            self._polling = False
            if workspace is not self._workspace or writes_seen != self._writes_seen:
                return  # a write of ours reported the journal meanwhile; look again later
            self._took_look(known, result)

        def failed(exc: BaseException) -> None:
            self._polling = False
            logger.debug("cannot look at the journal: %s", exc)

        if known is None:
            tasks.run_task(journal_head, workspace, with_progress=False, on_success=done,
                           on_failure=failed)  # fmt: skip
        else:
            tasks.run_task(changes_since, workspace, known, with_progress=False,
                           on_success=done, on_failure=failed)  # fmt: skip

    def _took_look(self, known: int | None, result: Feed | int) -> None:
        if isinstance(result, int):
            self._known_head = result
            return
        if result.head == known:
            return
        self._known_head = result.head
        if result.head < (known or 0):  # the journal went back (a restored file): reload
            self._spread(Written(everything=True))
            return
        changes = [change for _seq, change in result.changes]
        self._spread(Written(changes, head=result.head, everything=not result.complete))

    # Catalog -------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        """Return the questionnaire catalog of this workspace (shipped + custom), loaded once."""
        if self._catalog is None:
            self._catalog = window_catalog(self._workspace)
        return self._catalog

    def preload_catalog(self) -> None:
        """Load the catalog on a worker so the first page that needs it does not wait."""
        if self._catalog is not None:
            return
        workspace = self._workspace

        def loaded(catalog: Catalog) -> None:
            if self._workspace is workspace and self._catalog is None:
                self._catalog = catalog

        tasks.run_task(window_catalog, workspace, on_success=loaded, with_progress=False)

    def reset_catalog(self) -> None:
        """Forget the loaded catalog (a framework was added or the workspace changed)."""
        self._catalog = None

    def stop(self) -> None:
        """Stop looking at the journal and receiving changes (the window closes)."""
        self._poll_timer.stop()
        self._workspace.remove_change_listener(self._on_committed)
        writer.drop_change_sink(self._on_written)
