"""The two preferences the window needs before it paints, read without the validating model.

:mod:`app.support.preferences` validates the whole file with pydantic, whose import costs
about as much as Qt's; the window's first paint needs only the theme and the assessor's
name. This reads those two from the same file and, as the full model does, falls back to the
default of each one that is missing or of the wrong kind (and to both when the file is
missing or unreadable). tests/support/test_start_preferences.py holds the two readers to the
same answers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from app.support import paths

logger = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")
PREFERENCES_FILE = "preferences.json"
"""The preferences file's name in the user config folder (both readers use it)."""


@dataclass(frozen=True)
class StartPreferences:
    """The theme to paint in and who is working (empty when not set)."""

    theme: str = "system"
    assessor_name: str = ""


def load_start_preferences() -> StartPreferences:
    """Read the theme and the assessor's name; the defaults when the file is missing or bad."""
    path = paths.user_config_dir() / PREFERENCES_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return StartPreferences()
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable preferences %s: %s", path, exc)
        return StartPreferences()
    if not isinstance(data, dict):
        return StartPreferences()
    theme, name = data.get("theme"), data.get("assessor_name")
    return StartPreferences(
        theme=theme if theme in THEMES else StartPreferences.theme,
        assessor_name=name if isinstance(name, str) else StartPreferences.assessor_name,
    )
