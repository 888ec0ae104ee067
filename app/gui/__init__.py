"""The desktop application: the only package that imports Qt."""

import PySide6.QtCore  # noqa: F401 - loaded first, so its import hook can be tamed at once

from app.gui.qt_imports import skip_source_scan

skip_source_scan()
