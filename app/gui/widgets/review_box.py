"""Where the shown answer came from, how it was verified, and the reviewer's comments on it.

The box reads and writes through the provenance and review services on workers (writes on the
single write thread); a refused change is shown in words under the box.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.review import VerificationMethod
from app.gui import tasks, theme
from app.gui.role_gate import gate
from app.services import provenance, review
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

COMMENT_TIP = "Add the typed comment to the shown answer"

METHODS = (
    ("Document review", VerificationMethod.DOCUMENT_REVIEW.value),
    ("Interview", VerificationMethod.INTERVIEW.value),
    ("Test", VerificationMethod.TEST.value),
)


@dataclass(frozen=True)
class ReviewState:
    """The provenance and the review comments of one answer."""

    provenance: provenance.Provenance
    comments: tuple[review.CommentInfo, ...]


def load_review_state(workspace: Workspace, assessment_id: int, question_id: str) -> ReviewState:
    """Read what the box shows (runs on a worker)."""
    comments = review.list_comments(workspace, assessment_id)
    return ReviewState(
        provenance.get_provenance(workspace, assessment_id, question_id),
        tuple(c for c in comments if c.question_id == question_id),
    )


def comment_line(comment: review.CommentInfo, *, subject: bool = False) -> str:
    """Return one comment as a list line: its state, (its subject,) author, text, resolution."""
    mark = "OPEN" if comment.status == review.OPEN else "resolved"
    about = "the assessment" if comment.subject == "assessment" else comment.subject
    where = f" #{comment.id} on {about}, by" if subject else ""
    text = f"[{mark}]{where} {comment.author}: {comment.text}"
    if comment.resolution:
        text += f" — {comment.resolution}"
    return text


class ReviewBox(QGroupBox):
    """Shows and records the provenance of one answer and the reviewer's comments on it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Source, verification and review", parent)
        self._target: tuple[Workspace, int, str] | None = None
        self._read_only = False
        layout = QVBoxLayout(self)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        layout.addWidget(self.source_label)
        layout.addLayout(self._verify_row())
        self.comments = QListWidget()
        self.comments.setAccessibleName("Review comments")
        self.comments.setMaximumHeight(90)
        layout.addWidget(self.comments)
        layout.addLayout(self._comment_row())
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {theme.BAD};")
        self.error.hide()
        layout.addWidget(self.error)

    def _verify_row(self) -> QHBoxLayout:
        self.method_box = QComboBox()
        self.method_box.setAccessibleName("Verification method")
        for text, value in METHODS:
            self.method_box.addItem(text, value)
        self.with_edit = QLineEdit()
        self.with_edit.setPlaceholderText("with whom (interview, test)")
        self.with_edit.setAccessibleName("Verified with")
        self.date_edit = QDateEdit(QDate.currentDate())
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.verify_button = QPushButton("Record verification")
        self.verify_button.setToolTip("Record how you verified this answer")
        self.verify_button.clicked.connect(self.record_verification)
        row = QHBoxLayout()
        for widget in (self.method_box, self.with_edit, self.date_edit, self.verify_button):
            row.addWidget(widget, 1 if widget is self.with_edit else 0)
        return row

    def _comment_row(self) -> QHBoxLayout:
        self.comment_edit = QLineEdit()
        self.comment_edit.setPlaceholderText("Reviewer's comment on this answer")
        self.comment_edit.setAccessibleName("New review comment")
        self.comment_button = QPushButton("Comment")
        self.comment_button.setToolTip(COMMENT_TIP)
        self.comment_button.clicked.connect(self.add_comment)
        self.resolve_button = QPushButton("Resolve selected")
        self.resolve_button.clicked.connect(self.resolve_selected)
        row = QHBoxLayout()
        row.addWidget(self.comment_edit, 1)
        row.addWidget(self.comment_button)
        row.addWidget(self.resolve_button)
        return row

    # Showing -------------------------------------------------------------------------------
    def show_for(
        self, workspace: Workspace, assessment_id: int, question_id: str, read_only: bool
    ) -> None:
        """Show the provenance and comments of one answer (read on a worker)."""
        self._target = (workspace, assessment_id, question_id)
        self._read_only = read_only
        for widget in (self.verify_button, self.comment_button, self.resolve_button):
            widget.setEnabled(not read_only)
        gate(self.comment_button, workspace.team_role, "comment", COMMENT_TIP)
        self.reload()

    def reload(self) -> None:
        """Read the shown answer's provenance and comments again."""
        if self._target is None:
            return
        target = self._target
        tasks.run_task(load_review_state, *target, with_progress=False,
                       on_success=lambda state: self._show(target, state),
                       on_failure=self._show_error)  # fmt: skip

    def _show(self, target: tuple[Workspace, int, str], state: ReviewState) -> None:
        if not shiboken6.isValid(self.source_label) or target != self._target:
            return  # the window closed meanwhile, or another question is shown now
        found = state.provenance
        colour = theme.GOOD if found.verified else theme.WARNING
        if found.source == "assessor" and not found.verified:
            colour = theme.UNKNOWN_COLOUR
        self.source_label.setText(f"<b style='color:{colour}'>{found.text}</b>")
        self.comments.clear()
        for comment in state.comments:
            item = QListWidgetItem(comment_line(comment))
            item.setData(256, comment.id)
            self.comments.addItem(item)
        self.error.hide()

    # Changes -------------------------------------------------------------------------------
    def record_verification(self) -> None:
        """Record the chosen verification method, person and day for the shown answer."""
        if self._target is None or self._read_only:
            return
        ws, assessment_id, question_id = self._target
        day = self.date_edit.date().toPython()
        assert isinstance(day, dt.date)
        method = self.method_box.currentData()
        self._write(provenance.record_verification, ws, assessment_id, question_id, method,
                    with_whom=self.with_edit.text(), on=day)  # fmt: skip

    def add_comment(self) -> None:
        """Add the typed comment to the shown answer."""
        if self._target is None or self._read_only:
            return
        ws, assessment_id, question_id = self._target
        self._write(review.add_comment, ws, assessment_id, self.comment_edit.text(),
                    question_id=question_id)  # fmt: skip
        self.comment_edit.clear()

    def resolve_selected(self) -> None:
        """Resolve the selected comment (its resolution is the typed text, if any)."""
        item = self.comments.currentItem()
        if self._target is None or item is None or self._read_only:
            return
        self._write(review.resolve_comment, self._target[0], int(item.data(256)),
                    self.comment_edit.text())  # fmt: skip
        self.comment_edit.clear()

    def _write(self, fn: object, *args: object, **kwargs: object) -> tasks.Task:
        return tasks.run_task(fn, *args, writes=True, with_progress=False,  # type: ignore[arg-type]
                              on_success=lambda _r: self.reload(), on_failure=self._show_error,
                              **kwargs)  # fmt: skip

    def _show_error(self, exc: BaseException) -> None:
        if not shiboken6.isValid(self.error):
            return  # the window closed meanwhile
        self.error.setText(str(exc) or "The change could not be saved")
        self.error.show()
