"""Add or edit one inventory record by hand: an AI system, identity, resource, grant or delegation.

One form serves every record kind: the fields come from
:data:`app.services.inventory_edit.EDITABLE`, pick lists from the vocabularies and the
workspace's ids. The record is read and written on workers (writes on the single write thread);
a value the service refuses is shown in the dialog in words and the dialog stays open.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.theme import BAD
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.services.errors import UserError
from app.services.inventory_edit import (
    EDITABLE,
    NOUNS,
    EditResult,
    add_record,
    delete_record,
    edit_record,
    field_choices,
    field_kind,
    key_label,
    known_ids,
    noun_title,
    record_texts,
)
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

#: The fields that name a record, with the kind of record each picks (None: free text).
KEY_FIELDS: dict[str, tuple[tuple[str, str | None], ...]] = {
    SYSTEMS: (("id", None),),
    IDENTITIES: (("id", None),),
    RESOURCES: (("id", None),),
    GRANTS: (("identity", IDENTITIES), ("resource", RESOURCES), ("action", None),
             ("scope", None)),
    DELEGATIONS: (("from_identity", IDENTITIES), ("to_identity", IDENTITIES), ("kind", None)),
}  # fmt: skip
_HINTS = {"date": "YYYY-MM-DD", "list": "several separated by ;", "ids": "ids separated by ;",
          "owner": "Name <e-mail>, a name or an e-mail"}  # fmt: skip
#: The first choice of a pick list whose field may stay unrecorded.
NOT_RECORDED_CHOICE = "— not recorded —"
_LABELS = {"id": "ID", "data_classification": "Data classification", "identities":
           "Identities used", "systems": "Used by systems", "from_identity": "From identity",
           "to_identity": "Can act as (identity)", "review_due": "Review due"}  # fmt: skip


def field_label(name: str) -> str:
    """Return a field's label in words (``last_rotated`` → ``Last rotated``)."""
    return _LABELS.get(name) or name.replace("_", " ").capitalize()


