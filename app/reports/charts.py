"""Charts for the reports, drawn with matplotlib's object API (no pyplot) as SVG text.

Every function returns the SVG document as a string; :func:`svg_data_uri` turns it into a
``data:`` URI that the templates put in an ``<img>``. Text is drawn as paths, so a chart looks
the same without any font installed, and the output is deterministic (fixed hash salt, no date)
so the same data gives the same bytes. matplotlib is imported inside the functions: loading
this module costs nothing at start-up.
"""

from __future__ import annotations

import base64
import io
import logging
import math
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.enums import SEVERITY_ORDER
from app.reports.viewmodels import FrameworkResult

logger = logging.getLogger(__name__)

INK = "#263238"
GRID = "#cfd8dc"
MUTED = "#90a4ae"
TARGET = "#c62828"
SEVERITY_COLOURS = {
    "critical": "#8e0000",
    "high": "#d84315",
    "medium": "#f9a825",
    "low": "#78909c",
}
_RC = {
    "svg.hashsalt": "assay-report",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _figure(width_in: float, height_in: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), dpi=96, layout="constrained")


def _svg(fig: Any) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    return buffer.getvalue()


def _rc() -> Any:
    import matplotlib

    return matplotlib.rc_context(_RC)


def svg_data_uri(svg: str) -> str:
    """Return SVG text as a base64 ``data:image/svg+xml`` URI."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(label, width, max_lines=2, placeholder="…")) or label


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
    count = max(len(labels), 1)
    with _rc():
        fig = _figure(6.6, 0.75 + 0.36 * count)
        ax = fig.add_subplot()
        rows = list(range(count))[::-1]
        mean_values = [m if m is not None else 0.0 for m in means]
        ach_values = [a if a is not None else 0 for a in achieved]
        both = any(ach_values)
        shift, height = (0.17, 0.34) if both else (0.0, 0.5)
        ax.barh([r + shift for r in rows], mean_values, height=height, color=colour, label="Mean")
        if both:
            ax.barh([r - shift for r in rows], ach_values, height=height, color=accent,
                    label="Achieved")  # fmt: skip
        for row, target in zip(rows, targets, strict=False):
            if target is not None:
                ax.plot([target, target], [row - 0.42, row + 0.42], color=TARGET, lw=1.6)
        for row, mean in zip(rows, means, strict=False):
            text = "n/a" if mean is None else f"{mean:.1f}"
            ax.text((mean or 0) + 0.06, row + shift, text, va="center", fontsize=7, color=INK)
        ax.plot([], [], color=TARGET, lw=1.6, label="Target")
        ax.set_yticks(rows, [_wrap(lbl) for lbl in labels])
        ax.set_xlim(0, 5.4)
        ax.set_xticks(range(6))
        ax.grid(axis="x", color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
        return _svg(fig)


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


def severity_svg(counts: Mapping[str, int]) -> str:
    """Draw the number of findings per severity as one stacked horizontal bar with a legend."""
    order = [s.value for s in SEVERITY_ORDER if counts.get(s.value)]
    with _rc():
        fig = _figure(6.6, 0.9)
        ax = fig.add_subplot()
        left = 0
        for severity in order:
            value = counts[severity]
            ax.barh([0], [value], left=left, color=SEVERITY_COLOURS[severity], label=severity)
            ax.text(left + value / 2, 0, str(value), ha="center", va="center", color="white")
            left += value
        ax.set_xlim(0, max(left, 1))
        ax.axis("off")
        if order:
            ax.legend(
                [s.capitalize() for s in order],
                loc="lower center",
                bbox_to_anchor=(0.5, 0.9),
                ncol=len(order),
                frameon=False,
            )
        return _svg(fig)


def comparison_svg(
    labels: Sequence[str],
    previous: Sequence[float | None],
    current: Sequence[float | None],
    *,
    colour: str = "#1f3a5f",
) -> str:
    """Draw previous → current mean maturity per node as a dumbbell chart (0–5)."""
    count = max(len(labels), 1)
    with _rc():
        fig = _figure(6.6, 0.75 + 0.3 * count)
        ax = fig.add_subplot()
        rows = list(range(count))[::-1]
        for row, before, after in zip(rows, previous, current, strict=False):
            if before is not None and after is not None:
                ax.plot([before, after], [row, row], color=GRID, lw=2.5, zorder=1)
            if before is not None:
                ax.scatter([before], [row], color=MUTED, s=28, zorder=2)
            if after is not None:
                ax.scatter([after], [row], color=colour, s=34, zorder=3)
        ax.scatter([], [], color=MUTED, s=28, label="Previous")
        ax.scatter([], [], color=colour, s=34, label="Current")
        ax.set_yticks(rows, [_wrap(lbl) for lbl in labels])
        ax.set_xlim(0, 5.2)
        ax.set_xticks(range(6))
        ax.grid(axis="x", color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
        return _svg(fig)


def heatmap_svg(
    rows: Sequence[str], columns: Sequence[str], values: Sequence[Sequence[float | None]]
) -> str:
    """Draw a systems × functions heat map of mean maturity (0–5; blank where not assessed)."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list(
        "maturity", ["#c62828", "#f9a825", "#2e7d32"]
    ).with_extremes(bad="#eceff1")
    grid = [[math.nan if v is None else v for v in row] for row in values] or [[math.nan]]
    labels = [_wrap(c, 16) for c in columns]
    # Column labels stand upright (rotated a quarter turn), so none runs into its neighbour
    # however many functions there are; the figure grows by the longest label.
    longest = max((len(line) for label in labels for line in label.split("\n")), default=0)
    with _rc():
        fig = _figure(6.8, 0.6 + 0.075 * longest + 0.34 * max(len(rows), 1))
        ax = fig.add_subplot()
        image = ax.imshow(grid, cmap=cmap, vmin=0, vmax=5, aspect="auto")
        for r, row in enumerate(values):
            for c, value in enumerate(row):
                text = "–" if value is None else f"{value:.1f}"
                ax.text(c, r, text, ha="center", va="center", fontsize=7.5, color=INK)
        ax.set_xticks(range(len(columns)), labels, rotation=90, fontsize=7.5)
        ax.set_yticks(range(len(rows)), [_wrap(r, 28) for r in rows])
        ax.xaxis.tick_top()
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        fig.colorbar(image, ax=ax, shrink=0.8, label="Mean maturity")
        return _svg(fig)


