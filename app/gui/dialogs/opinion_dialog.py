"""The assessor's voice on an assessment: opinion, summary, key themes, scope limitations.

Save writes the fields changed in the form (they are then the assessor's and never replaced
by a draft). "Offer a draft" saves the form first, then fills only the fields nobody has
written from the results. The reviewer approves here too; open review comments refuse it.
Every review comment of the assessment is listed (on answers, findings or the whole).
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.domain.review import OPINION_SCALE
from app.gui import tasks
from app.gui.context import GuiContext
from app.gui.dialogs.record_dialog import error_text, lay_out_form
from app.gui.dialogs.sheet_readback import SheetReadBack
from app.gui.role_gate import gate
from app.gui.widgets.review_box import comment_line
from app.services import opinion, opinion_draft, review
from app.services.reporting.review_sheet import ReviewImport, import_review
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_TEXTS = ("rationale", "executive_summary", "key_themes", "scope_limitations")
_HEIGHTS = {"rationale": 60, "executive_summary": 140, "key_themes": 90, "scope_limitations": 80}


def save_then_draft(
    workspace: Workspace, assessment_id: int, texts: dict[str, str]
) -> opinion.OpinionInfo:
    """Store the assessor's edits, then fill the untouched fields with a draft (a worker)."""
    if texts:
        opinion.write_opinion(workspace, assessment_id, **texts)
    return opinion_draft.offer_draft(workspace, assessment_id)


def _sheet_lines(plan: ReviewImport) -> list[str]:
    lines = [f"Row {r.row}: comment {r.comment_id} resolved" for r in plan.resolutions]
    return lines + [f"Row {n.row}: new comment on {n.subject}" for n in plan.new_comments]


