"""Where Assay's files live: bundled data folders and the user's writable folders.

Bundled folders (``assessments/``, ``templates/``, ``resources/``) sit beside the ``app``
package in a checkout and inside ``sys._MEIPASS`` in a PyInstaller bundle. Writable folders
come from platformdirs, unless ``ASSAY_HOME`` redirects them all to one folder (tests and
portable installs use that).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app import APP_AUTHOR, APP_NAME

if TYPE_CHECKING:
    from platformdirs import PlatformDirs

logger = logging.getLogger(__name__)

HOME_ENV = "ASSAY_HOME"
WORKSPACE_SUFFIX = ".assay"
PACKAGE_SUFFIX = ".assaypkg"
"""The name ending of a hand-out or hand-back package."""
DEFAULT_WORKSPACE_NAME = "default" + WORKSPACE_SUFFIX


def bundle_root() -> Path:
    """Return the folder holding ``assessments/``, ``templates/`` and ``resources/``."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parents[2]


def assessments_dir() -> Path:
    """Return the folder of shipped questionnaire files."""
    return bundle_root() / "assessments"


def templates_dir() -> Path:
    """Return the folder of report templates."""
    return bundle_root() / "templates"


def resources_dir() -> Path:
    """Return the folder of icons, fonts and sample files."""
    return bundle_root() / "resources"


def _home_override() -> Path | None:
    value = os.environ.get(HOME_ENV)
    return Path(value).expanduser() if value else None


def _platform_dirs() -> PlatformDirs:
    from platformdirs import PlatformDirs

    return PlatformDirs(APP_NAME, APP_AUTHOR)


def user_data_dir() -> Path:
    """Return (and create) the folder for workspaces and exports."""
    home = _home_override()
    path = home / "data" if home else _platform_dirs().user_data_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_config_dir() -> Path:
    """Return (and create) the folder for preferences."""
    home = _home_override()
    path = home / "config" if home else _platform_dirs().user_config_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_log_dir() -> Path:
    """Return (and create) the folder for log files."""
    home = _home_override()
    path = home / "logs" if home else _platform_dirs().user_log_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def user_state_dir() -> Path:
    """Return (and create) the folder for state kept between runs (journal anchors)."""
    home = _home_override()
    path = home / "state" if home else _platform_dirs().user_state_path
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_workspace_path() -> Path:
    """Return the path of the workspace used when none is named."""
    return user_data_dir() / DEFAULT_WORKSPACE_NAME
