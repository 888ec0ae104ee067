"""The journal as ``assay check`` and the anchor read it, and the workspace's random id."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage import journal
from app.storage.models import JournalEntry, WorkspaceSetting

logger = logging.getLogger(__name__)

#: The workspace setting holding the random id that names the workspace's anchor record.
WORKSPACE_ID_KEY = "workspace-id"

#: One journal entry as replay reads it: entity, entity id, before, after, action.
EntryValues = tuple[str, str, Any, Any, str]


class JournalRepository:
    """Reads the hash-chained journal (entries are only ever appended, by the unit of work).

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def verify_chain(self) -> journal.ChainReport:
        """Return the verdict on the whole hash chain."""
        return journal.verify_chain(self._session)

    def head(self) -> tuple[int, str] | None:
        """Return the newest entry's sequence number and hash, or None for an empty journal."""
        row = self._session.execute(
            sa.select(col(JournalEntry.seq), col(JournalEntry.hash))
            .order_by(col(JournalEntry.seq).desc())
            .limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else None

    def hash_at(self, seq: int) -> str | None:
        """Return the hash stored for entry ``seq``, or None when there is no such entry."""
        found = self._session.execute(
            sa.select(col(JournalEntry.hash)).where(col(JournalEntry.seq) == seq)
        ).scalar_one_or_none()
        return None if found is None else str(found)

    def last_entry(self, entity: str, entity_id: str, action: str) -> JournalEntry | None:
        """Return the newest entry of ``action`` on one record, if any."""
        return self._session.execute(
            sa.select(JournalEntry)
            .where(
                col(JournalEntry.entity) == entity,
                col(JournalEntry.entity_id) == entity_id,
                col(JournalEntry.action) == action,
            )
            .order_by(col(JournalEntry.seq).desc())
            .limit(1)
        ).scalar_one_or_none()

    def entries_about(self, entities: Iterable[str]) -> list[EntryValues]:
        """Return the entries naming these kinds of record, oldest first."""
        rows = self._session.execute(
            sa.select(
                col(JournalEntry.entity),
                col(JournalEntry.entity_id),
                col(JournalEntry.before),
                col(JournalEntry.after),
                col(JournalEntry.action),
            )
            .where(col(JournalEntry.entity).in_(list(entities)))
            .order_by(col(JournalEntry.seq))
        )
        return [(str(e), str(i), before, after, str(a)) for e, i, before, after, a in rows]

    def workspace_id(self) -> Any:
        """Return the stored value of the workspace's random id (None when it has none)."""
        row = self._session.get(WorkspaceSetting, WORKSPACE_ID_KEY)
        return None if row is None else row.value

    def add_workspace_id(self, value: str) -> bool:
        """Store the workspace's random id unless one is there; return True when stored."""
        if self._session.get(WorkspaceSetting, WORKSPACE_ID_KEY) is not None:
            return False
        self._session.add(WorkspaceSetting(key=WORKSPACE_ID_KEY, value=value))
        return True
