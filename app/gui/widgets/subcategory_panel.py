"""One screen per CSF subcategory: the IR 8596 focus areas of one subcategory side by side.

Secure, Defend and Thwart each show their own question and guidance with a level of their own;
the note and the evidence strength are shared. Saving answers all of them in one action (one
journal entry, one undo) through :func:`app.services.bulk_answers.answer_focus_areas`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import Question
from app.services.assessments import ResponseInfo

logger = logging.getLogger(__name__)

LEVEL_CHOICES = [("—", None), *((f"{n}", n) for n in range(6)), ("N/A", "na")]
STRENGTHS = [("—", None), ("Self-declared", "self-declared"), ("Document", "document"),
             ("Observed", "observed"), ("Tested", "tested")]  # fmt: skip


def _label(text: str, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setObjectName(name)
    return label


class _AreaColumn(QGroupBox):
    """One focus area: its prompt, guidance, level and whether its answer is inherited."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.prompt = _label("")
        self.guidance = _label("", "pageHint")
        self.level = QComboBox()
        for text, value in LEVEL_CHOICES:
            self.level.addItem(text, value)
        self.origin = _label("", "pageHint")
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.guidance)
        layout.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Level"))
        row.addWidget(self.level, 1)
        layout.addLayout(row)
        layout.addWidget(self.origin)

    def show(self, question: Question, response: ResponseInfo) -> None:  # type: ignore[override]
        area = question.focus_area.value.capitalize() if question.focus_area else "Question"
        priority = f" · priority {question.priority}" if question.priority else ""
        self.setTitle(f"{area}{priority}")
        self.prompt.setText(question.prompt)
        self.guidance.setText(question.guidance)
        value = "na" if response.not_applicable else response.level
        self.level.setCurrentIndex(max(0, self.level.findData(value)))
        self.level.setEnabled(not response.inherited)
        self.origin.setText(response.source_text)
        self.setVisible(True)

    def chosen(self) -> int | str | None:
        return self.level.currentData()


class SubcategoryPanel(QWidget):
    """The focus-area questions of one CSF subcategory on one screen."""

    #: ref, {focus area: level}, shared note, shared strength
    save_requested = Signal(str, dict, str, object)
    #: the user asked to attach evidence files to every focus area's answer
    attach_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ref: str | None = None
        self.heading = _label("", "pageHeading")
        self.columns = {area: _AreaColumn() for area in ("secure", "defend", "thwart")}
        self.note = QPlainTextEdit()
        self.note.setPlaceholderText("One note for every focus area (the reason for an N/A)")
        self.note.setMaximumHeight(90)
        self.strength = QComboBox()
        for text, value in STRENGTHS:
            self.strength.addItem(text, value)
        self.evidence = _label("", "pageHint")
        self.attach_button = QPushButton("Attach evidence…")
        self.attach_button.setToolTip("Store files and link them to every focus area's answer")
        self.attach_button.clicked.connect(self.attach_requested)
        self.save_button = QPushButton("Save all focus areas")
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self._on_save)
        self._build()
        self.show_nothing()

    def _build(self) -> None:
        row = QHBoxLayout()
        for column in self.columns.values():
            row.addWidget(column, 1)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.addWidget(self.heading)
        inner.addLayout(row, 1)
        inner.addWidget(QLabel("Shared note"))
        inner.addWidget(self.note)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Evidence strength"))
        bottom.addWidget(self.strength)
        bottom.addWidget(self.evidence, 1)
        bottom.addWidget(self.attach_button)
        bottom.addWidget(self.save_button)
        inner.addLayout(bottom)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def show_nothing(
        self, message: str = "Choose an IR 8596 question to see its subcategory."
    ) -> None:
        self.ref = None
        self.heading.setText(message)
        for column in self.columns.values():
            column.setVisible(False)
        self.save_button.setEnabled(False)
        self.attach_button.setEnabled(False)

    def show_group(
        self,
        title: str,
        group: Sequence[tuple[Question, ResponseInfo]],
        evidence_names: Sequence[str] = (),
        read_only: bool = False,
    ) -> None:
        """Show the focus-area questions of one subcategory with their answers."""
        if not group:
            self.show_nothing()
            return
        first_q, first_r = group[0]
        self.ref = first_q.ref
        self.heading.setText(f"{first_q.ref} — {title}")
        for column in self.columns.values():
            column.setVisible(False)
        own = [r for _, r in group if not r.inherited]
        for question, response in group:
            area = question.focus_area.value if question.focus_area else "secure"
            self.columns[area].show(question, response)
        shared = own[0] if own else first_r
        self.note.setPlainText(shared.justification or shared.notes)
        self.strength.setCurrentIndex(max(0, self.strength.findData(shared.evidence_strength)))
        self.evidence.setText("Evidence: " + (", ".join(evidence_names) or "none linked"))
        self.save_button.setEnabled(bool(own) and not read_only)
        self.attach_button.setEnabled(bool(own) and not read_only)

    def levels(self) -> dict[str, int | str | None]:
        """Return the level chosen for each shown focus area whose answer is the system's own."""
        return {
            area: column.chosen()
            for area, column in self.columns.items()
            if column.isVisibleTo(self) and column.level.isEnabled()
        }

    def _on_save(self) -> None:
        if self.ref is not None:
            strength = self.strength.currentData()
            self.save_requested.emit(self.ref, self.levels(), self.note.toPlainText(), strength)
