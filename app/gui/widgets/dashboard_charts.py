"""The dashboard's charts as plain functions that return SVG text (no Qt here).

The rows come from an assessment's scores: one :class:`ChartRow` per function (or risk) of a
framework, per focus area where the framework has them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.services.assessment_state import AssessmentState
from app.services.scoring import AssessmentScore
from app.support.svg_axes import AxesStyle, LegendItem, RowAxes

logger = logging.getLogger(__name__)

FOCUS_COLOURS = {"secure": "#1f77b4", "defend": "#2ca02c", "thwart": "#9467bd", "": "#1f77b4"}
BELOW_COLOUR, TARGET_COLOUR = "#c62828", "#e08a00"
ANSWERED, NOT_APPLICABLE, OPEN = "#2e7d32", "#9e9e9e", "#e0e0e0"
GRID_COLOUR = "#bdbdbd"


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


def _axes(
    width: float, height: float, colour: str, rows: Sequence[ChartRow], **options: Any
) -> RowAxes:
    style = AxesStyle(ink=colour, grid=GRID_COLOUR, font_size=11, tick_size=11, unit="px")
    return RowAxes(
        width, [[row.label] for row in rows], style=style, height=height, row_height=0, **options
    )


def _ticks(largest: int) -> list[tuple[float, str]]:
    """Return round ticks from 0 to at least ``largest``, at most six of them."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000) if largest / s <= 5)
    count = -(-max(largest, 1) // step)
    return [(float(step * n), str(step * n)) for n in range(count + 1)]


def plot_scores(width: float, height: float, colour: str, *, rows: Sequence[ChartRow]) -> str:
    """Draw the mean maturity of each row as a bar with its target as a marker; return SVG."""
    has_target = any(row.target is not None for row in rows)
    axes = _axes(
        width,
        height,
        colour,
        rows,
        x_max=5.4,
        ticks=[(float(level), str(level)) for level in range(6)],
        legend=[LegendItem("line", TARGET_COLOUR, "target")] if has_target else [],
        title="Score by function against target",
        x_title="Mean maturity (0–5); red bars are below target",
    )
    svg = axes.draw()
    bar = 0.7 * axes.row_height
    for index, row in enumerate(rows):
        below = row.mean is not None and row.target is not None and row.mean < row.target
        fill = BELOW_COLOUR if below else FOCUS_COLOURS.get(row.focus, FOCUS_COLOURS[""])
        y, end = axes.y(index), axes.x(row.mean or 0.0)
        svg.rect(axes.left, y - bar / 2, end - axes.left, bar, fill, class_="mean")
        text = "–" if row.mean is None else f"{row.mean:.1f}"
        svg.text(end + 3, y, text, size=10, fill=colour, role="value")
        if row.target is not None:
            x = axes.x(row.target)
            svg.line(x, y - 0.45 * axes.row_height, x, y + 0.45 * axes.row_height,
                     TARGET_COLOUR, 2.5)  # fmt: skip
    return svg.to_string()


def plot_completeness(width: float, height: float, colour: str, *, rows: Sequence[ChartRow]) -> str:
    """Draw answered, N/A and unanswered questions of each row as stacked bars; return SVG."""
    largest = max((row.applicable + row.not_applicable for row in rows), default=1)
    ticks = _ticks(largest)
    axes = _axes(
        width,
        height,
        colour,
        rows,
        x_max=ticks[-1][0] or 1.0,
        ticks=ticks,
        legend=[
            LegendItem("box", ANSWERED, "answered"),
            LegendItem("box", NOT_APPLICABLE, "N/A"),
            LegendItem("box", OPEN, "unanswered"),
        ],
        title="Completeness",
        x_title="Questions",
    )
    svg = axes.draw()
    bar = 0.7 * axes.row_height
    for index, row in enumerate(rows):
        y, start = axes.y(index), 0
        parts = (
            (row.answered, ANSWERED, "answered"),
            (row.not_applicable, NOT_APPLICABLE, "not-applicable"),
            (row.applicable - row.answered, OPEN, "unanswered"),
        )
        for count, fill, name in parts:
            left = axes.x(start)
            svg.rect(left, y - bar / 2, axes.x(start + count) - left, bar, fill, class_=name,
                     data_value=str(count))  # fmt: skip
            start += count
    return svg.to_string()
