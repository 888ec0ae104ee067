"""A matplotlib figure inside Qt, created the first time a chart is drawn.

matplotlib is imported here lazily (inside :meth:`ChartCanvas.figure`), never when the module is
imported, so the window starts without it. Figures are plain ``matplotlib.figure.Figure``
objects drawn by ``FigureCanvasQTAgg``; pyplot is never used.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.gui import tasks

if TYPE_CHECKING:
    from matplotlib.figure import Figure

logger = logging.getLogger(__name__)


def preload_matplotlib() -> None:
    """Import matplotlib's heavy parts (numpy, fonts, Agg) so the first chart shows quickly.

    Run on a worker thread (see :func:`warm_up`); the Qt canvas module itself is imported on
    the UI thread when the first chart is drawn.
    """
    import matplotlib.backends.backend_agg
    import matplotlib.figure  # noqa: F401

    logger.debug("matplotlib preloaded (%s)", matplotlib.backends.backend_agg.__name__)


def warm_up() -> None:
    """Start importing matplotlib in the background, once, unless it is already loaded."""
    global _warming  # noqa: PLW0603 - one warm-up per process
    if _warming or "matplotlib.figure" in sys.modules:
        return
    _warming = True
    tasks.run_task(preload_matplotlib, with_progress=False)


_warming = False


class ChartCanvas(QWidget):
    """Holds one figure; call :meth:`redraw` with a function that plots onto it."""

    def __init__(self, title: str, parent: QWidget | None = None, *, height: int = 260) -> None:
        super().__init__(parent)
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(title)
        self._figure: Figure | None = None
        self.canvas: QWidget | None = None
        self.placeholder = QLabel(f"{title}: shown when there is something to draw.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setObjectName("pageHint")
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.placeholder)

    def figure(self) -> Figure:
        """Return the figure, creating it and its Qt canvas on first use."""
        if self._figure is None:
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure

            self._figure = Figure(figsize=(5, 3), layout="constrained")
            canvas = FigureCanvasQTAgg(self._figure)
            canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            self._layout.replaceWidget(self.placeholder, canvas)
            self.placeholder.hide()
            self.canvas = canvas
            logger.debug("chart canvas created for %s", self.accessibleName())
        return self._figure

    def colours(self) -> tuple[str, str]:
        """Return the window's text and base colours, so charts follow light and dark themes."""
        palette = self.palette()
        return (
            palette.color(QPalette.ColorRole.WindowText).name(),
            palette.color(QPalette.ColorRole.Window).name(),
        )

    def redraw(self, plot: Callable[[Figure, str, str], None]) -> None:
        """Clear the figure, let ``plot(figure, text_colour, background)`` draw, and show it."""
        figure = self.figure()
        figure.clear()
        text, background = self.colours()
        figure.set_facecolor(background)
        plot(figure, text, background)
        if self.canvas is not None:
            self.canvas.draw_idle()

    def show_message(self, text: str) -> None:
        """Show a sentence instead of a chart (nothing to draw yet)."""

        def plot(figure: Figure, colour: str, _background: str) -> None:
            figure.text(0.5, 0.5, text, ha="center", va="center", color=colour, wrap=True)

        self.redraw(plot)
