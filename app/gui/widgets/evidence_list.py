"""The evidence files linked to one answer: list, add, open, unlink, and drop files onto it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.services.evidence import EvidenceInfo

logger = logging.getLogger(__name__)

EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 1


def local_files(mime: QMimeData) -> list[Path]:
    """Return the local files (not folders) named by dropped or pasted data."""
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [path for path in paths if path.is_file()]


def size_text(size: int) -> str:
    """Return a file size for people: ``812 B``, ``14.2 KB``, ``3.1 MB``."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


class EvidenceList(QWidget):
    """Evidence of the current answer, with buttons and a drop target."""

    files_dropped = Signal(list)
    """Local file paths dropped onto the list or chosen with Add files."""
    add_requested = Signal()
    open_requested = Signal(int)
    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self._read_only = False
        self.list = QListWidget()
        self.list.setAccessibleName("Evidence files")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setMaximumHeight(110)
        self.list.setAcceptDrops(False)
        self.hint = QLabel("Drop files here or use Add files… to attach evidence.")
        self.hint.setObjectName("pageHint")
        self.add_button = QPushButton("Add files…")
        self.add_button.setToolTip("Store files in the workspace and link them to this answer")
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Open a copy of the selected evidence file")
        self.remove_button = QPushButton("Unlink")
        self.remove_button.setToolTip("Unlink the selected file from this answer (it stays stored)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        self.add_button.clicked.connect(self.add_requested)
        self.open_button.clicked.connect(self._emit_selected(self.open_requested))
        self.remove_button.clicked.connect(self._emit_selected(self.remove_requested))
        self.list.itemActivated.connect(
            lambda item: self.open_requested.emit(int(item.data(EVIDENCE_ROLE)))
        )
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self._update_buttons()

    def _emit_selected(self, signal: Signal):  # noqa: ANN202 - a slot factory
        def emit() -> None:
            evidence_id = self.selected_evidence()
            if evidence_id is not None:
                signal.emit(evidence_id)

        return emit

    def set_evidence(self, items: Sequence[EvidenceInfo]) -> None:
        self.list.clear()
        for info in items:
            item = QListWidgetItem(f"{info.file_name}  ·  {size_text(info.size)}")
            item.setData(EVIDENCE_ROLE, info.id)
            collected = info.collected_at.date().isoformat() if info.collected_at else "?"
            item.setToolTip(
                f"{info.file_name} ({info.media_type})\nSHA-256 {info.sha256}\n"
                f"Collected {collected} by {info.collected_by or 'unknown'}"
                + (f"\n{info.description}" if info.description else "")
            )
            self.list.addItem(item)
        self.list.setVisible(bool(items))
        self._update_buttons()

    def file_names(self) -> list[str]:
        return [self.list.item(i).text().split("  ·  ")[0] for i in range(self.list.count())]

    def selected_evidence(self) -> int | None:
        item = self.list.currentItem()
        return int(item.data(EVIDENCE_ROLE)) if item is not None else None

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        self.hint.setVisible(not read_only)
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.list.currentItem() is not None
        self.add_button.setEnabled(not self._read_only)
        self.remove_button.setEnabled(selected and not self._read_only)
        self.open_button.setEnabled(selected)

    # Drag and drop ------------------------------------------------------------------------
    def drop_mime_data(self, mime: QMimeData) -> bool:
        """Take the files named by ``mime`` as new evidence; the path a real drop takes."""
        files = local_files(mime)
        if self._read_only or not files:
            return False
        self.files_dropped.emit(files)
        return True

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self._read_only and local_files(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        if self.drop_mime_data(event.mimeData()):
            event.acceptProposedAction()
