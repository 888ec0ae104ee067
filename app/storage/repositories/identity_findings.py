"""The findings the identity rules keep up to date (source ``identity-rule``), in bulk."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from app.storage.models import Finding
from app.storage.repositories.base import Repository

logger = logging.getLogger(__name__)


class RuleFindingsRepository(Repository):
    """Reads and writes the findings of one source with executemany statements."""

    def stored(self, source: str, compared: Sequence[str]) -> dict[str, tuple[Any, ...]]:
        """Return the findings of a source by key, as ``(id, key, status, *compared)``.

        References are returned as their stored JSON text, which avoids decoding every row (a
        cast, since a server's driver would otherwise decode its JSON column).
        """
        columns = [
            sa.cast(col(Finding.references), sa.Text)
            if name == "references"
            else getattr(Finding, name)
            for name in compared
        ]
        query = sa.select(col(Finding.id), col(Finding.key), col(Finding.status), *columns).where(
            col(Finding.source) == source
        )
        rows = self._session.connection().execute(query).all()
        return {str(row[1]): tuple(row) for row in rows}

    def insert(self, rows: list[dict[str, Any]]) -> None:
        """Insert findings given as column → value dictionaries."""
        if rows:
            self._session.execute(sa.insert(Finding), rows)

    def update(self, rows: list[dict[str, Any]]) -> None:
        """Update findings by ``id`` from column → value dictionaries."""
        if rows:
            self._session.execute(sa.update(Finding), rows)
