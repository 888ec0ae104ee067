"""Marks of work owed: a report being published, a refresh an import left to do.

A mark is a workspace setting whose key starts with :data:`PENDING_PREFIX`; it is
bookkeeping, not journalled.
"""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage.models import WorkspaceSetting

logger = logging.getLogger(__name__)

PENDING_PREFIX = "pending:"


class PendingRepository:
    """Reads and writes the marks of work owed.

    Args:
        session: The unit of work's session (or, until its caller moves onto a unit, a write
            session of the caller).
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def mark(self, key: str, value: dict[str, Any]) -> None:
        """Record (or replace) the mark ``key``."""
        row = self._session.get(WorkspaceSetting, key)
        if row is None:
            self._session.add(WorkspaceSetting(key=key, value=value))
        else:
            row.value = value
        self._session.flush()

    def clear(self, key: str) -> None:
        """Remove the mark ``key`` (nothing happens when there is none)."""
        self._session.execute(sa.delete(WorkspaceSetting).where(col(WorkspaceSetting.key) == key))

    def marks(self) -> dict[str, dict[str, Any]]:
        """Return every mark, by key (a value that is not a mapping reads as empty)."""
        rows = self._session.execute(
            sa.select(col(WorkspaceSetting.key), col(WorkspaceSetting.value)).where(
                col(WorkspaceSetting.key).startswith(PENDING_PREFIX)
            )
        ).all()
        return {str(key): value if isinstance(value, dict) else {} for key, value in rows}
