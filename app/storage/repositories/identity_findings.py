"""The findings the identity rules keep up to date (source ``identity-rule``), in bulk."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from app.storage import own_schema
from app.storage.models import Finding, WorkspaceSetting
from app.storage.repositories.base import Repository
from app.storage.repositories.row_insert import insert_values

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

    def count_unresolved(self, source: str, resolved: str) -> int:
        """Return how many findings of a source are not in the ``resolved`` status."""
        query = sa.select(sa.func.count()).where(
            col(Finding.source) == source, col(Finding.status) != resolved
        )
        return int(self._session.connection().execute(query).scalar_one())

    def insert(
        self, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], shared: dict[str, Any]
    ) -> None:
        """Insert new findings given as ``columns`` values; each also takes the ``shared`` ones.

        Values are as stored (references as their JSON text); the other columns take their
        defaults. Rows about as many as the table holds have its indexes built once, after.
        """
        insert_values(self._session, Finding, columns, rows, shared, expected=len(rows))

    def update(self, rows: list[dict[str, Any]]) -> None:
        """Update findings by ``id`` from column → value dictionaries."""
        if rows:
            self._session.execute(sa.update(Finding), rows)


#: The tables an identity findings refresh reads or writes (triggers of migration 0010 count
#: their updates and deletions in ``change_count``).
_WATCHED = own_schema.COUNTED_TABLES
_INPUTS_KEY = "derived:identity-refresh"
_FILE_TRIGGERS = (
    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'change_count_%'"
)
#: On a server one statement trigger per table counts both updates and deletions.
_SERVER_TRIGGERS = (
    "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'change_count_%'"
)


class RefreshInputsRepository(Repository):
    """What an identity findings refresh read, in a form that is cheap to read again.

    The state is each watched table's row count and largest row id, which every insert moves,
    and the count of updates and deletions the triggers of migration 0010 keep, whoever
    writes. Reading it costs a few index look-ups, not a read of the inventory.
    """

    def state(self) -> list[Any] | None:
        """Return the state of the watched tables, or None when a trigger is missing.

        A table rebuilt by a later schema change loses its triggers; without them a change
        could go unseen, so no state is given and every refresh does the whole work.
        """
        conn = self._session.connection()
        server = conn.dialect.name == "postgresql"
        triggers = conn.execute(
            sa.text(_SERVER_TRIGGERS if server else _FILE_TRIGGERS)
        ).scalar_one()
        own = own_schema.server_triggers() if server else own_schema.file_triggers()
        if triggers != len(own):
            logger.warning("change count triggers: %d present", triggers)
            return None
        parts = ["(SELECT changes FROM change_count WHERE id = 1)"]
        for table in _WATCHED:
            parts.append(f"(SELECT count(*) FROM {table})")
            if not server:  # a server's rows have no rowid; the count and the changes suffice
                parts.append(f"(SELECT max(rowid) FROM {table})")
        return list(conn.execute(sa.text("SELECT " + ", ".join(parts))).one())

    def last(self) -> str | None:
        """Return what the last refresh stored with :meth:`remember`, or None."""
        row = self._session.get(WorkspaceSetting, _INPUTS_KEY)
        value = row.value if row is not None else None
        return str(value["inputs"]) if isinstance(value, dict) and "inputs" in value else None

    def remember(self, inputs: str) -> None:
        """Store the inputs of the refresh just made (bookkeeping, not journalled)."""
        row = self._session.get(WorkspaceSetting, _INPUTS_KEY)
        if row is None:
            self._session.add(WorkspaceSetting(key=_INPUTS_KEY, value={"inputs": inputs}))
        else:
            row.value = {"inputs": inputs}
        self._session.flush()
