"""Charts for the reports, drawn directly as SVG text (no plotting library).

Every function returns the SVG document as a string; :func:`svg_data_uri` turns it into a
``data:`` URI that the templates put in an ``<img>``. Text is set in "DejaVu Sans", the font
the report embeds, and every label is escaped. The output is deterministic: the same data
gives the same bytes. Colours come from the report's palette (templates/base.css) and the
branding; every value is also written as a number, so the charts read in grayscale too.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

from app.reports.viewmodels import FrameworkResult
from app.support.svg import Svg, text_width, wrap
from app.support.svg_axes import LegendItem, RowAxes

logger = logging.getLogger(__name__)

INK = "#263238"
GRID = "#cfd8dc"
MUTED = "#90a4ae"
TARGET = "#c62828"
EMPTY = "#eceff1"
#: Colours of the heat map from level 0 through 2.5 to 5.
HEAT_STOPS = ("#c62828", "#f9a825", "#2e7d32")
#: Blast radius tiers: (from, to, colour).
BLAST_BANDS = ((0, 25, "#78909c"), (25, 50, "#f9a825"), (50, 75, "#d84315"), (75, 100, "#8e0000"))
WIDTH = 475.2  # 6.6 in, in points
LEVEL_TICKS = tuple((float(level), str(level)) for level in range(6))


def svg_data_uri(svg: str) -> str:
    """Return SVG text as a base64 ``data:image/svg+xml`` URI."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _value(value: float | None, fmt: str = "{:.1f}") -> str:
    return "n/a" if value is None else fmt.format(value)


def _level_axes(
    labels: Sequence[str], legend: list[LegendItem], *, x_max: float, row_height: float
) -> RowAxes:
    """Return axes of one row per label on the maturity scale (0–5), labels wrapped."""
    rows = [wrap(label, 34) for label in labels]
    return RowAxes(WIDTH, rows, x_max=x_max, ticks=LEVEL_TICKS, row_height=row_height,
                   legend=legend)  # fmt: skip


def score_bars_svg(
    labels: Sequence[str],
    means: Sequence[float | None],
    achieved: Sequence[int | None],
    targets: Sequence[float | None],
    *,
    colour: str = "#1f3a5f",
    accent: str = "#2e7d9a",
) -> str:
    """Draw one horizontal bar per node: mean maturity, achieved level and target (0–5).

    The achieved-level bars (and their legend entry) are drawn only when one of them is above
    zero: a legend never names a bar the chart does not show.

    Args:
        labels: Node labels, top to bottom.
        means: Weighted mean maturity per node (None: nothing answered).
        achieved: Achieved level per node (None: not available); empty to leave them out.
        targets: Target level per node (None: not available).
        colour: Colour of the mean bars.
        accent: Colour of the achieved-level bars.

    Returns:
        The SVG document.
    """
    both = any(a for a in achieved if a)
    legend = [LegendItem("box", colour, "Mean")]
    if both:
        legend.append(LegendItem("box", accent, "Achieved"))
    legend.append(LegendItem("line", TARGET, "Target"))
    axes = _level_axes(labels, legend, x_max=5.4, row_height=25.92)
    svg = axes.draw()
    bar = axes.row_height * (0.34 if both else 0.5)
    for row, mean in enumerate(means):
        middle = axes.y(row) - (bar / 2 if both else 0.0)
        svg.rect(axes.left, middle - bar / 2, axes.x(mean or 0.0) - axes.left, bar, colour,
                 class_="mean", data_value=_value(mean, "{:.2f}"))  # fmt: skip
        svg.text(axes.x(mean or 0.0) + 3, middle, _value(mean), size=7, role="value")
        if both and row < len(achieved):
            level = achieved[row] or 0
            svg.rect(axes.left, middle + bar / 2, axes.x(level) - axes.left, bar, accent,
                     class_="achieved", data_value=str(level))  # fmt: skip
    for row, target in enumerate(targets):
        if target is not None:
            half = 0.42 * axes.row_height
            x = axes.x(target)
            svg.line(x, axes.y(row) - half, x, axes.y(row) + half, TARGET, 1.6, class_="target",
                     data_value=f"{target:.2f}")  # fmt: skip
    return svg.to_string()


def score_by_function_svg(
    framework: FrameworkResult, *, colour: str = "#1f3a5f", accent: str = "#2e7d9a"
) -> str:
    """Draw :func:`score_bars_svg` for a framework's chart nodes (functions, risks …)."""
    nodes = framework.chart_nodes()
    return score_bars_svg(
        [n.title for n in nodes],
        [n.mean for n in nodes],
        [],
        [n.target for n in nodes],
        colour=colour,
        accent=accent,
    )


def comparison_svg(
    labels: Sequence[str],
    previous: Sequence[float | None],
    current: Sequence[float | None],
    *,
    colour: str = "#1f3a5f",
) -> str:
    """Draw previous → current mean maturity per node as a dumbbell chart (0–5)."""
    legend = [LegendItem("dot", MUTED, "Previous"), LegendItem("dot", colour, "Current")]
    axes = _level_axes(labels, legend, x_max=5.2, row_height=21.6)
    svg = axes.draw()
    for row, (before, after) in enumerate(zip(previous, current, strict=False)):
        y = axes.y(row)
        if before is not None and after is not None:
            svg.line(axes.x(before), y, axes.x(after), y, GRID, 2.5)
        if before is not None:
            svg.circle(axes.x(before), y, 3.0, MUTED, class_="previous", data_value=f"{before:.2f}")
        if after is not None:
            svg.circle(axes.x(after), y, 3.3, colour, class_="current", data_value=f"{after:.2f}")
    return svg.to_string()


