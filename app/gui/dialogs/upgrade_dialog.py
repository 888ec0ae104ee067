"""Move an assessment to another version of one of its frameworks, seeing the effect first.

The dialog previews the move on a worker (:func:`plan_upgrade`): every question whose answer
changes place, the new and removed questions, and the scores before and after side by side.
Only then can the assessor apply it (:func:`upgrade_assessment`, on the write thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalog.mapping import ChangeKind
from app.gui import file_dialogs, tasks
from app.gui.dialogs.compare_dialog import COVERAGE, MEAN, Measure, fit_columns, show_unsorted
from app.gui.dialogs.error_dialog import show_error
from app.gui.itemmodels.rows_table_model import Column, attr
from app.gui.widgets.rows_table import RowsTable
from app.services.assessments import AssessmentInfo
from app.services.upgrade import available_versions, plan_upgrade, upgrade_assessment
from app.services.upgrade_plan import QuestionMove, ScoreRow, UpgradePlan
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)

_FROM_FILE = "file"
TEXT_WIDTHS = {"scores": (300,), "moves": (180, 110, 260, 280)}
"""Widest fitted width of the text columns first in each table, so the figures show."""
_CHANGE_WORDS = {
    ChangeKind.UNCHANGED: "unchanged",
    ChangeKind.REWORDED: "reworded (same meaning)",
    ChangeKind.CHANGED: "changed",
    ChangeKind.SPLIT: "split",
    ChangeKind.MERGED: "merged",
    ChangeKind.REMOVED: "removed",
}
REVIEW = "#c62828"


@dataclass(frozen=True)
class MoveRow:
    """One line of the changes table: an old question, a new one, or a new question."""

    change: str
    old_id: str
    new_ids: str
    title: str
    answer: str
    review: str


def move_rows(plan: UpgradePlan) -> list[MoveRow]:
    """Return the changed moves first, then the new questions, then the unchanged ones."""
    rows = [_move_row(plan, m) for m in plan.moves if m.change != ChangeKind.UNCHANGED]
    rows += [
        MoveRow("new question", "—", q, plan.title_of(q), "unanswered", "")
        for q in plan.new_questions
    ]
    rows += [_move_row(plan, m) for m in plan.moves if m.change == ChangeKind.UNCHANGED]
    return rows


def _move_row(plan: UpgradePlan, move: QuestionMove) -> MoveRow:
    kept = "kept in the history" if not move.new_ids else "carried"
    titles = [plan.title_of(q) for q in move.new_ids] or [plan.title_of(move.old_id)]
    return MoveRow(
        change=_CHANGE_WORDS[move.change],
        old_id=move.old_id,
        new_ids=", ".join(move.new_ids) or "—",
        title=" / ".join(titles),
        answer=(kept if move.answered else "unanswered"),
        review="to review" if move.to_review and move.answered else "",
    )


MOVE_COLUMNS = (
    Column("Change", attr("change"), colour=lambda r: REVIEW if r.review else None),
    Column("Question now", attr("old_id")),
    Column("Question in the new version", attr("new_ids")),
    Column("Title", attr("title")),
    Column("Answer", attr("answer")),
    Column("Review", attr("review"), colour=lambda r: REVIEW if r.review else None),
)


def _figure(row: ScoreRow, side: str, name: str) -> float | None:
    values = row.before if side == "before" else row.after
    return None if values is None else values.get(name)


def _score_column(header: str, side: str, name: str, measure: Measure) -> Column:
    return Column(
        header,
        lambda r: _figure(r, side, name),
        display=measure.value_text,
        align_right=True,
    )


def _change_column(header: str, name: str, measure: Measure) -> Column:
    def delta(row: ScoreRow) -> float | None:
        before, after = _figure(row, "before", name), _figure(row, "after", name)
        return None if before is None or after is None else after - before

    return Column(header, delta, display=measure.change_text, align_right=True)


SCORE_COLUMNS = (
    Column("Node", lambda r: f"    {r.title}" if "/" in r.key else r.title),
    _score_column("Mean before", "before", "mean", MEAN),
    _score_column("Mean after", "after", "mean", MEAN),
    _change_column("Mean change", "mean", MEAN),
    _score_column("Coverage before", "before", "coverage", COVERAGE),
    _score_column("Coverage after", "after", "coverage", COVERAGE),
    _score_column("Complete before", "before", "completeness", COVERAGE),
    _score_column("Complete after", "after", "completeness", COVERAGE),
)


def plan_summary(plan: UpgradePlan) -> str:
    """Return the one-paragraph summary shown above the tables."""
    return f"{plan.framework_id} {plan.from_version} → {plan.to_version}: {plan.summary()}."


class UpgradeDialog(QDialog):
    """Choose a framework and a version (shipped, stored or from a file), preview, apply."""

    upgraded = Signal(object)
    """The assessment moved; the argument is the :class:`UpgradePlan` carried out."""

    def __init__(
        self, workspace: Workspace, info: AssessmentInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Framework version: {info.title}")
        room = self.screen().availableGeometry()
        self.resize(min(1200, room.width() * 9 // 10), min(660, room.height() * 9 // 10))
        self._workspace = workspace
        self._info = info
        self._file: Path | None = None
        self._generation = 0
        self.plan: UpgradePlan | None = None
        self._build()
        self.framework_box.currentIndexChanged.connect(lambda _i: self.list_versions())
        self.version_box.currentIndexChanged.connect(lambda _i: self.preview())
        self.list_versions()

    def _build(self) -> None:
        self.framework_box = QComboBox()
        self.framework_box.setAccessibleName("Framework")
        for ref in self._info.frameworks:
            self.framework_box.addItem(f"{ref.id} {ref.version} — {ref.title}", ref.id)
        self.version_box = QComboBox()
        self.version_box.setAccessibleName("New version")
        self.file_button = QPushButton("From a file…")
        self.file_button.setToolTip("A framework file (.yaml) holding the new version")
        self.file_button.clicked.connect(self._on_file_clicked)
        versions = QHBoxLayout()
        versions.addWidget(self.version_box, 1)
        versions.addWidget(self.file_button)
        form = QFormLayout()
        form.addRow("Framework", self.framework_box)
        form.addRow("Move to", versions)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setAccessibleName("What the move does")
        self.moves = RowsTable(MOVE_COLUMNS, noun="questions")
        self.scores = RowsTable(SCORE_COLUMNS, noun="nodes")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.scores, "Scores before and after")
        self.tabs.addTab(self.moves, "Questions")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.apply_button = self.buttons.addButton(
            "Move to this version", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setObjectName("primary")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)

    # Versions ---------------------------------------------------------------------------------
    def framework_id(self) -> str:
        return str(self.framework_box.currentData())

    def _current_version(self) -> str:
        ref = next(r for r in self._info.frameworks if r.id == self.framework_id())
        return ref.version

    def list_versions(self) -> None:
        """Read the versions Assay knows of the chosen framework, on a worker."""
        self._generation += 1
        generation = self._generation
        self._file = None
        self._show_plan(None, "Looking for other versions…")
        tasks.run_task(
            available_versions,
            self._workspace,
            self.framework_id(),
            on_success=lambda found: self._versions_listed(generation, found),
            on_failure=lambda exc: self._show_plan(None, f"Cannot list the versions: {exc}"),
            with_progress=False,
        )

    def _versions_listed(self, generation: int, found: list[str]) -> None:
        if generation != self._generation:
            return
        others = [v for v in found if v != self._current_version()]
        self.version_box.blockSignals(True)
        self.version_box.clear()
        for version in others:
            self.version_box.addItem(version, version)
        self.version_box.blockSignals(False)
        if others:
            self.preview()
        else:
            self._show_plan(
                None,
                f"Assay knows no other version of {self.framework_id()}; "
                "choose From a file… to load one.",
            )

    def _on_file_clicked(self) -> None:
        path = file_dialogs.get_open_file_name(
            self, "Framework file of the new version", "", "Framework files (*.yaml *.yml)"
        )
        if path:
            self.use_file(Path(path))

    def use_file(self, path: Path) -> None:
        """Preview the move to the version held in a framework file."""
        self._file = path
        self.version_box.blockSignals(True)
        index = self.version_box.findData(_FROM_FILE)
        if index < 0:
            self.version_box.addItem("", _FROM_FILE)
            index = self.version_box.count() - 1
        self.version_box.setItemText(index, f"the version in {path.name}")
        self.version_box.setCurrentIndex(index)
        self.version_box.blockSignals(False)
        self.preview()

    # Preview and apply ------------------------------------------------------------------------
    def _request(self) -> dict[str, Any]:
        chosen = self.version_box.currentData()
        from_file = chosen == _FROM_FILE
        return {  # a file names its own framework
            "to_version": None if from_file else chosen,
            "framework_id": None if from_file else self.framework_id(),
            "file": self._file if from_file else None,
        }

    def preview(self) -> None:
        """Work out the move on a worker and show it; nothing is written."""
        if self.version_box.currentData() is None:
            return
        self._generation += 1
        generation = self._generation
        self._show_plan(None, "Working out the move…")
        tasks.run_task(
            plan_upgrade,
            self._workspace,
            self._info.id,
            **self._request(),
            on_success=lambda plan: self._previewed(generation, plan),
            on_failure=lambda exc: self._preview_failed(generation, exc),
            with_progress=False,
        )

    def _previewed(self, generation: int, plan: UpgradePlan) -> None:
        if generation != self._generation:
            return
        self.framework_box.blockSignals(True)
        self.framework_box.setCurrentIndex(self.framework_box.findData(plan.framework_id))
        self.framework_box.blockSignals(False)
        self._show_plan(plan, plan_summary(plan))

    def _preview_failed(self, generation: int, exc: BaseException) -> None:
        if generation == self._generation:
            self._show_plan(None, f"Cannot move to this version: {exc}")

    def _show_plan(self, plan: UpgradePlan | None, text: str) -> None:
        self.plan = plan
        self.summary_label.setText(text)
        self.moves.set_rows(move_rows(plan) if plan else [])
        self.scores.set_rows(plan.score_rows() if plan else [])
        for table, widths in (
            (self.scores, TEXT_WIDTHS["scores"]),
            (self.moves, TEXT_WIDTHS["moves"]),
        ):
            fit_columns(table, widths)
            show_unsorted(table)
        self.apply_button.setEnabled(plan is not None)

    def apply(self) -> None:
        """Carry the answers to the previewed version (one journalled transaction)."""
        if self.plan is None:
            return
        self.apply_button.setEnabled(False)
        self.summary_label.setText("Moving the answers…")
        tasks.run_task(
            upgrade_assessment,
            self._workspace,
            self._info.id,
            **self._request(),
            on_success=self._applied,
            on_failure=self._apply_failed,
            writes=True,
            with_progress=False,
        )

    def _applied(self, plan: UpgradePlan) -> None:
        self.plan = plan
        self.summary_label.setText("Done. " + plan_summary(plan))
        self.upgraded.emit(plan)
        self.accept()

    def _apply_failed(self, exc: BaseException) -> None:
        self.summary_label.setText(f"Nothing changed: {exc}")
        self.apply_button.setEnabled(True)
        show_error(self, "Cannot move the assessment", exc)
