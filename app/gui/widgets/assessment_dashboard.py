"""The dashboard of one assessment: headline figures and charts of score and completeness.

The figures refresh whenever a new score arrives; the charts (SVG text painted by Qt) are
drawn only while the dashboard is visible, so answering questions never waits for a chart.
"""

from __future__ import annotations

import logging
from collections import Counter
from functools import partial

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.domain.scoring import LEVEL_NAMES, NodeScore
from app.gui.widgets.chart_canvas import ChartCanvas
from app.gui.widgets.dashboard_charts import chart_rows, plot_completeness, plot_scores
from app.services.assessment_state import AssessmentState, short_title
from app.services.scoring import AssessmentScore

logger = logging.getLogger(__name__)

#: Tile key → (label, help text).
TILES = {
    "mean": ("Mean maturity", "Weighted mean level of the answered questions"),
    "achieved": ("Achieved level", "The highest level every applicable question reaches"),
    "coverage": ("At target", "Share of applicable questions at or above their target"),
    "completeness": ("Completeness", "Share of applicable questions answered"),
    "confidence": ("Confidence", "Share of answers at level 3+ backed by evidence"),
    "gap": ("Gap to target", "Weighted mean shortfall of the answered questions"),
}


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def tile_texts(overall: NodeScore) -> dict[str, tuple[str, str]]:
    """Return the number and the line under it for each tile."""
    target = "–" if overall.target is None else f"{overall.target:.1f}"
    achieved = overall.achieved_level
    return {
        "mean": ("–" if overall.mean is None else f"{overall.mean:.2f}", f"target {target}"),
        "achieved": (
            "–" if achieved is None else str(achieved),
            "" if achieved is None else LEVEL_NAMES[achieved],
        ),
        "coverage": (_percent(overall.coverage), f"{overall.at_target} questions"),
        "completeness": (
            _percent(overall.completeness),
            f"{overall.answered} of {overall.applicable} answered",
        ),
        "confidence": (_percent(overall.confidence), "of answers at level 3+"),
        "gap": ("–" if overall.gap is None else f"{overall.gap:.2f}", "levels below target"),
    }


def origin_summary(state: AssessmentState | None) -> str:
    """Return how many answers are the assessment's own, inherited and overridden.

    The three counts are disjoint and add up to the assessment's questions, as in the portfolio.
    """
    if state is None:
        return ""
    if state.info.organisation:
        return "Organisation assessment: every system assessment inherits these answers."
    origins = Counter(r.origin for r in state.responses.values())
    if not origins["inherited"] and not origins["overridden"]:
        return f"All {len(state.responses)} answers are this system's own."
    return (
        f"Answers: {origins['own']} own · {origins['inherited']} "
        f"inherited from the organisation assessment · {origins['overridden']} overridden"
    )


class AssessmentDashboard(QWidget):
    """Headline figures, a framework choice and two charts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state: AssessmentState | None = None
        self._score: AssessmentScore | None = None
        self._stale = True
        self.tiles: dict[str, QLabel] = {}
        self.tile_notes: dict[str, QLabel] = {}
        grid = QGridLayout()
        for index, (key, (label, tip)) in enumerate(TILES.items()):
            grid.addWidget(self._tile(key, label, tip), 0, index)
        self.framework_box = QComboBox()
        self.framework_box.setAccessibleName("Framework shown in the charts")
        self.framework_box.setToolTip("Which framework the charts show")
        self.framework_box.currentIndexChanged.connect(lambda _i: self._charts_changed())
        choice = QHBoxLayout()
        choice.addWidget(QLabel("Charts of:"))
        choice.addWidget(self.framework_box)
        choice.addStretch(1)
        self.score_chart = ChartCanvas("Score by function against target")
        self.completeness_chart = ChartCanvas("Completeness")
        charts = QHBoxLayout()
        charts.addWidget(self.score_chart, 3)
        charts.addWidget(self.completeness_chart, 2)
        self.origin_label = QLabel()
        self.origin_label.setObjectName("pageHint")
        self.origin_label.setAccessibleName("Where the answers come from")
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.origin_label)
        layout.addLayout(choice)
        layout.addLayout(charts, 1)

    def _tile(self, key: str, label: str, tip: str) -> QFrame:
        frame = QFrame()
        frame.setObjectName("tile")
        frame.setToolTip(tip)
        box = QVBoxLayout(frame)
        number = QLabel("–")
        number.setObjectName("tileNumber")
        number.setAccessibleName(label)
        note = QLabel()
        note.setObjectName("pageHint")
        box.addWidget(QLabel(label))
        box.addWidget(number)
        box.addWidget(note)
        self.tiles[key] = number
        self.tile_notes[key] = note
        return frame

    # Data ----------------------------------------------------------------------------------
    def set_state(self, state: AssessmentState | None) -> None:
        """Show a newly opened assessment (or none)."""
        self._state = state
        self.framework_box.blockSignals(True)
        self.framework_box.clear()
        if state is not None:
            for framework in state.loaded.frameworks:
                self.framework_box.addItem(short_title(framework), framework.id)
        self.framework_box.blockSignals(False)
        self.update_score(state.score if state is not None else None)

    def update_score(self, score: AssessmentScore | None) -> None:
        """Show new scores: the tiles at once, the charts when visible."""
        self._score = score
        self.origin_label.setText(origin_summary(self._state))
        texts = tile_texts(score.result.overall) if score is not None else {}
        for key, label in self.tiles.items():
            number, note = texts.get(key, ("–", ""))
            label.setText(number)
            self.tile_notes[key].setText(note)
        self._charts_changed()

    def _charts_changed(self) -> None:
        self._stale = True
        if self.isVisible():
            self.render_charts()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.render_charts()

    def render_charts(self) -> None:
        """Draw both charts for the chosen framework."""
        self._stale = False
        state, score = self._state, self._score
        framework_id = self.framework_box.currentData()
        if state is None or score is None or framework_id is None:
            self.score_chart.show_message("No assessment open.")
            self.completeness_chart.show_message("")
            return
        rows = chart_rows(state, score, str(framework_id))
        self.score_chart.redraw(partial(plot_scores, rows=rows))
        self.completeness_chart.redraw(partial(plot_completeness, rows=rows))
