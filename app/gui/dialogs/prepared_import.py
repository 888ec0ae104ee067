"""Keeps an import process ready while the import wizard is open (see ``prepared``).

The process starts when the wizard opens, so the app's modules load while the user picks the
file and its columns. Each dry run hands it the same file and options; going back, checking
again or closing the wizard stops the process that planned the old check and, while the wizard
stays open, starts a fresh one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from app.gui import tasks
from app.services.inventory_import.prepared import ImportProcess
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


class PreparedImport:
    """The wizard's import process: started early, given the file of the current dry run.

    The process is started by a worker (starting a process can hold the UI thread for longer
    than a frame on a busy machine).
    """

    def __init__(self) -> None:
        self._process: ImportProcess | None = None
        self._starting = False
        self._closed = False
        self._given = False
        """True once the ready process was handed a file: it serves that check only."""
        self._check: tuple[Workspace, Path, dict[str, Any]] | None = None
        """The arguments of the current dry run, handed to the process once it is ready."""

    def warm(self) -> None:
        """Start a process in the background unless one is ready or starting."""
        if self._process is None and not self._starting and not self._closed:
            self._starting = True
            tasks.run_task(
                ImportProcess, with_progress=False, on_success=self._ready, on_failure=self._failed
            )

    def _ready(self, process: ImportProcess) -> None:
        self._starting = False
        if self._closed or self._process is not None:
            process.close()
            return
        self._process = process
        self._hand_over()

    def _failed(self, exc: BaseException) -> None:
        self._starting = False
        logger.warning("could not prepare an import process: %s", exc)

    def prepare(self, ws: Workspace, path: Path, options: dict[str, Any]) -> None:
        """A dry run starts: the process plans the same file with the same options beside it."""
        self.discard()
        self._check = (ws, Path(path), dict(options))
        self._hand_over()

    def _hand_over(self) -> None:
        if self._process is None or self._check is None or self._given:
            return
        try:
            self._process.prepare(*self._check)
        except OSError as exc:  # the process died while it waited
            logger.warning("the prepared import process is gone: %s", exc)
            self._stop()
            return
        self._given = True

    def again(self) -> None:
        """Prepare the last dry run's file once more (after a cancelled or failed import)."""
        if self._check is not None:
            self.prepare(*self._check)

    def discard(self) -> None:
        """The dry run is gone or outdated: stop a process that planned it, warm a new one."""
        self._check = None
        if self._given:
            self._stop()
        self.warm()

    def take(self) -> ImportProcess | None:
        """Return the process prepared for the current dry run (None: none is ready).

        The next dry run, or :meth:`again`, prepares the next one.
        """
        if not self._given or self._process is None or not self._process.is_alive():
            return None
        process, self._process, self._given = self._process, None, False
        return process

    def close(self) -> None:
        """Stop the process (the wizard or the window closes); it writes nothing."""
        self._closed = True
        self._check = None
        self._stop()

    def _stop(self) -> None:
        process, self._process, self._given = self._process, None, False
        if process is not None:
            process.close()

    @property
    def process(self) -> ImportProcess | None:
        """Return the ready process, if any (for tests and diagnostics)."""
        return self._process

    @property
    def ready(self) -> bool:
        """Return True when a process has the current dry run's file (Import goes to it)."""
        return self._given
