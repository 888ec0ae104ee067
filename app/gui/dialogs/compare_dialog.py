"""Compare two rounds of an assessment of one AI system: node scores and changed answers.

The comparison is read on a worker (``compare_assessments`` plus both rounds' answers for their
notes) and arrives as plain rows. Changes always read from the earlier round to the later one,
whichever of the two is open. A change is shown with an arrow, a signed figure and a word, and
coloured, so colour is never the only sign.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.scoring import LEVEL_NAMES
from app.gui import tasks
from app.gui.dialogs.error_dialog import show_error
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.theme import BAD, GOOD
from app.gui.widgets.rows_table import RowsTable
from app.services.assessments import AssessmentInfo, ResponseInfo, list_responses
from app.services.scoring import compare_assessments
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

BETTER, WORSE = GOOD, BAD
TEXT_COLUMN_WIDTHS = {"nodes": (250, 170), "questions": (190, 340)}
"""Widest fitted width of the two text columns first in each table, so the figures show."""
COMPARING_TEXT = "Comparing…"
_STATUS = {"draft": "Draft", "in-review": "In review", "final": "Final"}
_CHANGE_TEXT = {
    "added": "new question",
    "removed": "dropped",
    "newly answered": "newly answered",
    "no longer answered": "no longer answered",
    "n/a changed": "N/A changed",
    "unchanged": "same",
}


# Plain rows, built on the worker -----------------------------------------------------------
@dataclass(frozen=True)
class Measure:
    """How one node figure is shown: its scale, decimals and unit of change."""

    scale: float
    places: int
    unit: str = ""

    def sign(self, delta: float | None) -> int:
        """Return +1, -1 or 0 as the change looks once rounded for display."""
        if delta is None or round(delta * self.scale, self.places) == 0:
            return 0
        return 1 if delta > 0 else -1

    def value_text(self, value: float | None) -> str:
        if value is None:
            return "—"
        return f"{value * self.scale:.{self.places}f}{'%' if self.scale == 100 else ''}"

    def change_text(self, delta: float | None) -> str:
        """Return ``▲ +0.31``, ``▼ −1``, ``= 0 pts`` or ``—`` when a round lacks the node."""
        if delta is None:
            return "—"
        amount = f"{abs(delta) * self.scale:.{self.places}f}{self.unit}"
        sign = self.sign(delta)
        if sign == 0:
            return f"= {0:.{self.places}f}{self.unit}"
        return f"▲ +{amount}" if sign > 0 else f"▼ −{amount}"


MEAN, ACHIEVED, COVERAGE = Measure(1, 2), Measure(1, 0), Measure(100, 0, " pts")


@dataclass(frozen=True)
class Figure:
    """One figure of a node in both rounds; ``delta`` is None when a round lacks the node."""

    before: float | None
    after: float | None
    delta: float | None


@dataclass(frozen=True)
class NodeRow:
    """A framework, focus area, function, category or risk with its figures in both rounds."""

    key: str
    title: str
    part_of: str
    mean: Figure
    achieved: Figure
    coverage: Figure
    completeness: Figure

    @property
    def trend(self) -> str:
        """Return better, worse, mixed, same, new (only in the later round) or gone."""
        if self.mean.before is None and self.mean.after is not None:
            return "new"
        if self.mean.after is None and self.mean.before is not None:
            return "gone"
        signs = {
            MEAN.sign(self.mean.delta),
            ACHIEVED.sign(self.achieved.delta),
            COVERAGE.sign(self.coverage.delta),
        }
        if 1 in signs:
            return "mixed" if -1 in signs else "better"
        return "worse" if -1 in signs else "same"


@dataclass(frozen=True)
class QuestionRow:
    """One question's answer in both rounds (level, ``"na"`` or None when unanswered)."""

    question_id: str
    ref: str
    title: str
    before: int | str | None
    after: int | str | None
    delta: int | None
    change: str
    notes_before: str = ""
    notes_after: str = ""
    reason_before: str = ""
    reason_after: str = ""

    @property
    def reason_changed(self) -> bool:
        """Return True when the question is N/A in both rounds for different reasons."""
        both_na = self.before == self.after == "na"
        return both_na and self.reason_before != self.reason_after

    @property
    def notes_changed(self) -> bool:
        """Return True when the notes, or the reason of an N/A kept, differ between the rounds."""
        return self.notes_before != self.notes_after or self.reason_changed

    @property
    def changed(self) -> bool:
        """Return True when the level, N/A or the notes changed."""
        return self.change != "unchanged" or self.notes_changed


