"""Load the app's SVG icons from ``resources/icons`` (sharp at any DPI: Qt renders SVG)."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

from app.support.paths import resources_dir

logger = logging.getLogger(__name__)


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


@cache
def icon(name: str) -> QIcon:
    """Return the icon ``name`` (an empty icon, logged, when the file is missing)."""
    path = icon_path(name)
    if not path.exists():
        logger.warning("missing icon %s", path)
        return QIcon()
    return QIcon(str(path))
