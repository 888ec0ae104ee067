"""The engagement's details in a form: client, title, assessor, reviewer, dates, classification.

The details are read and written on workers (the write on the single write thread, journalled
by the same service ``assay engagement set`` uses); a refused value is shown in words.
"""

from __future__ import annotations

import dataclasses
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QWidget,
)

from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.dialogs.record_dialog import error_text, lay_out_form, set_text, text_of
from app.services.engagement import (
    CLASSIFICATIONS,
    EngagementInfo,
    get_engagement,
    update_engagement_texts,
)

logger = logging.getLogger(__name__)

FIELDS = (
    ("client", "Client"),
    ("title", "Engagement title"),
    ("assessor", "Assessor"),
    ("assessor_organisation", "Assessor's organisation"),
    ("reviewer", "Reviewer"),
    ("start_date", "Fieldwork starts"),
    ("end_date", "Fieldwork ends"),
    ("classification", "Classification"),
)


class EngagementDialog(QDialog):
    """Edit the engagement's details; Save writes them and closes."""

    saved = Signal(object)
    """The details were written; carries the :class:`EngagementInfo`."""
    ready = Signal()
    """The form shows the stored details."""

    def __init__(self, context: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._loaded: dict[str, str] = {}
        self.setWindowTitle("Engagement details")
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout()
        for name, label in FIELDS:
            if name == "classification":
                widget: QLineEdit | QComboBox = QComboBox()
                widget.addItems(list(CLASSIFICATIONS))
            else:
                widget = QLineEdit()
                if name.endswith("_date"):
                    widget.setPlaceholderText("YYYY-MM-DD")
            widget.setAccessibleName(label)
            self.inputs[name] = widget
            form.addRow(label, widget)
        self.error, self.buttons = lay_out_form(self, form, self.save)
        self.buttons.setEnabled(False)
        self.setMinimumWidth(480)
        tasks.run_task(get_engagement, context.workspace, on_success=self._on_loaded,
                       on_failure=self._show_error, with_progress=False)  # fmt: skip

    def _on_loaded(self, info: EngagementInfo) -> None:
        for name, value in dataclasses.asdict(info).items():
            text = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
            self._loaded[name] = text
            set_text(self.inputs[name], text)
        self.buttons.setEnabled(True)
        self.ready.emit()

    def values(self) -> dict[str, str]:
        """Return the fields whose text changed."""
        texts = {name: text_of(widget) for name, widget in self.inputs.items()}
        return {n: t for n, t in texts.items() if t != self._loaded.get(n, "")}

    def save(self) -> tasks.Task | None:
        """Write the changed details on the write thread; close when written."""
        values = self.values()
        if not values:
            self.accept()
            return None
        self.buttons.setEnabled(False)
        self.error.hide()
        return tasks.run_task(update_engagement_texts, self._context.workspace, values,
                              on_success=self._on_saved, on_failure=self._on_save_failed,
                              writes=True, with_progress=False)  # fmt: skip

    def _on_saved(self, info: EngagementInfo) -> None:
        self._context.status_message.emit("Engagement details saved")
        self.saved.emit(info)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc, "The details could not be saved"))
        self.error.show()
