"""Axes of a horizontal chart drawn as SVG: labelled rows, a value scale below, a legend above.

The report charts and the window's dashboard draw their bars, dots and markers on these axes;
the axes size themselves around the longest label and place rows, grid lines and ticks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from app.support.svg import Svg, text_width

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: ``kind`` is "box", "line" or "dot", drawn in ``colour``."""

    kind: str
    colour: str
    label: str


@dataclass(frozen=True)
class AxesStyle:
    """Colours and sizes of the axes (text, grid lines, font size, unit of the document)."""

    ink: str = "#263238"
    grid: str = "#cfd8dc"
    font_size: float = 8.5
    tick_size: float = 8.5
    unit: str = "pt"


class RowAxes:
    """Rows top to bottom with their labels on the left, values from 0 to ``x_max`` across."""

    def __init__(
        self,
        width: float,
        labels: Sequence[Sequence[str]],
        *,
        x_max: float,
        ticks: Sequence[tuple[float, str]],
        row_height: float,
        legend: Sequence[LegendItem] = (),
        title: str = "",
        x_title: str = "",
        style: AxesStyle | None = None,
        height: float | None = None,
    ) -> None:
        """Lay the axes out; with ``height``, rows share what the frame leaves of it."""
        self.style = style or AxesStyle()
        size = self.style.font_size
        self.labels = [list(lines) for lines in labels] or [[""]]
        most_lines = max(len(lines) for lines in self.labels)
        self.row_height = max(row_height, 1.2 * size * most_lines + 0.6 * size)
        self.x_max, self.ticks = x_max, list(ticks)
        self.legend, self.title, self.x_title = list(legend), title, x_title
        widest = max(text_width(line, size) for lines in self.labels for line in lines)
        self.left = widest + 0.9 * size
        self.right = width - max(0.8 * size, text_width(ticks[-1][1], self.style.tick_size) / 2)
        self.top = (1.8 * size if title else 0.0) + (2.0 * size if legend else 0.6 * size)
        tail = 2.2 * self.style.tick_size + (1.6 * size if x_title else 0.0)
        if height is not None:
            fitted = (height - self.top - tail) / len(self.labels)
            self.row_height = max(fitted, 1.4 * size)
        self.bottom = self.top + self.row_height * len(self.labels)
        self.svg = Svg(width, self.bottom + tail, font_size=size, unit=self.style.unit)

    def x(self, value: float) -> float:
        """Return the horizontal position of a value."""
        return self.left + (self.right - self.left) * value / self.x_max

    def y(self, row: int) -> float:
        """Return the vertical middle of a row (0 is the top row)."""
        return self.top + self.row_height * (row + 0.5)

    def draw(self) -> Svg:
        """Draw grid, axis, ticks, row labels, title and legend; return the document to draw on."""
        svg, style = self.svg, self.style
        for value, text in self.ticks:
            x = self.x(value)
            svg.line(x, self.top, x, self.bottom, style.grid, 0.6)
            svg.line(x, self.bottom, x, self.bottom + 3.5, style.ink, 0.8)
            tick_y = self.bottom + 4 + 0.7 * style.tick_size
            svg.text(x, tick_y, text, anchor="middle", size=style.tick_size, fill=style.ink)
        svg.line(self.left, self.top, self.left, self.bottom, style.grid, 0.8)
        svg.line(self.left, self.bottom, self.right, self.bottom, style.grid, 0.8)
        for row, lines in enumerate(self.labels):
            y = self.y(row)
            svg.line(self.left - 3.5, y, self.left, y, style.ink, 0.8)
            svg.lines(self.left - 5, y, lines, anchor="end", fill=style.ink, role="row-label")
        if self.x_title:
            middle = (self.left + self.right) / 2
            svg.text(middle, svg.height - 0.8 * style.font_size, self.x_title, anchor="middle",
                     fill=style.ink)  # fmt: skip
        if self.title:
            svg.text(0, style.font_size, self.title, size=1.15 * style.font_size, fill=style.ink,
                     bold=True, role="title")  # fmt: skip
        self._legend()
        return svg

    def _legend(self) -> None:
        if not self.legend:
            return
        svg, size = self.svg, self.style.font_size
        widths = [1.6 * size + text_width(item.label, size) for item in self.legend]
        x = (self.left + self.right - sum(widths) - 1.2 * size * (len(widths) - 1)) / 2
        y = self.top - 1.1 * size
        for item, width in zip(self.legend, widths, strict=True):
            if item.kind == "box":
                svg.rect(x, y - 0.35 * size, size, 0.7 * size, item.colour)
            elif item.kind == "dot":
                svg.circle(x + 0.5 * size, y, 0.38 * size, item.colour)
            else:
                svg.line(x, y, x + size, y, item.colour, 1.6)
            svg.text(x + 1.5 * size, y, item.label, fill=self.style.ink, role="legend")
            x += width + 1.2 * size
