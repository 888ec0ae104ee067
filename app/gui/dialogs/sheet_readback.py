"""Reading one sheet of a returned workbook back from a dialog.

A dry run first, on a worker: a sheet with problems is refused with every problem shown in the
dialog's error line (sheet, row, column, reason) and nothing applied; a clean sheet lists its
changes to confirm, then is applied whole on the write thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget

from app.gui import file_dialogs, tasks
from app.gui.dialogs.record_dialog import error_text
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_SHOWN = 15


class SheetReadBack:
    """Reads a sheet with ``importer`` (``workspace, assessment_id, path, dry_run=``).

    Args:
        parent: The dialog asking.
        title: What is read, for the file dialog and the question ("the review sheet").
        importer: The service that compares (dry run) or applies the sheet.
        describe: One line per change of a dry run's result.
        error: The dialog's error line.
        applied: Called once the sheet was applied.
    """

    def __init__(self, parent: QWidget, title: str, importer: Callable[..., Any],
                 describe: Callable[[Any], list[str]], error: QLabel,
                 applied: Callable[[], None]) -> None:  # fmt: skip
        self._parent, self._title, self._importer = parent, title, importer
        self._describe, self._error, self._applied = describe, error, applied

    def ask(self, workspace: Workspace, assessment_id: int) -> None:
        """Ask for the returned workbook, then read it."""
        path = file_dialogs.get_open_file_name(
            self._parent, f"Returned workbook: {self._title}", "", "Excel workbooks (*.xlsx)"
        )
        if path:
            self.read(workspace, assessment_id, Path(path))

    def read(self, workspace: Workspace, assessment_id: int, path: Path) -> None:
        """Compare the sheet with the workspace (a dry run on a worker)."""
        self._error.hide()
        tasks.run_task(self._importer, workspace, assessment_id, path, dry_run=True,
                       with_progress=False, on_failure=self._failed,
                       on_success=lambda plan: self._confirm(workspace, plan))  # fmt: skip

    def _confirm(self, workspace: Workspace, plan: Any) -> None:
        if not shiboken6.isValid(self._error):
            return  # the dialog closed meanwhile
        if plan.problems:
            self._error.setText("Nothing was applied from the sheet:\n" + "\n".join(plan.problems))
            self._error.show()
            return
        lines = self._describe(plan)
        if not lines:
            QMessageBox.information(self._parent, self._title, f"{plan.file.name} changes nothing.")
            return
        more = "\n…" if len(lines) > _SHOWN else ""
        answer = QMessageBox.question(
            self._parent, f"Apply {self._title}?", "\n".join(lines[:_SHOWN]) + more
        )
        if answer == QMessageBox.StandardButton.Yes:
            tasks.run_task(self._importer, workspace, plan.assessment_id, plan.file, writes=True,
                           with_progress=False, on_failure=self._failed,
                           on_success=lambda _r: self._applied())  # fmt: skip

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self._error):
            return
        self._error.setText(error_text(exc, "The sheet could not be read"))
        self._error.show()
