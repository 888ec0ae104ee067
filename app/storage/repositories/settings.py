"""Workspace setting rows (hygiene thresholds, branding, caches, marks of work owed)."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from app.storage.models import WorkspaceSetting
from app.storage.repositories.base import Repository

logger = logging.getLogger(__name__)


class SettingsRepository(Repository):
    """Reads and writes the ``workspace_setting`` rows, one JSON value per key."""

    def find(self, key: str) -> WorkspaceSetting | None:
        """Return the row of one setting, or None when it was never stored."""
        return self._session.get(WorkspaceSetting, key)

    def values(self) -> dict[str, Any]:
        """Return every stored setting's value, by key."""
        rows = self._session.execute(
            sa.select(col(WorkspaceSetting.key), col(WorkspaceSetting.value))
        )
        return {str(key): value for key, value in rows}

    def store(self, key: str, value: Any) -> Any:
        """Store a setting's value; return its previous value (None when it was new)."""
        row = self.find(key)
        if row is None:
            self._session.add(WorkspaceSetting(key=key, value=value))
            return None
        before = row.value
        row.value = value
        return before