def load_form(
    workspace: Workspace, entity: str, key: tuple[str, ...] | None
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Read the pick lists and, when editing, the record's values (on a worker)."""
    ids = known_ids(workspace)
    return ids, (record_texts(workspace, entity, key) if key else {})


class RecordDialog(QDialog):
    """The form of one record; Save writes it, a refused value is shown in words.

    Args:
        context: The window's context (workspace and change notices).
        entity: ``systems``, ``identities``, ``resources``, ``grants`` or ``delegations``.
        key: The record to edit; None adds a new one.
        preset: Values to start a new record with (e.g. the system a new grant is for).
        parent: The owning widget.
    """

    saved = Signal(object)
    """The record was written; carries the :class:`EditResult`."""
    ready = Signal()
    """The form is filled and can be edited."""

    def __init__(
        self,
        context: GuiContext,
        entity: str,
        key: tuple[str, ...] | None = None,
        preset: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._context, self.entity, self.key = context, entity, key
        self._loaded: dict[str, str] = {}
        self._preset = preset or {}
        self._task: tasks.Task | None = None
        self._reading = True
        noun = NOUNS[entity]
        self.setWindowTitle(f"Edit {noun} {key_label(key)}" if key else f"Add {noun}")
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        form = QFormLayout()
        for name, picks in KEY_FIELDS[entity]:
            self.inputs[name] = self._input(name, picks, key_field=True)
            form.addRow(field_label(name), self.inputs[name])
        for name in EDITABLE[entity]:
            self.inputs[name] = self._input(name, None)
            form.addRow(field_label(name), self.inputs[name])
        self.error, self.buttons = lay_out_form(self, form, self.save)
        self.setMinimumWidth(520)
        self._set_busy(True)
        self._task = tasks.run_task(load_form, context.workspace, entity, key,
                                    on_success=self._on_loaded, on_failure=self._on_failed,
                                    with_progress=False)  # fmt: skip

    def _input(self, name: str, picks: str | None, key_field: bool = False) -> Any:
        choices = () if picks or name in ("id", "scope") else self._choices(name)
        if choices or picks:
            box = QComboBox()
            box.setEditable(bool(picks))
            if not key_field or picks:
                box.addItem("" if picks else NOT_RECORDED_CHOICE)
            box.addItems(list(choices))
            box.setAccessibleName(field_label(name))
            box.setEnabled(not (key_field and self.key))
            return box
        line = QLineEdit()
        line.setAccessibleName(field_label(name))
        kind = "text" if key_field else field_kind(self.entity, name)
        line.setPlaceholderText(_HINTS.get(kind, ""))
        line.setReadOnly(bool(key_field and self.key))
        return line

    def _choices(self, name: str) -> tuple[str, ...]:
        return field_choices(self.entity, name)

    # Loading ------------------------------------------------------------------------------
    def _on_loaded(self, outcome: tuple[dict[str, list[str]], dict[str, str]]) -> None:
        self._task, self._reading = None, False
        ids, values = outcome
        for name, picks in KEY_FIELDS[self.entity]:
            widget = self.inputs[name]
            if picks and isinstance(widget, QComboBox):
                widget.addItems(ids.get(picks, []))
        start = dict(zip((n for n, _p in KEY_FIELDS[self.entity]), self.key or (), strict=False))
        self._loaded = values
        for name, text in {**self._preset, **start, **values}.items():
            if name in self.inputs:
                set_text(self.inputs[name], text)
        self._set_busy(False)
        self.ready.emit()

    def _on_failed(self, exc: BaseException) -> None:
        self._task, self._reading = None, False
        self._show_error(exc)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(True)
        self.ready.emit()

    # Saving -------------------------------------------------------------------------------
    def values(self) -> dict[str, str]:
        """Return the fields to write: the filled ones when adding, the changed ones else."""
        out = {}
        for name in EDITABLE[self.entity]:
            text = text_of(self.inputs[name])
            before = self._loaded.get(name, "")
            if (self.key is None and text) or (self.key is not None and text != before):
                out[name] = text
        return out

    def record_key(self) -> tuple[str, ...]:
        """Return the record's key as typed (or the one edited)."""
        return self.key or tuple(text_of(self.inputs[n]) for n, _p in KEY_FIELDS[self.entity])

    def save(self) -> tasks.Task | None:
        """Write the record on the write thread; the dialog closes when it is written."""
        values = self.values()
        if self.key is not None and not values:
            self.accept()
            return None
        self._set_busy(True)
        self.error.hide()
        if self.key is None:
            call: Any = add_record
        else:
            call = edit_record
        self._task = tasks.run_task(call, self._context.workspace, self.entity,
                                    self.record_key(), values, on_success=self._on_saved,
                                    on_failure=self._on_save_failed, writes=True,
                                    with_progress=False)  # fmt: skip
        return self._task

    def _on_saved(self, result: EditResult) -> None:
        self._task = None
        noun = noun_title(result.entity)
        verb = "changed" if self.key else "added"
        self._context.status_message.emit(f"{noun} {result.label} {verb}")
        self.saved.emit(result)
        self.accept()

    def _on_save_failed(self, exc: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        self._show_error(exc)

    def _show_error(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc, "The record could not be saved"))
        self.error.show()

    def _set_busy(self, busy: bool) -> None:
        for widget in self.inputs.values():
            widget.setEnabled(not busy and not self._locked(widget))
        self.buttons.setEnabled(not busy)

    def _locked(self, widget: QWidget) -> bool:
        keys = [self.inputs[n] for n, _p in KEY_FIELDS[self.entity]]
        return self.key is not None and widget in keys

    def done(self, result: int) -> None:
        """Stop a read still running when the dialog closes (a write runs to its end)."""
        if self._task is not None and self._reading:
            self._task.cancel()
        super().done(result)


def error_label() -> QLabel:
    """Return the hidden red label a form shows a refused value in."""
    label = QLabel()
    label.setObjectName("formError")
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {BAD}")
    label.hide()
    return label


def lay_out_form(
    dialog: QDialog, form: QFormLayout, on_save: Callable[[], None]
) -> tuple[QLabel, QDialogButtonBox]:
    """Put ``form``, a refusal label and Save/Cancel buttons in ``dialog``; return the two."""
    error = error_label()
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return error, buttons


def error_text(exc: BaseException, failure: str) -> str:
    """Return a refusal in words: the service's message, or ``failure`` and the cause."""
    if isinstance(exc, UserError):
        text = str(exc)
    else:
        logger.error("%s", failure, exc_info=exc)
        text = f"{failure}: {exc}"
    return text[:1].upper() + text[1:]


def text_of(widget: QLineEdit | QComboBox) -> str:
    """Return a form field's text, trimmed."""
    text = widget.currentText() if isinstance(widget, QComboBox) else widget.text()
    return "" if text == NOT_RECORDED_CHOICE else text.strip()


def set_text(widget: QLineEdit | QComboBox, text: str) -> None:
    """Show ``text`` in a form field (a pick list adds a value it does not list)."""
    if isinstance(widget, QLineEdit):
        widget.setText(text)
        return
    index = widget.findText(text or NOT_RECORDED_CHOICE)
    if index < 0 and not text:
        index = widget.findText("")
    if index < 0:
        widget.addItem(text)
        index = widget.findText(text)
    widget.setCurrentIndex(index)


def delete_with_confirmation(
    context: GuiContext, parent: QWidget, entity: str, key: tuple[str, ...]
) -> tasks.Task | None:
    """Ask, then delete one record on the write thread; a refusal is shown in words."""
    noun = NOUNS[entity]
    label = key_label(key)
    extra = {
        SYSTEMS: " Its links to identities go with it; the identities stay.",
        IDENTITIES: " Its grants and delegations go with it.",
        RESOURCES: " The grants on it go with it.",
    }.get(entity, "")
    answer = QMessageBox.question(
        parent,
        f"Delete {noun}",
        f"Delete the {noun} {label}?{extra} The workspace journal keeps a record of it.",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return None

    def failed(exc: BaseException) -> None:
        QMessageBox.warning(parent, f"Cannot delete the {noun}", error_text(exc, "Not deleted"))

    def deleted(_result: EditResult) -> None:
        context.status_message.emit(f"{noun_title(entity)} {label} deleted")

    return tasks.run_task(delete_record, context.workspace, entity, key, on_success=deleted,
                          on_failure=failed, writes=True, with_progress=False)  # fmt: skip
