"""What a report reads beside the other aggregates: journal head, owners, providers, kinds.

The report services read answers, findings and inventory through their own services; the few
facts only a report needs (and the revocation data cached for signing) are read here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from app.storage.models import AISystem, Identity, JournalEntry, Person, Resource, WorkspaceSetting

logger = logging.getLogger(__name__)


class ReportDataRepository:
    """Reads the facts a report prints that no other aggregate's service returns.

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def journal_head(self) -> tuple[int, str]:
        """Return the newest journal entry's sequence number and hash; ``(0, "")`` when none."""
        row = self._session.execute(
            sa.select(col(JournalEntry.seq), col(JournalEntry.hash))
            .order_by(col(JournalEntry.seq).desc())
            .limit(1)
        ).first()
        return (0, "") if row is None else (int(row[0]), str(row[1]))

    def system_owner(self, system_id: int) -> tuple[str, str]:
        """Return the name and e-mail of an AI system's owner (blank when none is recorded)."""
        row = self._session.execute(
            sa.select(col(Person.name), col(Person.email))
            .join(AISystem, col(AISystem.owner_id) == col(Person.id))
            .where(col(AISystem.id) == system_id)
        ).first()
        return ("", "") if row is None else (row[0] or "", row[1] or "")

    def identity_providers(self, external_ids: Iterable[str]) -> dict[str, str]:
        """Return the provider of each identity, by external id."""
        rows = self._session.execute(
            sa.select(col(Identity.external_id), col(Identity.provider)).where(
                col(Identity.external_id).in_(list(external_ids))
            )
        ).all()
        return {str(ext): str(provider or "") for ext, provider in rows}

    def resource_kinds(self, external_ids: Iterable[str]) -> dict[str, str]:
        """Return the kind of each resource, by external id."""
        rows = self._session.execute(
            sa.select(col(Resource.external_id), col(Resource.kind)).where(
                col(Resource.external_id).in_(list(external_ids))
            )
        ).all()
        return {str(ext): str(kind or "") for ext, kind in rows}


class StoredValueRepository:
    """Reads and stores one workspace setting's value (e.g. the cached revocation data).

    Args:
        session: The unit of work's session.
    """

    def __init__(self, session: Session) -> None:
        self._session = session

    def value(self, key: str) -> Any:
        """Return the setting's value, or None when it is not stored."""
        row = self._session.get(WorkspaceSetting, key)
        return None if row is None else row.value

    def store(self, key: str, value: Any) -> None:
        """Store the setting's value (the caller journals the change)."""
        row = self._session.get(WorkspaceSetting, key)
        if row is None:
            self._session.add(WorkspaceSetting(key=key, value=value))
        else:
            row.value = value
