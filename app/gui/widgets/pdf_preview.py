"""A preview of a PDF's pages as images, rendered off the UI thread.

Qt's PDF module is not part of the Qt packages Assay uses and WeasyPrint writes PDF only, so
page images come from poppler's ``pdftoppm`` when it is installed (see
``app.services.reporting.preview``). Without it the preview says so and offers to open the
PDF in the system's viewer; the report itself is complete either way.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.gui import tasks
from app.services.progress import Progress
from app.services.reporting.preview import PagePreview, render_page_images

logger = logging.getLogger(__name__)


def render_and_decode(
    pdf: Path, out_dir: Path, progress: Progress | None = None
) -> tuple[PagePreview, list[QImage]]:
    """Render the page images and decode them, both on the worker.

    Decoding forty PNG files takes a noticeable fraction of a second; a ``QImage`` may be
    made off the UI thread, so only the cheap ``QPixmap.fromImage`` is left for the UI thread.
    """
    result = render_page_images(pdf, out_dir, progress=progress)
    return result, [QImage(str(image)) for image in result.images]


class PdfPreview(QWidget):
    """Shows the pages of one PDF, one under the other, with an "Open PDF" button."""

    pages_ready = Signal(int)
    """The page images are shown; the argument is how many."""
    preview_failed = Signal(str)
    """No images could be made; the argument is the reason shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pdf: Path | None = None
        self._task: tasks.Task | None = None
        self._folder = tempfile.TemporaryDirectory(prefix="assay-preview-")
        self._generation = 0
        self.caption = QLabel("Generate a PDF report to preview it here.")
        self.caption.setObjectName("pageHint")
        self.caption.setWordWrap(True)
        self.open_button = QPushButton("Open PDF")
        self.open_button.setToolTip("Open the PDF in your PDF viewer")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        top = QHBoxLayout()
        top.addWidget(self.caption, 1)
        top.addWidget(self.open_button)
        self.pages = QWidget()
        self.pages_layout = QVBoxLayout(self.pages)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.pages_layout.setSpacing(12)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages)
        self.scroll.setAccessibleName("Page preview")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)

    @property
    def pdf(self) -> Path | None:
        return self._pdf

    def page_count(self) -> int:
        """Return how many page images are shown."""
        return self.pages_layout.count()

    def clear(self) -> None:
        self._generation += 1
        self._pdf = None
        self._clear_pages()
        self.open_button.setEnabled(False)
        self.caption.setText("Generate a PDF report to preview it here.")

    def _clear_pages(self) -> None:
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def show_pdf(self, pdf: Path) -> None:
        """Render the pages of ``pdf`` in a worker and show them when ready."""
        if self._task is not None:
            self._task.cancel()
        self._generation += 1
        generation = self._generation
        self._pdf = Path(pdf)
        self._clear_pages()
        self.open_button.setEnabled(True)
        self.caption.setText(f"Rendering the pages of {self._pdf.name}…")
        out_dir = Path(self._folder.name) / f"run-{generation}"
        self._task = tasks.run_task(
            render_and_decode,
            self._pdf,
            out_dir,
            on_success=lambda outcome: self._on_rendered(generation, *outcome),
            on_failure=lambda exc: self._on_failed(generation, str(exc)),
        )

    def _on_rendered(self, generation: int, result: PagePreview, images: list[QImage]) -> None:
        if generation != self._generation:
            return  # a newer PDF replaced this one meanwhile
        self._task = None
        if not result.images:
            self._on_failed(generation, result.message)
            return
        for number, image in enumerate(images, start=1):
            label = QLabel()
            label.setPixmap(QPixmap.fromImage(image))
            label.setFrameShape(QLabel.Shape.Box)
            label.setToolTip(f"Page {number}")
            label.setAccessibleName(f"Page {number}")
            self.pages_layout.addWidget(label)
        shown = len(result.images)
        more = f" (first {shown} shown)" if shown < result.pages else ""
        self.caption.setText(f"{result.pdf.name}: {result.pages} pages{more}")
        self.pages_ready.emit(shown)

    def _on_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._task = None
        self.caption.setText(message)
        self.preview_failed.emit(message)

    def _on_open_button_clicked(self) -> None:
        if self._pdf is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self._pdf)))
