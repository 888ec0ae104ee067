"""The engagement row (one per workspace)."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlmodel import Session

from app.storage.models import Engagement

logger = logging.getLogger(__name__)


class EngagementRepository:
    """Reads and writes the workspace's one engagement row.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def find(self) -> Engagement | None:
        """Return the engagement row, or None when none was recorded yet."""
        return self._session.execute(sa.select(Engagement).limit(1)).scalar_one_or_none()

    def find_or_add(self) -> Engagement:
        """Return the engagement row, adding an empty one first when there is none."""
        row = self.find()
        if row is None:
            row = Engagement()
            self._session.add(row)
        return row