@dataclass(frozen=True)
class ComparisonView:
    """What the dialog shows: the two rounds (earlier first), nodes and questions."""

    first: AssessmentInfo
    second: AssessmentInfo
    nodes: list[NodeRow]
    questions: list[QuestionRow]

    def summary(self) -> str:
        """Return one line counting the changed answers."""
        count: dict[str, int] = {}
        for row in self.questions:
            count[row.change] = count.get(row.change, 0) + 1
        improved, worse = count.pop("improved", 0), count.pop("regressed", 0)
        same = count.pop("unchanged", 0)
        parts = [f"▲ {improved} improved", f"▼ {worse} worse"]
        parts += [f"{n} {_CHANGE_TEXT.get(change, change)}" for change, n in sorted(count.items())]
        parts.append(f"{same} at the same level")
        notes = sum(row.notes_changed for row in self.questions)
        return f"{len(self.questions)} questions: {', '.join(parts)}; notes changed on {notes}."


def short_framework(title: str) -> str:
    """Return a framework's short name: the words in brackets, else the part before a colon."""
    if "(" in title and ")" in title:
        inner = title[title.index("(") + 1 : title.index(")")]
        if any(ch.isalpha() for ch in inner):
            return inner
    return title.split(":")[0].strip()


def _figure(data: dict[str, Any]) -> Figure:
    return Figure(data["first"], data["second"], data["delta"])


def _node_rows(nodes: Sequence[dict[str, Any]]) -> list[NodeRow]:
    titles = {node["id"]: node["title"] for node in nodes}
    rows = []
    for node in nodes:
        parts = node["id"].split("/")
        above = ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
        names = [titles.get(key, key) for key in above]
        names[:1] = [short_framework(name) for name in names[:1]]
        title = short_framework(node["title"]) if len(parts) == 1 else node["title"]
        rows.append(
            NodeRow(
                key=node["id"],
                title=title,
                part_of=" › ".join(names),
                mean=_figure(node["mean"]),
                achieved=_figure(node["achieved_level"]),
                coverage=_figure(node["coverage"]),
                completeness=_figure(node["completeness"]),
            )
        )
    return rows


def _notes(response: ResponseInfo | None) -> str:
    return response.notes.strip() if response is not None else ""


def _reason(response: ResponseInfo | None) -> str:
    if response is None or not response.not_applicable:
        return ""
    return response.justification.strip()


def earlier_first(a: AssessmentInfo, b: AssessmentInfo) -> tuple[AssessmentInfo, AssessmentInfo]:
    """Return the two rounds in the order they were started."""
    return (a, b) if (a.created_at, a.id) <= (b.created_at, b.id) else (b, a)


def _question_row(
    data: dict[str, Any], before: dict[str, ResponseInfo], after: dict[str, ResponseInfo]
) -> QuestionRow:
    qid = data["question_id"]
    return QuestionRow(
        question_id=qid,
        ref=data["ref"],
        title=data["title"],
        before=data["first"],
        after=data["second"],
        delta=data["delta"],
        change=data["change"],
        notes_before=_notes(before.get(qid)),
        notes_after=_notes(after.get(qid)),
        reason_before=_reason(before.get(qid)),
        reason_after=_reason(after.get(qid)),
    )


