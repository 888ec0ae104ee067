"""What an import writes, worked out from its diff; the bulk SQL is the repository's.

:class:`InventoryWriter` turns an :class:`~app.ingest.diff.InventoryDiff` into rows and hands
them to :class:`~app.storage.repositories.inventory_bulk.InventoryBulkRepository` inside the
unit's transaction; :func:`load_existing` reads the inventory in the form the diff compares with.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

from app.domain.record_kinds import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.ingest.diff import NO_OWNER_COLUMN, Existing, InventoryDiff, Owner, owner_of
from app.ingest.records import Record
from app.services.progress import Progress, check_cancelled
from app.storage.repositories.inventory_bulk import (
    COLUMNS,
    InventoryBulkRepository,
    column_defaults,
)
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

_TIMESTAMPED = (SYSTEMS, IDENTITIES)
_OWNED = (SYSTEMS, IDENTITIES)


def load_existing(uow: UnitOfWork) -> Existing:
    """Read the workspace's inventory into the plain form the diff compares with."""
    stored = uow.repository(InventoryBulkRepository).load()
    return Existing(stored.records, stored.links, stored.protected_systems)


_UNSEEN = object()  # a record whose owner was not looked up yet


class InventoryWriter:
    """Writes an :class:`InventoryDiff` with bulk statements in the unit's transaction.

    Args:
        uow: The unit of work of the import.
        now: The time stamped on created and updated rows.
        progress: Receives progress; checked for cancellation between steps.
    """

    def __init__(self, uow: UnitOfWork, now: dt.datetime, progress: Progress | None) -> None:
        self.rows, self.now, self.progress = uow.repository(InventoryBulkRepository), now, progress
        self.people_created = 0
        self.links_created = 0
        self.deleted: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        #: The owner each created or re-owned record names, by the record's id(): found once
        #: while the people are written, used again when the record's row is built.
        self.targets: dict[int, Owner | None | object] = {}

    def _step(self, fraction: float, message: str) -> None:
        check_cancelled(self.progress)
        if self.progress is not None:
            self.progress.report(fraction, message)

    def write(self, diff: InventoryDiff, *, delete_missing: bool) -> None:
        """Write creates, updates, links and (when asked) deletions."""
        self.names = diff.owners
        self._step(0.0, "Writing owners")
        self._people(diff)
        for number, entity in enumerate((RESOURCES, IDENTITIES, SYSTEMS)):
            self._step(0.1 + 0.2 * number, f"Writing {entity}")
            self._insert_new(entity, diff.entities[entity].creates)
            self._update(entity, diff)
        ids = {e: self.rows.external_ids(e) for e in (SYSTEMS, IDENTITIES, RESOURCES)}
        self._step(0.7, "Writing links, grants and delegations")
        systems, identities = ids[SYSTEMS], ids[IDENTITIES]
        links = ((systems[k.system], identities[k.identity]) for k in diff.link_creates)
        self.rows.insert("links", _LINK_COLUMNS, links, defaults=False)
        self.links_created = len(diff.link_creates)
        self.rows.insert(GRANTS, _GRANT_COLUMNS, _grant_rows(diff.entities[GRANTS].creates, ids))
        self._update(GRANTS, diff)
        delegations = ((identities[r.key[0]], identities[r.key[1]], r.key[2], r.attributes)
                       for r in diff.entities[DELEGATIONS].creates)  # fmt: skip
        self.rows.insert(DELEGATIONS, _DELEGATION_COLUMNS, delegations, defaults=False)
        self._update(DELEGATIONS, diff)
        if delete_missing:
            self._step(0.9, "Deleting records missing from the file")
            self._delete(diff, ids)

    def _people(self, diff: InventoryDiff) -> None:
        names: dict[int, str] = {}
        for row_id, email, name in self.rows.people():
            names[row_id] = name
            if email:
                self.by_email[email] = row_id
            self.by_name.setdefault((name or "").casefold(), row_id)
        new: dict[str, dict[str, Any]] = {}
        renames: dict[int, str] = {}
        for owner in self._owners(diff):
            if owner.email:
                known = self.by_email.get(owner.email)
                if known is None:
                    new.setdefault(owner.email, {"name": owner.name, "email": owner.email})
                elif owner.name and names.get(known) != owner.name:
                    renames[known] = owner.name
            elif owner.name.casefold() not in self.by_name:
                new.setdefault("\0" + owner.name.casefold(), {"name": owner.name, "email": None})
        people = [(person["name"], person["email"]) for person in new.values()]
        self.rows.insert("people", ("name", "email"), people)
        self.rows.rename_people(renames)
        self.people_created = len(new)
        if new:
            for row_id, email, name in self.rows.people():
                if email:
                    self.by_email[email] = row_id
                self.by_name.setdefault((name or "").casefold(), row_id)

    def _owners(self, diff: InventoryDiff) -> list[Owner]:
        owners = []
        for entity in _OWNED:
            changed = [c.record for c in diff.entities[entity].updates if "owner" in c.changes]
            for record in diff.entities[entity].creates + changed:
                target = self.targets[id(record)] = owner_of(record, self.names)
                if isinstance(target, Owner):
                    owners.append(target)
        return owners

    def _owner_id(self, record: Record) -> int | None | object:
        target = self.targets.pop(id(record), _UNSEEN)
        if target is _UNSEEN:
            target = owner_of(record, self.names)
        if target is NO_OWNER_COLUMN:
            return NO_OWNER_COLUMN
        if not isinstance(target, Owner):
            return None
        if target.email:
            return self.by_email[target.email]
        return self.by_name.get(target.name.casefold())

    def _insert_new(self, entity: str, records: list[Record]) -> None:
        """Insert new systems, identities or resources, each row a plain tuple."""
        names = COLUMNS[entity]
        columns: tuple[str, ...] = ("external_id", *names, "attributes")
        rows = _new_rows(records, names, column_defaults(entity))
        if entity in _OWNED:
            columns, rows = (*columns, "owner_id"), self._with_owners(records, rows)
        stamps = dict.fromkeys(("created_at", "updated_at"), self.now)
        self.rows.insert(
            entity, columns, rows, constants=stamps if entity in _TIMESTAMPED else None
        )

    def _with_owners(
        self, records: list[Record], rows: Iterator[tuple[Any, ...]]
    ) -> Iterator[tuple[Any, ...]]:
        """Yield each record's row followed by its owner's row id."""
        owner_id = self._owner_id
        for record, row in zip(records, rows, strict=True):
            owner = owner_id(record)
            yield (*row, None if owner is NO_OWNER_COLUMN else owner)

    def _update(self, entity: str, diff: InventoryDiff) -> None:
        rows = []
        for change in diff.entities[entity].updates:
            row: dict[str, Any] = {"id": change.row_id}
            for name, (_old, new) in change.changes.items():
                if name in COLUMNS[entity]:
                    row[name] = new
            if "attributes" in change.changes:
                row["attributes"] = change.changes["attributes"][1]
            if "owner" in change.changes:
                row["owner_id"] = self._owner_id(change.record)
            if entity in _TIMESTAMPED:
                row["updated_at"] = self.now
            rows.append(row)
        self.rows.update(entity, rows)

    def _delete(self, diff: InventoryDiff, ids: dict[str, dict[str, int]]) -> None:
        pairs = [(ids[SYSTEMS][s], ids[IDENTITIES][i]) for s, i in diff.link_missing
                 if s in ids[SYSTEMS] and i in ids[IDENTITIES]]  # fmt: skip
        self.rows.delete_links(pairs)
        self.deleted["links"] = len(pairs)
        for entity in (GRANTS, DELEGATIONS, SYSTEMS, IDENTITIES, RESOURCES):
            row_ids = diff.entities[entity].missing_ids
            self.rows.delete(entity, row_ids)
            self.deleted[entity] = len(row_ids)


