"""Show a failure to the user: a plain message, with technical details folded away."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.errors import UserError, database_message
from app.support.logging_setup import log_file_path

logger = logging.getLogger(__name__)


def error_box(
    parent: QWidget | None, title: str, exc: BaseException, details: str | None = None
) -> QMessageBox:
    """Build (not show) the message box for ``exc``; tests inspect it.

    Args:
        parent: The window the box belongs to.
        title: The box's title.
        exc: The failure.
        details: The technical details (a traceback) of an unexpected failure; by default the
            traceback a worker attached to ``exc``, else its repr.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    sentence = database_message(exc)
    if isinstance(exc, UserError):
        box.setText(str(exc))
    elif sentence is not None:
        box.setText(sentence[:1].upper() + sentence[1:] + ".")
    else:
        box.setText(f"Something went wrong: {exc}")
        box.setInformativeText(f"The details are also in the log file:\n{log_file_path()}")
        box.setDetailedText(details or getattr(exc, "__traceback_text__", "") or repr(exc))
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(
    parent: QWidget | None, title: str, exc: BaseException, details: str | None = None
) -> None:
    """Show ``exc`` in a modal message box (UserError: its sentence; others: with details)."""
    logger.info("showing error %s: %s", title, exc)
    error_box(parent, title, exc, details).exec()
