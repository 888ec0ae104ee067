"""The journal read as a feed of changes: its head, and what was written after a point."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage.models import JournalEntry
from app.storage.unit_of_work import Change

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JournalFeedRepository:
    """Reads the journal's newest entries as change records (never their values)."""

    _session: Session

    def head(self) -> int:
        """Return the sequence number of the newest entry (0 for an empty journal)."""
        newest = self._session.execute(sa.select(sa.func.max(col(JournalEntry.seq)))).scalar()
        return int(newest or 0)

    def since(self, seq: int, limit: int) -> list[tuple[int, Change]]:
        """Return at most ``limit`` entries after ``seq``, oldest first, as numbered changes."""
        rows = self._session.execute(
            sa.select(
                col(JournalEntry.seq),
                col(JournalEntry.action),
                col(JournalEntry.entity),
                col(JournalEntry.entity_id),
            )
            .where(col(JournalEntry.seq) > seq)
            .order_by(col(JournalEntry.seq))
            .limit(limit)
        ).all()
        return [(row[0], Change(row[1], row[2], row[3])) for row in rows]