def read_comparison(workspace: Workspace, first_id: int, second_id: int) -> ComparisonView:
    """Compare two rounds (changes read from first to second) with each answer's notes.

    Runs on a worker: it reads the workspace.

    Raises:
        UserError: Either assessment is missing, or they assess different systems.
    """
    comparison = compare_assessments(workspace, first_id, second_id)
    before = {r.question_id: r for r in list_responses(workspace, first_id)}
    after = {r.question_id: r for r in list_responses(workspace, second_id)}
    questions = [_question_row(q, before, after) for q in comparison.questions]
    nodes = _node_rows(comparison.nodes)
    return ComparisonView(comparison.first, comparison.second, nodes, questions)


# Table columns -------------------------------------------------------------------------------
def _colour(sign: int) -> str | None:
    return BETTER if sign > 0 else WORSE if sign < 0 else None


def _node_tip(row: NodeRow) -> str:
    def line(name: str, figure: Figure, measure: Measure) -> str:
        before, after = measure.value_text(figure.before), measure.value_text(figure.after)
        return f"{name}: {before} → {after} ({measure.change_text(figure.delta)})"

    head = f"{row.title}\nPart of {row.part_of}" if row.part_of else row.title
    return "\n".join(
        [
            head,
            line("Mean maturity", row.mean, MEAN),
            line("Achieved level", row.achieved, ACHIEVED),
            line("Coverage at target", row.coverage, COVERAGE),
            line("Completeness", row.completeness, COVERAGE),
            f"Trend: {row.trend}",
        ]
    )


def _figure_columns(name: str, field: str, measure: Measure, *, change: bool) -> list[Column]:
    def figure(row: NodeRow) -> Figure:
        return getattr(row, field)

    def colour(row: NodeRow) -> str | None:
        return _colour(measure.sign(figure(row).delta))

    before = Column(
        f"{name} before",
        lambda r: figure(r).before,
        measure.value_text,
        _node_tip,
        align_right=True,
    )
    after = Column(
        f"{name} after",
        lambda r: figure(r).after,
        measure.value_text,
        _node_tip,
        colour=None if change else colour,
        align_right=True,
    )
    columns = [before, after]
    if change:
        columns.append(
            Column(
                f"{name} change",
                lambda r: figure(r).delta,
                measure.change_text,
                _node_tip,
                colour=colour,
                align_right=True,
            )
        )
    return columns


NODE_COLUMNS = [
    Column("Node", attr("title"), tooltip=_node_tip),
    Column("Part of", attr("part_of"), tooltip=_node_tip),
    *_figure_columns("Mean", "mean", MEAN, change=True),
    *_figure_columns("Achieved", "achieved", ACHIEVED, change=False),
    *_figure_columns("Coverage", "coverage", COVERAGE, change=False),
    Column(
        "Trend",
        attr("trend"),
        tooltip=_node_tip,
        colour=lambda r: {"better": BETTER, "worse": WORSE}.get(r.trend),
    ),
]


def answer_text(value: int | str | None) -> str:
    """Return how an answer reads: ``3 Defined``, ``N/A`` or ``—`` when unanswered."""
    if value is None:
        return "—"
    if value == "na":
        return "N/A"
    return f"{value} {LEVEL_NAMES.get(int(value), '')}".strip()


def _change_value(row: QuestionRow) -> int | str:
    return row.delta if row.delta is not None else _CHANGE_TEXT.get(row.change, row.change)


def _change_text(value: int | str) -> str:
    if isinstance(value, str):
        return value
    if value == 0:
        return "= same"
    return f"▲ +{value} improved" if value > 0 else f"▼ −{-value} worse"


def _question_tip(row: QuestionRow) -> str:
    lines = [f"{row.question_id} {row.title}".strip()]
    lines.append(f"Answer: {answer_text(row.before)} → {answer_text(row.after)}")
    for label, before, after in (
        ("Notes", row.notes_before, row.notes_after),
        ("N/A reason", row.reason_before, row.reason_after),
    ):
        if before != after:
            lines += [f"{label} before: {before or '—'}", f"{label} after: {after or '—'}"]
        elif after:
            lines.append(f"{label} (both rounds): {after}")
    return "\n".join(lines)


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text.strip() else "(removed)"


