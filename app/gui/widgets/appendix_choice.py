"""The appendices a PDF report prints: one check box per appendix, defaults per audience."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QCheckBox, QGridLayout, QWidget

from app.services.reporting import APPENDICES, DEFAULT_APPENDICES

logger = logging.getLogger(__name__)


class AppendixChoice(QWidget):
    """Check boxes for the report's appendices; :meth:`use_profile` ticks a profile's default."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Appendices")
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes: dict[str, QCheckBox] = {}
        for n, (key, title) in enumerate(APPENDICES.items()):
            box = QCheckBox(title)
            box.setAccessibleName(f"Appendix {title}")
            layout.addWidget(box, n // 2, n % 2)
            self.boxes[key] = box
        self.use_profile("internal")

    def use_profile(self, profile: str) -> None:
        """Tick the appendices the profile prints by default and clear the others."""
        chosen = DEFAULT_APPENDICES.get(profile, ())
        for key, box in self.boxes.items():
            box.setChecked(key in chosen)

    def chosen(self) -> tuple[str, ...]:
        """Return the ticked appendices, in print order."""
        return tuple(key for key, box in self.boxes.items() if box.isChecked())