def heat_colour(value: float) -> str:
    """Return the heat map's colour of a maturity value (0–5): red, amber, then green."""
    share = min(max(value / 5.0, 0.0), 1.0) * (len(HEAT_STOPS) - 1)
    index = min(int(share), len(HEAT_STOPS) - 2)
    low, high = HEAT_STOPS[index], HEAT_STOPS[index + 1]
    fraction = share - index
    channels = (
        round(int(low[i : i + 2], 16) * (1 - fraction) + int(high[i : i + 2], 16) * fraction)
        for i in (1, 3, 5)
    )
    return "#" + "".join(f"{c:02x}" for c in channels)


def heatmap_svg(
    rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float | None]]
) -> str:
    """Draw a systems × functions heat map of mean maturity (0–5; blank where not assessed)."""
    size, small = 8.5, 7.5
    row_labels = [wrap(r, 28) for r in rows] or [[""]]
    # Column labels stand upright (a quarter turn), so none runs into its neighbour however
    # many functions there are; the top band grows with the longest label.
    column_labels = [wrap(c, 16) for c in columns]
    longest = max((text_width(s, small) for lines in column_labels for s in lines), default=0.0)
    left = max(text_width(s, size) for lines in row_labels for s in lines) + 8
    top, cell_h = longest + 8, 32.0
    bar_x = 489.6 - 44
    svg = Svg(489.6, top + cell_h * len(row_labels) + 10, font_size=size)
    cell_w = (bar_x - 14 - left) / max(len(columns), 1)
    for r, lines in enumerate(row_labels):
        svg.lines(left - 5, top + cell_h * (r + 0.5), lines, anchor="end", role="row-label")
    for c, lines in enumerate(column_labels):
        middle = left + cell_w * (c + 0.5)
        step = 1.2 * small
        for index, line in enumerate(lines):
            x = middle + step * (index - (len(lines) - 1) / 2)
            svg.text(x, top - 5, line, size=small, rotate=True, role="column-label")
    for r, row in enumerate(values):
        for c, value in enumerate(row):
            x, y = left + cell_w * c, top + cell_h * r
            fill = EMPTY if value is None else heat_colour(value)
            svg.rect(x, y, cell_w, cell_h, fill, class_="cell", data_value=_value(value, "{:.2f}"))
            text = "–" if value is None else f"{value:.1f}"
            svg.text(
                x + cell_w / 2, y + cell_h / 2, text, anchor="middle", size=small, role="value"
            )
    _colour_bar(svg, bar_x, top, cell_h * max(len(row_labels), 1))
    return svg.to_string()


def _colour_bar(svg: Svg, x: float, top: float, height: float) -> None:
    """Draw the heat map's scale: a vertical band from 0 (bottom) to 5 with its ticks."""
    height = max(height * 0.8, 40.0)
    top += height * 0.1
    steps = 40
    for step in range(steps):
        value = 5.0 * (step + 0.5) / steps
        y = top + height * (1 - (step + 1) / steps)
        svg.rect(x, y, 9, height / steps + 0.2, heat_colour(value))
    levels = (0, 1, 2, 3, 4, 5) if height >= 60 else (0, 2.5, 5)
    for level in levels:
        y = top + height * (1 - level / 5)
        svg.line(x + 9, y, x + 12, y, INK, 0.8)
        svg.text(x + 14, y, f"{level:g}", size=7.5)
    beside = x + 14 + max(text_width(f"{level:g}", 7.5) for level in levels) + 6
    svg.text(beside, top + height / 2, "Mean maturity", anchor="middle", size=7.5, rotate=True)


def kpi_svg(
    labels: Sequence[str],
    client: Sequence[float | None],
    *,
    colour: str = "#1f3a5f",
) -> str:
    """Draw the client's identity shares (0–100%), one bar each; "n/a" where none is counted."""
    ticks = [(float(p), f"{p}%") for p in (0, 25, 50, 75, 100)]
    axes = RowAxes(
        WIDTH, [wrap(label, 30) for label in labels], x_max=110, ticks=ticks, row_height=30.24
    )
    svg = axes.draw()
    bar = axes.row_height * 0.5
    for row, value in enumerate(client):
        share = 100 * (value or 0.0)
        y = axes.y(row)
        svg.rect(axes.left, y - bar / 2, axes.x(share) - axes.left, bar, colour,
                 class_="share", data_value=_value(value, "{:.4f}"))  # fmt: skip
        text = "n/a" if value is None else f"{share:.0f}%"
        svg.text(axes.x(share) + 3, y, text, size=7.5, role="value")
    return svg.to_string()


def blast_gauge_svg(score: int, tier: str) -> str:
    """Draw the blast radius score on a 0–100 band coloured by tier thresholds (25/50/75)."""
    svg = Svg(WIDTH, 61.2)
    left, right, band_top, band_h = 8.0, WIDTH - 10.0, 24.0, 16.0

    def x(value: float) -> float:
        return left + (right - left) * value / 100

    for start, end, fill in BLAST_BANDS:
        svg.rect(x(start), band_top, x(end) - x(start), band_h, fill, fill_opacity="0.85")
    svg.line(left, band_top + band_h + 3, right, band_top + band_h + 3, GRID, 0.8)
    for value in (0, 25, 50, 75, 100):
        svg.line(x(value), band_top + band_h + 3, x(value), band_top + band_h + 6.5, INK, 0.8)
        svg.text(x(value), band_top + band_h + 13, str(value), anchor="middle")
    marker = x(min(max(score, 0), 100))
    svg.line(marker, band_top - 3, marker, band_top + band_h + 3, INK, 2.5, class_="score")
    label = f"{score} ({tier})"
    half = text_width(label, 8.5) / 2
    svg.text(min(max(marker, half), WIDTH - half), band_top - 10, label, anchor="middle",
             role="value")  # fmt: skip
    return svg.to_string()