class OpinionDialog(QDialog):
    """Write the assessor's opinion and texts of one assessment; approve it as reviewer."""

    def __init__(self, context: GuiContext, assessment_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self._context = context
        self._assessment_id = assessment_id
        self._loaded: dict[str, str] = {}
        self.setWindowTitle(f"Assessor's opinion — assessment #{assessment_id}")
        form = QFormLayout()
        self.rating_box = QComboBox()
        self.rating_box.setAccessibleName("Overall opinion")
        self.rating_box.addItem("(no opinion yet)", "")
        for rating, meaning in OPINION_SCALE.items():
            self.rating_box.addItem(rating.value.capitalize(), rating.value)
            self.rating_box.setItemData(self.rating_box.count() - 1, meaning, 3)  # tooltip
        form.addRow(opinion.FIELD_LABELS["rating"], self.rating_box)
        self.edits: dict[str, QPlainTextEdit] = {}
        for name in _TEXTS:
            edit = QPlainTextEdit()
            edit.setAccessibleName(opinion.FIELD_LABELS[name])
            if name == "executive_summary":  # the summary takes whatever room there is
                edit.setMinimumHeight(_HEIGHTS[name])
            else:
                edit.setFixedHeight(_HEIGHTS[name])
            self.edits[name] = edit
            form.addRow(opinion.FIELD_LABELS[name], edit)
        self.marks = QLabel()
        self.marks.setObjectName("pageHint")
        self.marks.setWordWrap(True)
        form.addRow("", self.marks)
        self.draft_button = QPushButton("Offer a draft")
        self.draft_button.setToolTip("Fill the fields nobody has written from the results")
        self.draft_button.clicked.connect(self.offer_draft)
        self.approve_button = QPushButton("Approve as reviewer")
        self.approve_button.clicked.connect(self.approve)
        self.approval = QLabel()
        self.approval.setWordWrap(True)
        form.addRow(self.draft_button, self.approval)
        form.addRow("", self.approve_button)
        self.review_list = QListWidget()
        self.review_list.setAccessibleName("Review comments")
        self.review_list.setMaximumHeight(110)
        form.addRow("Review comments", self.review_list)
        self.sheet_button = QPushButton("Read the Review comments sheet…")
        self.sheet_button.setToolTip(
            "Close the comments resolved in a returned internal workbook and add its new ones"
        )
        form.addRow("", self.sheet_button)
        self.error, self.buttons = lay_out_form(self, form, self.save)
        self._sheet = SheetReadBack(self, "the review sheet", import_review, _sheet_lines,
                                    self.error, self._reload_comments)  # fmt: skip
        self.sheet_button.clicked.connect(
            lambda: self._sheet.ask(self._context.workspace, self._assessment_id)
        )
        self.setMinimumWidth(640)
        self._run(opinion.get_opinion, writes=False)
        self._reload_comments()

    def values(self) -> dict[str, str]:
        """Return the fields whose text differs from what is stored."""
        texts = {name: edit.toPlainText().strip() for name, edit in self.edits.items()}
        texts["rating"] = str(self.rating_box.currentData() or "")
        return {n: t for n, t in texts.items() if t != self._loaded.get(n, "")}

    def save(self) -> None:
        """Write the changed fields and close."""
        values = self.values()
        if not values:
            self.accept()
            return
        self._run(opinion.write_opinion, **values, then=self._saved)

    def offer_draft(self) -> None:
        """Save the form, then fill the untouched fields with a generated draft."""
        self._run(save_then_draft, self.values())

    def approve(self) -> None:
        """Approve the assessment as its reviewer (refused while a comment is open)."""
        self._run(review.approve, then=lambda _w: self._run(opinion.get_opinion, writes=False))

    def _run(self, fn: object, *args: object, writes: bool = True, then: object = None,
             **kwargs: object) -> None:  # fmt: skip
        self.error.hide()
        on_success = then if then is not None else self._show
        tasks.run_task(fn, self._context.workspace, self._assessment_id, *args,  # type: ignore[arg-type]
                       writes=writes, with_progress=False, on_success=on_success,
                       on_failure=self._failed, **kwargs)  # fmt: skip

    def _show(self, found: opinion.OpinionInfo) -> None:
        if not shiboken6.isValid(self.error):
            return  # the dialog closed meanwhile
        self._loaded = {name: getattr(found, name) for name in (*_TEXTS, "rating")}
        for name, edit in self.edits.items():
            edit.setPlainText(getattr(found, name))
        self.rating_box.setCurrentIndex(max(0, self.rating_box.findData(found.rating)))
        edited = [opinion.FIELD_LABELS[n] for n in found.edited]
        self.marks.setText(
            "Written by the assessor (a draft never replaces these): " + ", ".join(edited)
            if edited
            else "Nothing written by the assessor yet; a draft fills every field."
        )
        self._follow_status(found.final)
        if found.approved_at is not None:
            self.approval.setText(
                f"Approved by {found.approved_by} on {found.approved_at:%Y-%m-%d}."
            )
        else:
            self.approval.setText("Not yet approved by the reviewer.")

    def _follow_status(self, final: bool) -> None:
        """Keep a final assessment's opinion as it was signed: nothing to type or press."""
        for edit in self.edits.values():
            edit.setReadOnly(final)
        for widget in (self.rating_box, self.draft_button, self.approve_button, self.sheet_button):
            widget.setEnabled(not final)
        gate(self.approve_button, self._context.workspace.team_role, "approve")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setVisible(not final)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(
            "Close" if final else "Cancel"
        )
        if final:
            self.marks.setText("The assessment is final: its opinion stays as it was reported.")

    def read_review_sheet(self, path: Path) -> None:
        """Read a returned Review comments sheet: show its problems, or ask to apply it."""
        self._sheet.read(self._context.workspace, self._assessment_id, path)

    def _reload_comments(self) -> None:
        self._run(review.list_comments, writes=False, then=self._show_comments)

    def _show_comments(self, found: list[review.CommentInfo]) -> None:
        if not shiboken6.isValid(self.review_list):
            return  # the dialog closed meanwhile
        self.review_list.clear()
        for comment in found:
            self.review_list.addItem(comment_line(comment, subject=True))
        if not found:
            self.review_list.addItem("No review comments.")

    def _saved(self, _found: opinion.OpinionInfo) -> None:
        self._context.status_message.emit("Assessor's opinion saved")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self.error):
            return
        self.error.setText(error_text(exc, "The opinion could not be saved"))
        self.error.show()
