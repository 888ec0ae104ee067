"""The dashboard's charts as plain drawing functions on a matplotlib ``Figure`` (no Qt here).

The rows come from an assessment's scores: one :class:`ChartRow` per function (or risk) of a
framework, per focus area where the framework has them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.services.assessment_state import AssessmentState
from app.services.scoring import AssessmentScore

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)

FOCUS_COLOURS = {"secure": "#1f77b4", "defend": "#2ca02c", "thwart": "#9467bd", "": "#1f77b4"}
BELOW_COLOUR, TARGET_COLOUR = "#c62828", "#e08a00"
ANSWERED, NOT_APPLICABLE, OPEN = "#2e7d32", "#9e9e9e", "#e0e0e0"


@dataclass(frozen=True)
class ChartRow:
    """One bar: a function (or risk) of a framework, within a focus area where there is one."""

    key: str
    label: str
    focus: str
    mean: float | None
    target: float | None
    answered: int
    not_applicable: int
    applicable: int


def chart_rows(state: AssessmentState, score: AssessmentScore, framework_id: str) -> list[ChartRow]:
    """Return the top-level nodes of one framework with their figures, in questionnaire order."""
    keys: dict[str, tuple[str, str]] = {}
    focus_order = {"secure": 0, "defend": 1, "thwart": 2}
    for entry in state.entries:
        if entry.framework.id != framework_id:
            continue
        focus = next((n.ref for n in entry.path if n.kind == "focus_area"), "")
        top = next(n for n in entry.path if n.kind not in ("framework", "focus_area"))
        if top.key not in keys:
            label = f"{top.ref} · {focus.capitalize()}" if focus else top.ref
            keys[top.key] = (label, focus)
    order = {ref: n for n, ref in enumerate(dict.fromkeys(k.rsplit("/", 1)[-1] for k in keys))}
    rows = []
    for key, (label, focus) in keys.items():
        node = score.node(key)
        rows.append(
            ChartRow(
                key,
                label,
                focus,
                node.mean,
                node.target,
                node.answered,
                node.not_applicable,
                node.applicable,
            )
        )
    rows.sort(key=lambda r: (order[r.key.rsplit("/", 1)[-1]], focus_order.get(r.focus, 0)))
    return rows


def _style(axes: Axes, colour: str) -> None:
    axes.set_facecolor("none")
    axes.tick_params(colors=colour, labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color(colour)
    axes.xaxis.label.set_color(colour)
    axes.title.set_color(colour)


def plot_scores(figure: Figure, colour: str, _background: str, *, rows: Sequence[ChartRow]) -> None:
    """Draw the mean maturity of each row as a bar with its target as a marker."""
    axes = figure.add_subplot()
    _style(axes, colour)
    positions = list(range(len(rows)))[::-1]
    means = [row.mean or 0.0 for row in rows]
    colours = [
        BELOW_COLOUR
        if row.mean is not None and row.target is not None and row.mean < row.target
        else FOCUS_COLOURS.get(row.focus, FOCUS_COLOURS[""])
        for row in rows
    ]
    axes.barh(positions, means, color=colours, height=0.7)
    targets = [(p, r.target) for p, r in zip(positions, rows, strict=True) if r.target is not None]
    if targets:
        axes.scatter(
            [t for _, t in targets],
            [p for p, _ in targets],
            marker="|",
            s=260,
            linewidths=2.5,
            color=TARGET_COLOUR,
            label="target",
            zorder=3,
        )
        axes.legend(loc="lower right", fontsize=8, frameon=False, labelcolor=colour)
    for position, row in zip(positions, rows, strict=True):
        text = "–" if row.mean is None else f"{row.mean:.1f}"
        axes.text((row.mean or 0) + 0.05, position, text, va="center", fontsize=7, color=colour)
    axes.set_yticks(positions, [row.label for row in rows])
    axes.set_xlim(0, 5.4)
    axes.set_xticks(range(6))
    axes.set_xlabel("Mean maturity (0–5); red bars are below target")
    axes.set_title("Score by function against target", fontsize=10, loc="left")


def plot_completeness(
    figure: Figure, colour: str, _background: str, *, rows: Sequence[ChartRow]
) -> None:
    """Draw answered, N/A and unanswered questions of each row as stacked bars."""
    axes = figure.add_subplot()
    _style(axes, colour)
    positions = list(range(len(rows)))[::-1]
    answered = [row.answered for row in rows]
    not_applicable = [row.not_applicable for row in rows]
    unanswered = [row.applicable - row.answered for row in rows]
    axes.barh(positions, answered, color=ANSWERED, height=0.7, label="answered")
    axes.barh(
        positions, not_applicable, left=answered, color=NOT_APPLICABLE, height=0.7, label="N/A"
    )
    lefts = [a + n for a, n in zip(answered, not_applicable, strict=True)]
    axes.barh(positions, unanswered, left=lefts, color=OPEN, height=0.7, label="unanswered")
    axes.set_yticks(positions, [row.label for row in rows])
    axes.set_xlabel("Questions")
    axes.set_title("Completeness", fontsize=10, loc="left")
    axes.legend(loc="lower right", fontsize=8, frameon=False, labelcolor=colour)
