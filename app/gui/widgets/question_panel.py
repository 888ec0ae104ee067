"""One question of an assessment: what to ask, what to look for, and the answer being given.

The panel only shows and collects; the Assessments page saves every change through the
services. Levels are chosen with the buttons 0–5 and N/A (or the keys 0–5 and N on the page),
notes are saved shortly after typing stops and whenever another question is shown.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from PySide6.QtCore import QMimeData, Qt, QTimer, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.enums import EvidenceStrength
from app.domain.scoring import LEVEL_NAMES
from app.gui.widgets.evidence_list import EvidenceList, local_files
from app.gui.widgets.review_box import ReviewBox
from app.gui.widgets.suggestion_box import SuggestionBox
from app.services.assessment_state import PRIORITY_NAMES, QuestionEntry, short_title
from app.services.assessments import ResponseInfo
from app.services.evidence import EvidenceInfo

logger = logging.getLogger(__name__)

NA = 6
"""The id of the N/A button (levels use their own number)."""
NOTES_DELAY_MS = 700

#: The generic meaning of each level, used where a question gives no descriptor of its own.
GENERIC_LEVELS = {
    0: "The practice is not carried out.",
    1: "Done now and then, by whoever knows how; nothing is written down.",
    2: "Done the same way each time by the people responsible; partly written down.",
    3: "Written down, approved and applied across the whole scope.",
    4: "Measured and reviewed; departures are noticed and corrected.",
    5: "Improved continually from the measurements and from lessons learnt.",
}
STRENGTHS = (
    ("Not stated", None),
    ("Self-declared", EvidenceStrength.SELF_DECLARED.value),
    ("Document", EvidenceStrength.DOCUMENT.value),
    ("Observed", EvidenceStrength.OBSERVED.value),
    ("Tested", EvidenceStrength.TESTED.value),
)


def _wrapped(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


def _answered_text(response: ResponseInfo) -> str:
    if response.answered_at is None:
        return "Not answered yet."
    when = response.answered_at.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"Last answered by {response.answered_by or 'unknown'} on {when}."


class QuestionPanel(QScrollArea):
    """Shows one question and its answer; emits what the user changes."""

    level_chosen = Signal(int)
    """A level 0–5 was clicked."""
    na_requested = Signal()
    """N/A was clicked (the page asks for the justification)."""
    notes_edited = Signal(str, str)
    """Question id and the new notes, after typing paused or on leaving the question."""
    flag_changed = Signal(bool)
    reviewed_changed = Signal(bool)
    strength_changed = Signal(object)
    """An evidence strength value, or None."""
    target_changed = Signal(object)
    """A per-question target 0–5, or None for the assessment's target."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self._question_id: str | None = None
        self._read_only = False
        self._loading = False
        self._notes_dirty = False
        body = QWidget()
        self.setWidget(body)
        layout = QVBoxLayout(body)
        self.context_label = _wrapped(name="pageHint")
        self.title_label = _wrapped(name="questionTitle")
        self.title_label.setStyleSheet("font-size: 13pt; font-weight: 600;")
        self.prompt_label = _wrapped()
        self.prompt_label.setStyleSheet("font-size: 11pt;")
        self.guidance_label = _wrapped()
        self.evidence_hint = _wrapped()
        self.evidence_hint.setTextFormat(Qt.TextFormat.RichText)
        for widget in (self.context_label, self.title_label, self.prompt_label):
            layout.addWidget(widget)
        layout.addWidget(self._answer_box())
        self.review = ReviewBox()
        layout.addWidget(self.review)
        layout.addWidget(self._group("Guidance", self.guidance_label))
        layout.addWidget(self._group("Evidence to request", self.evidence_hint))
        self.evidence = EvidenceList()
        layout.addWidget(self._group("Evidence attached", self.evidence))
        self.suggestions = SuggestionBox()
        layout.addWidget(self._group("Suggestions", self.suggestions))
        layout.addStretch(1)
        self._notes_timer = QTimer(self, singleShot=True, interval=NOTES_DELAY_MS)
        self._notes_timer.timeout.connect(self.flush_notes)
        self.notes.textChanged.connect(self._on_notes_text_changed)
        self.show_nothing()

    # Layout --------------------------------------------------------------------------------
    @staticmethod
    def _group(title: str, content: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        inner.addWidget(content)
        return box

    def _answer_box(self) -> QGroupBox:
        box = QGroupBox("Answer")
        box.setStyleSheet(
            "QPushButton:checked { background: palette(highlight);"
            " color: palette(highlighted-text); font-weight: 600;"
            " border: 1px solid palette(highlight); border-radius: 3px; }"
        )
        grid = QGridLayout(box)
        self.level_group = QButtonGroup(self)
        self.level_group.setExclusive(True)
        self.level_buttons: dict[int, QPushButton] = {}
        self.level_labels: dict[int, QLabel] = {}
        for row, value in enumerate([*LEVEL_NAMES, NA]):
            text = "N/A" if value == NA else str(value)
            button = QPushButton(text)
            button.setCheckable(True)
            button.setFixedWidth(52)
            button.setAccessibleName("Not applicable" if value == NA else f"Level {value}")
            button.setToolTip(
                "Not applicable (key N)" if value == NA else f"Level {value} (key {value})"
            )
            self.level_group.addButton(button, value)
            label = _wrapped()
            self.level_buttons[value] = button
            self.level_labels[value] = label
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(label, row, 1)
        grid.setColumnStretch(1, 1)
        self.level_group.buttonClicked.connect(self._on_level_button_clicked)
        self.justification_label = _wrapped()
        self.justification_label.setStyleSheet("color: #8a6d00;")
        grid.addWidget(self.justification_label, len(self.level_buttons), 0, 1, 2)
        self.answered_label = _wrapped(name="pageHint")
        self.strength_box = QComboBox()
        self.strength_box.setAccessibleName("Evidence strength")
        self.strength_box.setToolTip("How strongly the answer is backed")
        for label_text, value in STRENGTHS:
            self.strength_box.addItem(label_text, value)
        self.target_box = QComboBox()
        self.target_box.setAccessibleName("Target for this question")
        self.target_box.setToolTip("Override the assessment's target for this question")
        self.flag_box = QCheckBox("Flag for review")
        self.flag_box.setToolTip("Mark the answer for a second look (key F)")
        self.reviewed_box = QCheckBox("Reviewed")
        self.reviewed_box.setToolTip("The reviewer has checked this answer")
        options = QHBoxLayout()
        options.addWidget(QLabel("Evidence strength:"))
        options.addWidget(self.strength_box)
        options.addWidget(QLabel("Target:"))
        options.addWidget(self.target_box)
        options.addStretch(1)
        options.addWidget(self.flag_box)
        options.addWidget(self.reviewed_box)
        grid.addLayout(options, len(self.level_buttons) + 1, 0, 1, 2)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("Notes: what you saw, who said what, where it is documented…")
        self.notes.setAccessibleName("Notes")
        self.notes.setFixedHeight(90)
        grid.addWidget(self.notes, len(self.level_buttons) + 2, 0, 1, 2)
        grid.addWidget(self.answered_label, len(self.level_buttons) + 3, 0, 1, 2)
        self.strength_box.activated.connect(
            lambda _i: self._emit(self.strength_changed, self.strength_box.currentData())
        )
        self.target_box.activated.connect(
            lambda _i: self._emit(self.target_changed, self.target_box.currentData())
        )
        self.flag_box.clicked.connect(lambda checked: self._emit(self.flag_changed, checked))
        self.reviewed_box.clicked.connect(
            lambda checked: self._emit(self.reviewed_changed, checked)
        )
        return box

    # Showing -------------------------------------------------------------------------------
    @property
    def question_id(self) -> str | None:
        return self._question_id

    def show_nothing(self, message: str = "Choose a question in the tree.") -> None:
        self.flush_notes()
        self._notes_dirty = False
        self._question_id = None
        self.context_label.clear()
        self.title_label.setText(message)
        for label in (self.prompt_label, self.guidance_label, self.evidence_hint):
            label.clear()
        self.widget().setEnabled(True)
        self._set_inputs_enabled(False)

    def show_question(
        self,
        entry: QuestionEntry,
        response: ResponseInfo,
        evidence: Sequence[EvidenceInfo],
        assessment_target: int,
    ) -> None:
        """Show a question with its answer; a pending notes edit is saved first."""
        self.flush_notes()
        self._notes_dirty = False
        self._question_id = entry.id
        question = entry.question
        parts = [short_title(entry.framework), *(n.title for n in entry.path[1:])]
        facts = []
        if question.priority:
            facts.append(f"{PRIORITY_NAMES[question.priority]} priority")
        if question.weight != 1:
            facts.append(f"weight {question.weight:g}")
        self.context_label.setText(
            " › ".join(parts) + (f"  ·  {', '.join(facts)}" if facts else "")
        )
        self.title_label.setText(f"{question.ref} — {question.title}")
        self.prompt_label.setText(question.prompt)
        self.guidance_label.setText(question.guidance or "No guidance for this question.")
        items = "".join(f"<li>{html.escape(item)}</li>" for item in question.evidence)
        self.evidence_hint.setText(f"<ul style='margin:0'>{items}</ul>")
        for value, label in self.level_labels.items():
            if value == NA:
                label.setText("Not applicable: needs a justification")
                continue
            own = question.levels.get(value)
            label.setText(
                f"<b>{LEVEL_NAMES[value]}</b> — {html.escape(own or GENERIC_LEVELS[value])}"
            )
        self.target_box.clear()
        self.target_box.addItem(f"Assessment's ({assessment_target})", None)
        for value in LEVEL_NAMES:
            self.target_box.addItem(f"{value} {LEVEL_NAMES[value]}", value)
        self.show_response(response, evidence)
        self._set_inputs_enabled(True)

    def show_response(self, response: ResponseInfo, evidence: Sequence[EvidenceInfo]) -> None:
        """Refresh the answer controls (after a save) without touching the notes being typed.

        After a failed save the page calls this with the answer as stored, so every control
        shows what the workspace holds; only notes kept by :meth:`keep_unsaved_notes` stay.
        """
        self._loading = True
        try:
            chosen = NA if response.not_applicable else response.level
            if chosen is None:
                self.level_group.setExclusive(False)
                for button in self.level_buttons.values():
                    button.setChecked(False)
                self.level_group.setExclusive(True)
            else:
                self.level_buttons[chosen].setChecked(True)
            self.justification_label.setText(
                f"N/A because: {response.justification}" if response.not_applicable else ""
            )
            self.justification_label.setVisible(response.not_applicable)
            self.answered_label.setText(_answered_text(response))
            self.strength_box.setCurrentIndex(
                max(0, self.strength_box.findData(response.evidence_strength))
            )
            self.target_box.setCurrentIndex(
                max(0, self.target_box.findData(response.target_override))
            )
            self.flag_box.setChecked(response.flagged)
            self.reviewed_box.setChecked(response.reviewed)
            if not self._notes_dirty and self.notes.toPlainText() != response.notes:
                self.notes.setPlainText(response.notes)
            self.evidence.set_evidence(evidence)
        finally:
            self._loading = False

    def chosen_level(self) -> int | None:
        """Return the checked level, :data:`NA` for N/A, or None."""
        checked = self.level_group.checkedId()
        return None if checked == -1 else checked

    # Read-only -----------------------------------------------------------------------------
    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.evidence.set_read_only(read_only)
        self.suggestions.set_read_only(read_only)
        self._set_inputs_enabled(self._question_id is not None)

    @property
    def read_only(self) -> bool:
        return self._read_only

    def _set_inputs_enabled(self, shown: bool) -> None:
        editable = shown and not self._read_only
        for button in self.level_buttons.values():
            button.setEnabled(editable)
        for widget in (self.strength_box, self.target_box, self.flag_box, self.reviewed_box):
            widget.setEnabled(editable)
        self.notes.setReadOnly(not editable)
        self.evidence.setEnabled(shown)

    # Changes -------------------------------------------------------------------------------
    def _emit(self, signal: Signal, value: object) -> None:
        if not self._loading and not self._read_only and self._question_id is not None:
            signal.emit(value)

    def _on_level_button_clicked(self, button: QAbstractButton) -> None:
        value = self.level_group.id(button)
        if self._loading or self._read_only or self._question_id is None:
            return
        if value == NA:
            self.na_requested.emit()
        else:
            self.level_chosen.emit(value)

    def _on_notes_text_changed(self) -> None:
        if not self._loading and not self._read_only and self._question_id is not None:
            self._notes_dirty = True
            self._notes_timer.start()

    def flush_notes(self) -> None:
        """Save notes typed but not yet saved.

        Runs when typing pauses (the timer's own timeout), before the question changes and on
        closing. What decides is whether text was typed since the last save, never whether the
        timer is still running: inside its own timeout a single-shot timer is no longer active.
        """
        self._notes_timer.stop()
        if self._notes_dirty and self._question_id is not None:
            self._notes_dirty = False
            self.notes_edited.emit(self._question_id, self.notes.toPlainText())

    def keep_unsaved_notes(self) -> None:
        """Keep the notes typed for this question although saving them failed.

        They are not replaced by the stored notes, and the next flush (a pause in typing,
        another question, closing) tries to save them again.
        """
        if self._question_id is not None:
            self._notes_dirty = True

    @property
    def notes_unsaved(self) -> bool:
        """Return True while typed notes wait to be saved (typing, or a failed save)."""
        return self._notes_dirty

    # Drops anywhere on the panel -----------------------------------------------------------
    def drop_mime_data(self, mime: QMimeData) -> bool:
        """Attach the files named by ``mime`` to the current answer (what a drop does)."""
        if self._question_id is None:
            return False
        return self.evidence.drop_mime_data(mime)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._question_id is not None and not self._read_only and local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.drop_mime_data(event.mimeData()):
            event.acceptProposedAction()