_LINK_COLUMNS = ("system_id", "identity_id")
_GRANT_COLUMNS = ("identity_id", "resource_id", "action", "scope", *COLUMNS[GRANTS], "attributes")
_DELEGATION_COLUMNS = ("from_identity_id", "to_identity_id", "kind", "attributes")


def _new_rows(
    records: list[Record], names: tuple[str, ...], defaults: tuple[Any, ...]
) -> Iterator[tuple[Any, ...]]:
    """Yield ``(external id, *values of names, attributes)`` of new records.

    A value the record lacks is its column's default.
    """
    for record in records:
        yield (record.key[0], *map(record.values.get, names, defaults), record.attributes)


def _grant_rows(records: list[Record], ids: dict[str, dict[str, int]]) -> Iterator[tuple[Any, ...]]:
    """Yield the rows of new grants (see ``_GRANT_COLUMNS``), a value lacking its default."""
    identities, resources = ids[IDENTITIES], ids[RESOURCES]
    names, defaults = COLUMNS[GRANTS], column_defaults(GRANTS)
    for record in records:
        identity, resource, action, scope = record.key
        yield (identities[identity], resources[resource], action, scope,
               *map(record.values.get, names, defaults), record.attributes)  # fmt: skip


def snapshot(uow: UnitOfWork) -> dict[str, Any]:
    """Return the inventory as it stands, as compact JSON data, for later drift comparison.

    Each entity is ``{"fields": [...], "rows": [[...], ...]}`` (rows in no particular order;
    dates as ISO text); :func:`snapshot_records` turns it back into dictionaries. Custom
    attributes live in the tables, not in the snapshot (snapshots of workspaces older than
    schema 0003 may also hold ``delegation_attributes``).
    """
    return uow.repository(InventoryBulkRepository).snapshot()


def write_snapshot(uow: UnitOfWork, run_id: int) -> None:
    """Store the inventory as it stands (see :func:`snapshot`) in an import run's row."""
    uow.repository(InventoryBulkRepository).write_snapshot(run_id)


def snapshot_records(data: dict[str, Any], entity: str) -> list[dict[str, Any]]:
    """Return one entity of an import snapshot as a list of dictionaries.

    Args:
        data: An ``ImportRun.snapshot``.
        entity: ``systems``, ``identities``, ``resources``, ``grants``, ``delegations`` or
            ``links``.
    """
    part = data.get(entity) or {"fields": [], "rows": []}
    fields = part["fields"]
    return [dict(zip(fields, row, strict=True)) for row in part["rows"]]
