"""The question tree of an assessment: framework → (focus area) → function → category → question.

Every node shows how many of its applicable questions are answered and its mean maturity
against the target; every question shows its answer (a level, N/A or a dash) and a flag. A
search box and a filter (unanswered, flagged, below target) hide what is not wanted; next and
previous move through the questions still shown.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from app.domain.scoring import LEVEL_NAMES
from app.services.assessment_state import (
    FILTERS,
    PRIORITY_NAMES,
    AssessmentState,
    question_text,
    short_title,
)
from app.services.scoring import AssessmentScore

logger = logging.getLogger(__name__)

QUESTION_ROLE = Qt.ItemDataRole.UserRole + 1
NODE_ROLE = Qt.ItemDataRole.UserRole + 2
NAME, DONE, SCORE = 0, 1, 2
BELOW, MET, MUTED = "#c62828", "#2e7d32", "#757575"
FLAG = "⚑"
INHERITED_MARK = "org"


@functools.cache
def _brush(colour: str) -> QBrush:
    """Return the brush of one badge colour (made once: a badge is set hundreds of times)."""
    return QBrush(QColor(colour))


def answer_badge(level: int | None, not_applicable: bool, flagged: bool) -> str:
    """Return the short answer text shown beside a question."""
    text = "N/A" if not_applicable else "–" if level is None else str(level)
    return f"{FLAG} {text}" if flagged else text


class AssessmentNavigator(QWidget):
    """Tree of the assessment's questions with badges, search and filter."""

    question_selected = Signal(str)
    """The question id the user moved to."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state: AssessmentState | None = None
        self._items: dict[str, QTreeWidgetItem] = {}
        self._nodes: dict[str, QTreeWidgetItem] = {}
        self._texts: dict[str, str] = {}
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search questions… (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search questions")
        self.filter_box = QComboBox()
        self.filter_box.setAccessibleName("Show questions")
        self.filter_box.setToolTip("Show all questions or only those that need attention")
        for key, label in FILTERS.items():
            self.filter_box.addItem(label, key)
        self.summary = QLabel()
        self.summary.setObjectName("pageHint")
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Question", "Answered", "Score"])
        self.tree.setAccessibleName("Assessment questions")
        self.tree.setUniformRowHeights(True)
        # Ctrl/Shift-click picks several questions (or whole nodes) for a bulk answer.
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(DONE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SCORE, QHeaderView.ResizeMode.ResizeToContents)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.filter_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.summary)
        self._search_timer = QTimer(self, singleShot=True, interval=150)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.filter_box.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.tree.currentItemChanged.connect(self._on_current_item_changed)

    # Building ------------------------------------------------------------------------------
    def set_state(self, state: AssessmentState | None) -> None:
        """Show the questions of ``state`` (or nothing), keeping the current question if any."""
        current = self.current_question()
        self._state = state
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items.clear()
        self._nodes.clear()
        self._texts.clear()
        if state is not None:
            self._build(state)
        self.tree.blockSignals(False)
        self.apply_filter()
        if state is not None:
            self.update_scores(state.score)
            if current in self._items:
                self.select_question(current)

    def _build(self, state: AssessmentState) -> None:
        """Build the items away from the tree, then hand them over at once.

        An item made inside a shown tree makes the tree lay out its rows again for each item
        and each badge; made apart, the tree lays them out once.
        """
        top: list[QTreeWidgetItem] = []
        frameworks: list[QTreeWidgetItem] = []
        for entry in state.entries:
            parent: QTreeWidgetItem | None = None
            for info in entry.path:
                item = self._nodes.get(info.key)
                if item is None:
                    title = short_title(entry.framework) if info.kind == "framework" else info.title
                    item = QTreeWidgetItem([title, "", ""])
                    item.setData(0, NODE_ROLE, info.key)
                    item.setToolTip(NAME, info.title)
                    self._nodes[info.key] = item
                    if info.kind == "framework":
                        frameworks.append(item)
                    if parent is None:
                        top.append(item)
                    else:
                        parent.addChild(item)
                parent = item
            question = entry.question
            label = f"{question.ref}  {question.title}"
            leaf = QTreeWidgetItem([label, "", ""])
            leaf.setData(0, QUESTION_ROLE, question.id)
            facts = [question.focus_area.value.capitalize()] if question.focus_area else []
            if question.priority:
                facts.append(f"{PRIORITY_NAMES[question.priority]} priority")
            leaf.setToolTip(NAME, " · ".join([*facts, question.prompt]))
            self._items[question.id] = leaf
            self._texts[question.id] = question_text(question)
            self._update_badge(question.id)
            if parent is None:
                top.append(leaf)
            else:
                parent.addChild(leaf)
        self.tree.addTopLevelItems(top)
        for item in frameworks:
            item.setExpanded(True)  # once in the tree: an item apart from it cannot expand
        self._update_summary()  # once: counting every answer per question is quadratic

    # Badges --------------------------------------------------------------------------------
    def update_question(self, question_id: str) -> None:
        """Refresh the answer badge of one question from the state's response."""
        self._update_badge(question_id)
        self._update_summary()

    def _update_badge(self, question_id: str) -> None:
        state, item = self._state, self._items.get(question_id)
        if state is None or item is None:
            return
        response = state.responses[question_id]
        badge = answer_badge(response.level, response.not_applicable, response.flagged)
        item.setText(DONE, f"{INHERITED_MARK} {badge}" if response.inherited else badge)
        target = state.target_of(question_id)
        if response.level is not None:
            colour = BELOW if response.level < target else MET
            tip = f"Level {response.level} ({LEVEL_NAMES[response.level]}), target {target}"
        else:
            colour = MUTED
            tip = "Not applicable" if response.not_applicable else f"Unanswered, target {target}"
        if response.inherited:
            tip += " · inherited from the organisation assessment"
        item.setForeground(DONE, _brush(colour))
        item.setToolTip(DONE, tip)
        differs = target != state.info.target_level
        item.setText(SCORE, f"target {target}" if differs else "")
        item.setForeground(SCORE, _brush(MUTED))

    def update_scores(self, score: AssessmentScore | None) -> None:
        """Refresh the completion and score badges of every node."""
        if score is None:
            return
        for key, item in self._nodes.items():
            try:
                node = score.node(key)
            except KeyError:
                continue
            item.setText(DONE, f"{node.answered}/{node.applicable}")
            item.setToolTip(
                DONE,
                f"{node.answered} of {node.applicable} applicable questions answered"
                f" ({node.not_applicable} N/A)",
            )
            if node.mean is None:
                item.setText(SCORE, "–")
                item.setForeground(SCORE, _brush(MUTED))
                continue
            target = node.target if node.target is not None else 0.0
            item.setText(SCORE, f"{node.mean:.1f} / {target:.0f}")
            below = node.mean + 1e-9 < target
            item.setForeground(SCORE, _brush(BELOW if below else MET))
            item.setToolTip(
                SCORE,
                f"Mean maturity {node.mean:.2f} against target {target:.1f}; "
                f"achieved level {node.achieved_level}",
            )

    def _update_summary(self) -> None:
        if self._state is None:
            self.summary.clear()
            return
        counts = self._state.counts()
        self.summary.setText(
            f"{counts['answered']} of {counts['questions']} answered · "
            f"{counts['not_applicable']} N/A · {counts['flagged']} flagged · "
            f"{counts['below']} below target"
        )

    def node_badges(self, key: str) -> tuple[str, str]:
        """Return the (answered, score) badge texts of a node (for tests and tools)."""
        item = self._nodes[key]
        return item.text(DONE), item.text(SCORE)

    def question_badge(self, question_id: str) -> str:
        return self._items[question_id].text(DONE)

    def question_item(self, question_id: str) -> QTreeWidgetItem:
        return self._items[question_id]

    # Filtering -----------------------------------------------------------------------------
    def filter_key(self) -> str:
        return str(self.filter_box.currentData())

    def set_filter(self, key: str) -> None:
        self.filter_box.setCurrentIndex(self.filter_box.findData(key))

    def apply_filter(self) -> None:
        """Hide questions that fail the search or the filter, and nodes left empty."""
        state = self._state
        if state is None:
            return
        words = self.search.text().casefold().split()
        key = self.filter_key()
        visible: set[int] = set()
        for question_id, item in self._items.items():
            text = self._texts[question_id]
            shown = state.matches(question_id, key) and all(w in text for w in words)
            item.setHidden(not shown)
            if shown:
                parent = item.parent()
                while parent is not None:
                    visible.add(id(parent))
                    parent = parent.parent()
        for item in self._nodes.values():
            item.setHidden(id(item) not in visible)
            if (words or key != "all") and id(item) in visible:
                item.setExpanded(True)

    def visible_questions(self) -> list[str]:
        """Return the ids of the questions shown, in tree order."""
        found = []
        iterator = QTreeWidgetItemIterator(
            self.tree, QTreeWidgetItemIterator.IteratorFlag.NotHidden
        )
        while (item := iterator.value()) is not None:
            question_id = item.data(0, QUESTION_ROLE)
            if question_id and not _hidden_above(item):
                found.append(question_id)
            iterator += 1
        return found

    def selected_questions(self) -> list[str]:
        """Return the questions picked in the tree (a picked node gives those shown below it)."""
        picked: dict[str, None] = {}
        for item in self.tree.selectedItems():
            question_id = item.data(0, QUESTION_ROLE)
            if question_id:
                picked[question_id] = None
                continue
            stack = [item.child(i) for i in range(item.childCount())]
            while stack:
                child = stack.pop(0)
                if child.isHidden():
                    continue
                if child_id := child.data(0, QUESTION_ROLE):
                    picked[child_id] = None
                stack[:0] = [child.child(i) for i in range(child.childCount())]
        return list(picked)

    # Moving --------------------------------------------------------------------------------
    def current_question(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, QUESTION_ROLE) if item is not None else None

    def select_question(self, question_id: str) -> None:
        item = self._items.get(question_id)
        if item is not None:
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item)

    def step(self, delta: int) -> str | None:
        """Move to the next (+1) or previous (-1) question shown; return its id."""
        shown = self.visible_questions()
        if not shown:
            return None
        current = self.current_question()
        if current in shown:
            index = max(0, min(len(shown) - 1, shown.index(current) + delta))
        else:
            index = 0 if delta > 0 else len(shown) - 1
        self.select_question(shown[index])
        return shown[index]

    def _on_current_item_changed(self, item: QTreeWidgetItem | None, _previous: object) -> None:
        question_id = item.data(0, QUESTION_ROLE) if item is not None else None
        if question_id:
            self.question_selected.emit(question_id)


def _hidden_above(item: QTreeWidgetItem) -> bool:
    parent = item.parent()
    while parent is not None:
        if parent.isHidden():
            return True
        parent = parent.parent()
    return False
