"""Applied inventory imports (``import_run`` rows) and the journal entries an import reads."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from app.storage.models import ImportRun, JournalEntry
from app.storage.repositories.base import Repository

logger = logging.getLogger(__name__)


class ImportRunRepository(Repository):
    """Reads and adds ``import_run`` rows; reads the journal entries that matter to an import."""

    def find(self, run_id: int) -> ImportRun | None:
        """Return one applied import, or None."""
        return self._session.get(ImportRun, run_id)

    def latest_ids(self, limit: int) -> list[int]:
        """Return the ids of the latest applied imports, newest first."""
        query = sa.select(col(ImportRun.id)).order_by(col(ImportRun.id).desc()).limit(limit)
        return [int(run_id) for run_id in self._session.execute(query).scalars() if run_id]

    def latest(self, limit: int) -> list[dict[str, Any]]:
        """Return the latest applied imports, newest first, without their snapshots."""
        rows = self._session.execute(
            sa.select(
                col(ImportRun.id),
                col(ImportRun.file_name),
                col(ImportRun.file_sha256),
                col(ImportRun.format),
                col(ImportRun.actor),
                col(ImportRun.applied_at),
                col(ImportRun.summary),
            )
            .order_by(col(ImportRun.id).desc())
            .limit(limit)
        ).all()
        return [dict(row._mapping) for row in rows]

    def add(self, run: ImportRun) -> ImportRun:
        """Add an applied import and flush it, so it has its id."""
        self._session.add(run)
        self._session.flush()
        return run

    def journal_seq(self) -> int:
        """Return the sequence number of the journal's last entry (0 when it is empty)."""
        seq = self._session.execute(sa.select(sa.func.max(col(JournalEntry.seq)))).scalar()
        return int(seq or 0)

    def last_entry(self, action: str) -> tuple[int, dict[str, Any]] | None:
        """Return the sequence number and ``after`` values of the last entry of an action."""
        row = self._session.execute(
            sa.select(col(JournalEntry.seq), col(JournalEntry.after))
            .where(col(JournalEntry.action) == action)
            .order_by(col(JournalEntry.seq).desc())
            .limit(1)
        ).first()
        return (int(row[0]), dict(row[1] or {})) if row else None

    def entries_after(self, action: str, seq: int) -> list[tuple[str, str, Any]]:
        """Return ``(entity, entity id, after)`` of an action's entries after a sequence number."""
        rows = self._session.execute(
            sa.select(
                col(JournalEntry.entity), col(JournalEntry.entity_id), col(JournalEntry.after)
            ).where(col(JournalEntry.action) == action, col(JournalEntry.seq) > seq)
        ).all()
        return [(str(entity), str(entity_id), after) for entity, entity_id, after in rows]