def _notes_text(row: QuestionRow) -> str:
    if row.notes_before != row.notes_after:
        return f"changed: {_first_line(row.notes_after)}"
    if row.reason_changed:
        return f"N/A reason changed: {_first_line(row.reason_after)}"
    return ""


QUESTION_COLUMNS = [
    Column("Question", attr("question_id"), tooltip=_question_tip),
    Column("Title", attr("title"), tooltip=_question_tip),
    Column("Before", attr("before"), answer_text, _question_tip),
    Column("After", attr("after"), answer_text, _question_tip),
    Column(
        "Change",
        _change_value,
        _change_text,
        _question_tip,
        colour=lambda r: _colour(r.delta or 0),
    ),
    Column("Notes", _notes_text, tooltip=_question_tip),
]

NODE_FILTERS: list[tuple[str, Callable[[Any], bool] | None]] = [
    ("All nodes", None),
    ("Only changed", lambda r: r.trend != "same"),
    ("Improved", lambda r: r.trend in ("better", "mixed", "new")),
    ("Worse", lambda r: r.trend in ("worse", "mixed")),
]
QUESTION_FILTERS: list[tuple[str, Callable[[Any], bool] | None]] = [
    ("Only changed", lambda r: r.changed),
    ("Improved", lambda r: r.change == "improved"),
    ("Worse", lambda r: r.change == "regressed"),
    ("Notes changed", lambda r: r.notes_changed),
    ("All questions", None),
]


def fit_columns(table: RowsTable, widths: Sequence[int]) -> None:
    """Fit the columns to their text, the first text columns no wider than ``widths``."""
    table.resize_columns()
    for column, widest in enumerate(widths):
        table.view.setColumnWidth(column, min(widest, table.view.columnWidth(column)))


def show_unsorted(table: RowsTable) -> None:
    """Show no sort arrow until the user sorts: rows come in tree or file order."""
    table.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)


# The dialog ----------------------------------------------------------------------------------
def round_label(info: AssessmentInfo) -> str:
    """Return how a round is named: ``#3 Title (Draft, started 2026-03-01)``."""
    status = _STATUS.get(info.status, info.status)
    return f"#{info.id} {info.title} ({status}, started {info.created_at:%Y-%m-%d})"


def default_other(info: AssessmentInfo, others: Sequence[AssessmentInfo]) -> AssessmentInfo | None:
    """Return the round to compare with by default.

    The one ``info`` was re-assessed from; else the latest earlier round; else the round
    re-assessed from ``info``; else the earliest later one.
    """
    by_id = {other.id: other for other in others if other.id != info.id}
    if info.previous_id in by_id:
        return by_id[info.previous_id]
    key = (info.created_at, info.id)
    earlier = [o for o in by_id.values() if (o.created_at, o.id) < key]
    if earlier:
        return max(earlier, key=lambda o: (o.created_at, o.id))
    later = sorted(by_id.values(), key=lambda o: (o.previous_id != info.id, o.created_at, o.id))
    return later[0] if later else None


