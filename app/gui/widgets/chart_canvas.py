"""A chart in the window: SVG text drawn at the widget's size and painted by Qt's SVG renderer.

A chart is a function ``draw(width, height, text_colour) -> svg`` (see dashboard_charts.py);
the canvas calls it again when its size changes, so text keeps its size and bars fill the
space. No plotting library is involved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

logger = logging.getLogger(__name__)

Draw = Callable[[float, float, str], str]


class SvgView(QWidget):
    """Paints one SVG document over its whole area."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.renderer = QSvgRenderer(self)

    def set_svg(self, svg: str) -> None:
        self.renderer.load(QByteArray(svg.encode("utf-8")))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.renderer.render(painter, QRectF(0, 0, self.width(), self.height()))
        painter.end()


class ChartCanvas(QWidget):
    """Holds one chart; call :meth:`redraw` with a function that returns its SVG."""

    def __init__(self, title: str, parent: QWidget | None = None, *, height: int = 260) -> None:
        super().__init__(parent)
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title)
        self.svg = ""
        self._draw: Draw | None = None
        self.view = SvgView()
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.hide()
        self.placeholder = QLabel(f"{title}: shown when there is something to draw.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("pageHint")
        self.placeholder.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.view)

    def text_colour(self) -> str:
        """Return the window's text colour, so charts follow light and dark themes."""
        return self.palette().color(QPalette.ColorRole.WindowText).name()

    def redraw(self, draw: Draw) -> None:
        """Show the chart ``draw(width, height, text_colour)`` returns, at the widget's size."""
        self._draw = draw
        self.placeholder.hide()
        self.view.show()
        self._render()

    def _render(self) -> None:
        if self._draw is None:
            return
        width, height = max(self.width(), 200), max(self.height(), self.minimumHeight())
        self.svg = self._draw(float(width), float(height), self.text_colour())
        self.view.set_svg(self.svg)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.oldSize() != event.size():
            self._render()

    def show_message(self, text: str) -> None:
        """Show a sentence instead of a chart (nothing to draw yet)."""
        self._draw = None
        self.svg = ""
        self.view.hide()
        self.placeholder.setText(text)
        self.placeholder.show()
