"""Workspace-wide settings (hygiene thresholds, report branding), stored in the workspace.

These travel with the workspace file, unlike the user's preferences in
``app.support.preferences``.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from app.services.errors import UserError
from app.services.unit import reads, writes
from app.storage.repositories.settings import SettingsRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

DEFAULT_WORKSPACE_SETTINGS: dict[str, Any] = {
    "hygiene.rotation_days": 90,
    "hygiene.unused_days": 90,
    "hygiene.max_delegation_depth": 3,
    "hygiene.max_credential_age_days": 365,
    "evidence.max_file_mb": 100,
    "branding.organisation": "",
    "branding.logo_path": "",
    "branding.primary_colour": "#1f3a5f",
    "branding.accent_colour": "#c8102e",
    "branding.cover_text": "",
    "branding.disclaimer": (
        "This report reflects the state of the assessed AI system as observed during the "
        "assessment period, based on the information and evidence provided."
    ),
}


@reads
def get_workspace_setting(uow: UnitOfWork, key: str) -> Any:
    """Return a workspace setting, or its default when it was never set.

    Raises:
        UserError: The key is not a known setting.
    """
    if key not in DEFAULT_WORKSPACE_SETTINGS:
        raise UserError(f"unknown workspace setting {key!r}")
    row = uow.repository(SettingsRepository).find(key)
    return copy.deepcopy(DEFAULT_WORKSPACE_SETTINGS[key]) if row is None else row.value


@reads
def all_workspace_settings(uow: UnitOfWork) -> dict[str, Any]:
    """Return every workspace setting with stored values over defaults."""
    values = copy.deepcopy(DEFAULT_WORKSPACE_SETTINGS)
    for key, value in uow.repository(SettingsRepository).values().items():
        if key in values:
            values[key] = value
    return values


@writes
def set_workspace_setting(uow: UnitOfWork, key: str, value: Any) -> None:
    """Store a workspace setting and journal the change.

    Raises:
        UserError: The key is unknown or the value has the wrong type.
    """
    if key not in DEFAULT_WORKSPACE_SETTINGS:
        raise UserError(f"unknown workspace setting {key!r}")
    default = DEFAULT_WORKSPACE_SETTINGS[key]
    if not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(default, bool):
        raise UserError(f"setting {key} takes a {type(default).__name__}, not {value!r}")
    before = uow.repository(SettingsRepository).store(key, value)
    uow.record("setting.set", "workspace_setting", key, before=before, after=value)