def kpi_svg(
    labels: Sequence[str],
    client: Sequence[float | None],
    *,
    colour: str = "#1f3a5f",
) -> str:
    """Draw the client's identity shares (0–100%), one bar each; "n/a" where none is counted."""
    count = max(len(labels), 1)
    with _rc():
        fig = _figure(6.6, 0.5 + 0.42 * count)
        ax = fig.add_subplot()
        rows = list(range(count))[::-1]
        ax.barh(rows, [100 * (v or 0.0) for v in client], height=0.5, color=colour)
        for row, value in zip(rows, client, strict=False):
            text = "n/a" if value is None else f"{100 * value:.0f}%"
            ax.text(100 * (value or 0) + 1, row, text, va="center", fontsize=7.5, color=INK)
        ax.set_yticks(rows, [_wrap(lbl, 30) for lbl in labels])
        ax.set_xlim(0, 110)
        ax.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
        ax.grid(axis="x", color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        return _svg(fig)


def blast_gauge_svg(score: int, tier: str) -> str:
    """Draw the blast radius score on a 0–100 band coloured by tier thresholds (25/50/75)."""
    with _rc():
        fig = _figure(6.6, 0.85)
        ax = fig.add_subplot()
        bands = ((0, 25, "#78909c"), (25, 50, "#f9a825"), (50, 75, "#d84315"), (75, 100, "#8e0000"))
        for start, end, col in bands:
            ax.barh([0], [end - start], left=start, color=col, height=0.5, alpha=0.85)
        ax.plot([score, score], [-0.42, 0.42], color=INK, lw=2.5)
        ax.text(score, 0.52, f"{score} ({tier})", ha="center", va="bottom", fontsize=8.5)
        ax.set_xlim(0, 100)
        ax.set_ylim(-0.5, 0.95)
        ax.set_yticks([])
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.spines["left"].set_visible(False)
        return _svg(fig)
