"""Run a long service call in a worker with a progress dialog and a Cancel button."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.gui import tasks
from app.gui.dialogs.error_dialog import show_error

logger = logging.getLogger(__name__)


def run_with_progress(
    parent: QWidget,
    title: str,
    fn: Callable[..., Any],
    *args: Any,
    on_success: Callable[[Any], None],
    writes: bool = False,
    on_failure: Callable[[BaseException], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    **kwargs: Any,
) -> tasks.Task:
    """Start ``fn`` in a worker and show a window-modal progress dialog with Cancel.

    Args:
        parent: The window the dialog belongs to.
        title: What is being done, shown as the dialog's label.
        fn: The service function; it receives ``progress=``.
        *args: Its positional arguments.
        on_success: Called with the result on the UI thread.
        writes: Run on the single write thread.
        on_failure: Called with the exception; by default an error dialog is shown.
        on_finished: Called last, whatever the outcome, after the dialog has closed.
        **kwargs: Its keyword arguments.

    Returns:
        The running task.
    """
    dialog = QProgressDialog(title, "Cancel", 0, 100, parent)
    dialog.setWindowTitle("Assay")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setValue(0)

    def progressed(fraction: float, message: str) -> None:
        dialog.setValue(int(fraction * 100))
        if message:
            dialog.setLabelText(f"{title}\n{message}")

    def failed(exc: BaseException) -> None:
        (on_failure or (lambda e: show_error(parent, title, e)))(exc)

    def finished() -> None:
        if shiboken6.isValid(dialog):  # gone already when its parent closed on success
            dialog.close()
            dialog.deleteLater()
        if on_finished is not None:
            on_finished()

    task = tasks.run_task(
        fn,
        *args,
        on_success=on_success,
        on_failure=failed,
        on_progress=progressed,
        on_finished=finished,
        writes=writes,
        **kwargs,
    )
    dialog.canceled.connect(task.cancel)
    return task
