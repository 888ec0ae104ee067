"""The look of the app: Fusion style, light/dark/system colour scheme, a small style sheet."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from app.domain.enums import RiskTier, Severity

logger = logging.getLogger(__name__)

GOOD = "#2e7d32"
"""Text colour of a good outcome (a valid signature, an improvement, a check passed)."""
BAD = "#c62828"
"""Text colour of a bad outcome (an error, a worsening, something overdue)."""
WARNING = "#b26a00"
"""Text colour of a warning."""
SEVERITY_COLOURS: dict[str, str] = {
    Severity.CRITICAL: "#b71c1c",
    Severity.HIGH: "#e65100",
    Severity.MEDIUM: "#8a6d00",
    Severity.LOW: "#2e7d32",
}
"""The colour of each finding severity, wherever the window shows one."""
#: Grey of a value that is not recorded: unknown, never the lowest value.
UNKNOWN_COLOUR = "#757575"
#: What the window shows for a value that is not recorded.
UNKNOWN_TEXT = "unknown"
TIER_TEXT_COLOURS: dict[RiskTier | None, str] = {
    RiskTier.LOW: "#2e7d32",
    RiskTier.MODERATE: "#8d6e00",
    RiskTier.HIGH: "#e65100",
    RiskTier.CRITICAL: "#c62828",
    None: UNKNOWN_COLOUR,
}
"""The text colour of each risk tier; None (unknown: not recorded) is grey."""

_SCHEMES = {
    "system": Qt.ColorScheme.Unknown,
    "light": Qt.ColorScheme.Light,
    "dark": Qt.ColorScheme.Dark,
}

STYLE_SHEET = """
QListWidget#navigation {
    border: none;
    padding-top: 8px;
    font-size: 11pt;
    background: palette(alternate-base);
}
QListWidget#navigation::item { padding: 9px 14px; border-radius: 4px; margin: 1px 6px; }
QListWidget#navigation::item:selected {
    background: palette(highlight);
    color: palette(highlighted-text);
}
QLabel#pageHeading { font-size: 16pt; font-weight: 600; }
QLabel#pageHint { color: palette(placeholder-text); }
QFrame#tile { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }
QLabel#tileNumber { font-size: 22pt; font-weight: 600; }
QPushButton#primary { font-weight: 600; padding: 6px 16px; }
"""


def apply_theme(app: QApplication, theme: str) -> None:
    """Apply Fusion, the colour scheme named by ``theme`` and Assay's style sheet.

    The style and the style sheet are set only when they differ: replacing the style object
    makes Qt re-polish every existing widget, which is slow and needless when only the colour
    scheme changes.
    """
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    scheme = _SCHEMES.get(theme, Qt.ColorScheme.Unknown)
    hints = QGuiApplication.styleHints()
    if scheme == Qt.ColorScheme.Unknown:
        hints.unsetColorScheme()
    else:
        hints.setColorScheme(scheme)
    if app.styleSheet() != STYLE_SHEET:
        app.setStyleSheet(STYLE_SHEET)
    logger.debug("theme %s applied", theme)
