"""A small writer of SVG documents for charts: shapes and text, escaped, nothing else.

Charts are drawn as plain SVG text, so no plotting library is loaded to draw them. The writer
only knows the handful of elements charts need (rectangles, lines, circles, text, groups);
every attribute value and every text is escaped, and it never writes scripts, styles that load
anything, or links to other files. Numbers are written with at most two decimals, so the same
chart gives the same bytes.

Text is measured with the advance widths of DejaVu Sans (the report's bundled font), which is
close enough to size label columns and wrap labels without loading the font.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

logger = logging.getLogger(__name__)

FONT_FAMILY = "DejaVu Sans"

# Advance widths of DejaVu Sans for the characters 32–126, in thousandths of an em.
_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, 636, 636,
    636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, 1000, 684, 686, 698,
    770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732,
    684, 989, 685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615, 352, 635,
    634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521, 392, 634, 592, 818, 592, 592,
    525, 636, 337, 636, 838,
)  # fmt: skip
_OTHER_WIDTH = 640


def text_width(text: str, size: float) -> float:
    """Return the width of one line of text in DejaVu Sans at ``size`` (same unit as size)."""
    total = 0
    for char in text:
        code = ord(char)
        total += _WIDTHS[code - 32] if 32 <= code < 127 else _OTHER_WIDTH
    return total * size / 1000


def wrap(label: str, width: int, lines: int = 2) -> list[str]:
    """Split a label into at most ``lines`` lines of about ``width`` characters (… when cut)."""
    return textwrap.wrap(label, width, max_lines=lines, placeholder="…") or [label]


def num(value: float) -> str:
    """Write a coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _attrs(attributes: Mapping[str, object]) -> str:
    parts = []
    for name, value in attributes.items():
        if value is None:
            continue
        text = num(value) if isinstance(value, float) else str(value)
        parts.append(f" {name.rstrip('_').replace('_', '-')}={quoteattr(text)}")
    return "".join(parts)


class Svg:
    """An SVG document being drawn; coordinates in points, y grows downwards."""

    def __init__(
        self, width: float, height: float, *, font_size: float = 8.5, unit: str = "pt"
    ) -> None:
        self.unit = unit
        self.width = width
        self.height = height
        self.font_size = font_size
        self._parts: list[str] = []

    def rect(self, x: float, y: float, w: float, h: float, fill: str, **extra: object) -> None:
        """Draw a filled rectangle."""
        self._parts.append(
            f"<rect{_attrs({'x': x, 'y': y, 'width': max(w, 0.0), 'height': h, 'fill': fill})}"
            f"{_attrs(extra)}/>"
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        stroke: str,
        width: float = 1.0,
        **extra: object,
    ) -> None:
        """Draw a straight line."""
        values = {"x1": x1, "y1": y1, "x2": x2, "y2": y2, "stroke": stroke}
        self._parts.append(
            f"<line{_attrs(values)}{_attrs({'stroke_width': float(width)})}{_attrs(extra)}/>"
        )

    def circle(self, cx: float, cy: float, r: float, fill: str, **extra: object) -> None:
        """Draw a filled circle."""
        values = {"cx": cx, "cy": cy, "r": r, "fill": fill}
        self._parts.append(f"<circle{_attrs(values)}{_attrs(extra)}/>")

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        anchor: str = "start",
        size: float | None = None,
        fill: str = "#263238",
        role: str | None = None,
        rotate: bool = False,
        bold: bool = False,
    ) -> None:
        """Write one line of text; ``y`` is its vertical middle, ``role`` a class for readers."""
        size = size or self.font_size
        baseline = y + 0.35 * size
        attributes: dict[str, object] = {
            "x": float(x),
            "y": float(baseline),
            "font_size": float(size),
            "text_anchor": anchor,
            "fill": fill,
            "font_weight": "bold" if bold else None,
            "class_": role,
        }
        if rotate:
            attributes.update(x=float(x + 0.35 * size), y=float(y))
            attributes["transform"] = f"rotate(-90 {num(x + 0.35 * size)} {num(y)})"
        self._parts.append(f"<text{_attrs(attributes)}>{escape(text)}</text>")

    def lines(
        self,
        x: float,
        y: float,
        lines: list[str],
        *,
        anchor: str = "start",
        fill: str = "#263238",
        role: str | None = None,
    ) -> None:
        """Write several lines of text centred as a block on ``y`` (see :meth:`text`)."""
        step = 1.2 * self.font_size
        top = y - step * (len(lines) - 1) / 2
        for index, line in enumerate(lines):
            self.text(x, top + index * step, line, anchor=anchor, fill=fill, role=role)

    def to_string(self) -> str:
        """Return the SVG document."""
        size = {"width": num(self.width) + self.unit, "height": num(self.height) + self.unit}
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1"{_attrs(size)}'
            f' viewBox="0 0 {num(self.width)} {num(self.height)}"'
            f"{_attrs({'font_family': FONT_FAMILY})}>"
        )
        return "\n".join([head, *self._parts, "</svg>"]) + "\n"
