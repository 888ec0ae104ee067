"""Workspace-wide settings (hygiene thresholds, report branding), stored in the workspace.

These travel with the workspace file, unlike the user's preferences in
``app.support.preferences``.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from sqlmodel import Session, select

from app.services.errors import UserError
from app.services.unit import reads
from app.services.workspace import Workspace
from app.storage import journal
from app.storage.models import WorkspaceSetting
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
    row = uow.session.get(WorkspaceSetting, key)
    return copy.deepcopy(DEFAULT_WORKSPACE_SETTINGS[key]) if row is None else row.value


def all_workspace_settings(workspace: Workspace) -> dict[str, Any]:
    """Return every workspace setting with stored values over defaults."""
    values = copy.deepcopy(DEFAULT_WORKSPACE_SETTINGS)
    with workspace.db.read() as session:
        for row in session.exec(select(WorkspaceSetting)).all():
            if row.key in values:
                values[row.key] = row.value
    return values


def set_workspace_setting(workspace: Workspace, key: str, value: Any) -> None:
    """Store a workspace setting and journal the change.

    Raises:
        UserError: The key is unknown or the value has the wrong type.
    """
    if key not in DEFAULT_WORKSPACE_SETTINGS:
        raise UserError(f"unknown workspace setting {key!r}")
    default = DEFAULT_WORKSPACE_SETTINGS[key]
    if not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(default, bool):
        raise UserError(f"setting {key} takes a {type(default).__name__}, not {value!r}")
    with workspace.db.write() as session:
        before = store_setting_in(session, key, value)
        journal.record(
            session,
            actor=workspace.actor,
            action="setting.set",
            entity="workspace_setting",
            entity_id=key,
            before=before,
            after=value,
        )


def store_setting_in(session: Session, key: str, value: Any) -> Any:
    """Store a workspace setting row in the caller's write session; return its previous value.

    The caller journals the change in the same transaction.
    """
    row = session.get(WorkspaceSetting, key)
    if row is None:
        session.add(WorkspaceSetting(key=key, value=value))
        return None
    before = row.value
    row.value = value
    return before
