"""The unit of work: one transaction, who is acting in it, its journal and what it changed.

A service receives a :class:`UnitOfWork` and reaches the database only through the
repositories it hands out (one per aggregate, under :mod:`app.storage.repositories`). Every
change a service makes is journalled through :meth:`UnitOfWork.record`, which appends the
hash-chained journal entry in the same transaction and notes a :class:`Change` for whoever
shows the data (the window refreshes from these, not from guesses about what moved).

The unit also says what time it is (:meth:`UnitOfWork.now`): every stamp a service writes
and every journal entry takes its time from there. It is the real time, except in a unit
given a clock, which only the demo builder does, to record a fictitious engagement's
history at plausible past moments.

Repositories are created on first use and cached for the unit's lifetime, so a service that
calls another passes its unit on and both work in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlmodel import Session

from app.storage import journal
from app.storage.models import JournalEntry

logger = logging.getLogger(__name__)

RepositoryT = TypeVar("RepositoryT")


class ReadOnlyUnitError(RuntimeError):
    """A change was attempted through a unit opened for reading (a programming error)."""


@dataclass(frozen=True)
class Change:
    """One record a unit of work created, changed or deleted.

    Attributes:
        action: What was done, as ``area.verb`` (the journal's action, e.g. ``response.set``).
        entity: The kind of record (the journal's entity, e.g. ``response``).
        entity_id: Which record, as text (an external id where there is one).
    """

    action: str
    entity: str
    entity_id: str


class UnitOfWork:
    """One transaction on a workspace, the actor in it, its journal and its change records.

    Args:
        session: The transaction's session (from ``Database.write()`` or ``Database.read()``).
        actor: Who acts; written into every journal entry.
        writable: False for a unit that only reads; :meth:`record` then refuses.
        clock: Where the unit takes the time from; the real time when None (the demo
            builder alone passes one).
    """

    def __init__(
        self,
        session: Session,
        actor: str,
        *,
        writable: bool = True,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._session = session
        self.actor = actor
        self.writable = writable
        self._clock = clock
        self.changes: list[Change] = []
        self._repositories: dict[type[Any], Any] = {}

    @property
    def session(self) -> Session:
        """Return the session; for repositories only (services never use it)."""
        return self._session

    def now(self) -> dt.datetime:
        """Return the current time (timezone-aware, UTC) for stamps written in this unit."""
        if self._clock is None:
            return dt.datetime.now(dt.UTC)
        return self._clock().astimezone(dt.UTC)

    def repository(self, kind: Callable[[Session], RepositoryT]) -> RepositoryT:
        """Return this unit's repository of the given class, creating it on first use."""
        existing = self._repositories.get(kind)  # type: ignore[call-overload]
        if existing is None:
            existing = kind(self._session)
            self._repositories[kind] = existing  # type: ignore[index]
        return existing  # type: ignore[no-any-return]

    def record(
        self,
        action: str,
        entity: str,
        entity_id: str | int,
        *,
        before: Any = None,
        after: Any = None,
    ) -> JournalEntry:
        """Journal one change in this transaction and note it among the unit's changes.

        Args:
            action: What was done, as ``area.verb``.
            entity: The kind of record changed.
            entity_id: Which record.
            before: Its values before (None for a creation).
            after: Its values after (None for a deletion).

        Returns:
            The journal entry, flushed with its sequence number and hash.

        Raises:
            ReadOnlyUnitError: The unit was opened for reading.
        """
        self._refuse_if_read_only()
        entry = journal.record(
            self._session,
            actor=self.actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
            at=self.now(),
        )
        self.changes.append(Change(action, entity, str(entity_id)))
        return entry

    def record_many(self, changes: list[journal.Pending]) -> None:
        """Journal many changes in this transaction at once (one entry each, in order).

        Raises:
            ReadOnlyUnitError: The unit was opened for reading.
        """
        self._refuse_if_read_only()
        journal.record_many(self._session, actor=self.actor, changes=changes, at=self.now())
        self.changes.extend(Change(c.action, c.entity, str(c.entity_id)) for c in changes)

    def note_change(self, action: str, entity: str, entity_id: str | int) -> None:
        """Note a change that is derived rather than journalled (e.g. refreshed gap findings)."""
        self._refuse_if_read_only()
        self.changes.append(Change(action, entity, str(entity_id)))

    def flush(self) -> None:
        """Send pending changes to the database so later queries in the unit see them."""
        self._session.flush()

    def _refuse_if_read_only(self) -> None:
        if not self.writable:
            raise ReadOnlyUnitError("a change was attempted in a unit opened for reading")