class CompareDialog(QDialog):
    """The open assessment against another round of the same AI system."""

    def __init__(
        self,
        workspace: Workspace,
        info: AssessmentInfo,
        others: Sequence[AssessmentInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Compare rounds: {info.system_name or info.system}")
        room = self.screen().availableGeometry()
        self.resize(min(1320, room.width() * 9 // 10), min(700, room.height() * 9 // 10))
        self._workspace = workspace
        self._info = info
        self._generation = 0
        self.view: ComparisonView | None = None
        self._others = {other.id: other for other in others if other.id != info.id}
        self._build(list(self._others.values()))
        chosen = default_other(info, others)
        if chosen is not None:
            self.other_box.setCurrentIndex(self.other_box.findData(chosen.id))
        self.other_box.currentIndexChanged.connect(lambda _i: self.compare())
        self.compare()

    def _build(self, others: Sequence[AssessmentInfo]) -> None:
        self.this_label = QLabel(round_label(self._info))
        self.this_label.setAccessibleName("This round")
        self.other_box = QComboBox()
        self.other_box.setAccessibleName("Compare with")
        self.other_box.setToolTip("The other round of this AI system to compare with")
        for other in others:
            label = round_label(other)
            if other.id == self._info.previous_id:
                label += " · re-assessed from it"
            elif other.previous_id == self._info.id:
                label += " · re-assessment of this round"
            self.other_box.addItem(label, other.id)
        form = QFormLayout()
        form.addRow("This round", self.this_label)
        form.addRow("Compare with", self.other_box)
        self.direction_label = QLabel()
        self.direction_label.setAccessibleName("Which round is before and after")
        self.direction_label.setWordWrap(True)
        self.status_label = QLabel()
        self.status_label.setAccessibleName("Comparison summary")
        self.status_label.setWordWrap(True)
        self.nodes = RowsTable(NODE_COLUMNS, noun="nodes", filters=NODE_FILTERS)
        self.nodes.filter_box.setToolTip("Show every node, or only those that changed")
        self.nodes.search.setToolTip("Show only nodes whose text holds every word typed")
        self.questions = RowsTable(QUESTION_COLUMNS, noun="questions", filters=QUESTION_FILTERS)
        self.questions.filter_box.setToolTip("Show the changed answers, or every question")
        self.questions.search.setToolTip("Show only questions whose text holds every word typed")
        show_unsorted(self.nodes)
        show_unsorted(self.questions)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Comparison")
        self.tabs.addTab(self.nodes, "Scores by node")
        self.tabs.addTab(self.questions, "Answers")
        self.tabs.setTabToolTip(0, "Mean, achieved level and coverage of each node in both rounds")
        self.tabs.setTabToolTip(1, "The questions whose level, N/A or notes changed")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setToolTip("Close the comparison")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.direction_label)
        layout.addWidget(self.status_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

    def other_id(self) -> int | None:
        data = self.other_box.currentData()
        return int(data) if data is not None else None

    def compare(self) -> None:
        """Read the comparison with the chosen round on a worker; show it when it arrives."""
        self._generation += 1
        generation = self._generation
        other_id = self.other_id()
        self.view = None
        self.nodes.set_rows([])
        self.questions.set_rows([])
        self.tabs.setTabText(1, "Answers")
        if other_id is None:
            self.status_label.setText("No other round of this AI system to compare with.")
            return
        first, second = earlier_first(self._info, self._others[other_id])
        self.direction_label.setText(f"Before: {round_label(first)}\nAfter: {round_label(second)}")
        self.status_label.setText(COMPARING_TEXT)
        tasks.run_task(
            read_comparison,
            self._workspace,
            first.id,
            second.id,
            on_success=lambda view: self._compared(generation, view),
            on_failure=lambda exc: self._failed(generation, exc),
            with_progress=False,
        )

    def _compared(self, generation: int, view: ComparisonView) -> None:
        if generation != self._generation:
            return
        self.view = view
        self.status_label.setText(view.summary())
        self.nodes.set_rows(view.nodes)
        self.questions.set_rows(view.questions)
        fit_columns(self.nodes, TEXT_COLUMN_WIDTHS["nodes"])
        fit_columns(self.questions, TEXT_COLUMN_WIDTHS["questions"])
        self.tabs.setTabText(1, f"Answers ({sum(r.changed for r in view.questions)} changed)")

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.status_label.setText(f"Cannot compare: {exc}")
        show_error(self, "Cannot compare the assessments", exc)

    def done(self, result: int) -> None:
        self._generation += 1  # a comparison still being read is dropped
        super().done(result)
