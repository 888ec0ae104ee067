"""Bulk reads and writes of the inventory tables for the import.

Reads turn the tables into the plain values ``app.ingest.diff`` compares with; writes use
executemany statements (one per batch of rows, never one ORM object per row) inside the
caller's write transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlmodel import Session, SQLModel

from app.ingest.diff import NO_OWNER_COLUMN, Existing, InventoryDiff, Owner, owner_of
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.ingest.records import Record
from app.services.journal import jsonable
from app.services.progress import Progress, check_cancelled
from app.storage.models import (
    AISystem,
    Assessment,
    Delegation,
    Grant,
    Identity,
    Person,
    Resource,
    SystemIdentity,
)

logger = logging.getLogger(__name__)

TABLES: dict[str, type[SQLModel]] = {
    SYSTEMS: AISystem,
    IDENTITIES: Identity,
    RESOURCES: Resource,
    GRANTS: Grant,
    DELEGATIONS: Delegation,
}

#: The canonical fields stored in a column of the same name.
COLUMNS: dict[str, tuple[str, ...]] = {
    SYSTEMS: ("name", "description", "business_unit", "provider", "model", "lifecycle_stage",
              "environment", "autonomy", "data_classification", "exposure", "tools", "tags",
              "review_due"),
    IDENTITIES: ("name", "kind", "provider", "environment", "created", "last_rotated",
                 "last_used", "expires", "revocation_procedure"),
    RESOURCES: ("name", "kind", "environment", "sensitivity"),
    GRANTS: ("approval_required", "logged", "last_used"),
    DELEGATIONS: (),
}  # fmt: skip
_TIMESTAMPED = (SYSTEMS, IDENTITIES)
_OWNED = (SYSTEMS, IDENTITIES)
_BATCH = 5_000


def _defaults(model: type[SQLModel]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name == "id":
            continue
        if info.default_factory is not None:
            values[name] = info.default_factory()  # type: ignore[call-arg]
        elif info.default is not PydanticUndefined:
            values[name] = info.default
    return values


def load_existing(session: Session) -> Existing:
    """Read the workspace's inventory into the plain form the diff compares with."""
    people = {row.id: (row.email, row.name) for row in session.execute(
        sa.select(Person.id, Person.email, Person.name))}  # fmt: skip
    existing = Existing()
    for entity in (SYSTEMS, IDENTITIES, RESOURCES):
        model = TABLES[entity]
        table = existing.records[entity]
        for row in session.execute(sa.select(model.__table__)).mappings():  # type: ignore[attr-defined]
            values = {name: row[name] for name in COLUMNS[entity]}
            values["_id"], values["attributes"] = row["id"], row["attributes"] or {}
            if entity in _OWNED:
                email, name = people.get(row["owner_id"], (None, ""))
                values["owner_email"], values["owner_name"] = email, name
            table[(row["external_id"],)] = values
    ident, res = sa.orm.aliased(Identity), sa.orm.aliased(Resource)
    grants = sa.select(Grant.__table__, ident.external_id.label("i"), res.external_id.label("r"))
    grants = grants.join(ident, ident.id == Grant.identity_id).join(
        res, res.id == Grant.resource_id
    )
    for row in session.execute(grants).mappings():
        values = {name: row[name] for name in COLUMNS[GRANTS]}
        values["_id"], values["attributes"] = row["id"], row["attributes"] or {}
        existing.records[GRANTS][(row["i"], row["r"], row["action"], row["scope"])] = values
    source, target = sa.orm.aliased(Identity), sa.orm.aliased(Identity)
    delegations = (
        sa.select(Delegation.id, Delegation.kind, source.external_id, target.external_id)
        .join(source, source.id == Delegation.from_identity_id)
        .join(target, target.id == Delegation.to_identity_id)
    )
    for row_id, kind, from_id, to_id in session.execute(delegations):
        existing.records[DELEGATIONS][(from_id, to_id, kind)] = {"_id": row_id}
    links = (
        sa.select(AISystem.external_id, Identity.external_id)
        .join(SystemIdentity, SystemIdentity.system_id == AISystem.id)
        .join(Identity, Identity.id == SystemIdentity.identity_id)
    )
    existing.links = {(s, i) for s, i in session.execute(links)}
    protected = sa.select(AISystem.external_id).join(Assessment).distinct()
    existing.protected_systems = set(session.execute(protected).scalars())
    return existing


def external_ids(session: Session, model: type[SQLModel]) -> dict[str, int]:
    """Return external id → row id for one of the id-keyed tables."""
    rows = session.execute(sa.select(model.external_id, model.id))  # type: ignore[attr-defined]
    return {ext: row_id for ext, row_id in rows}  # noqa: C416 - rows are tuples


class InventoryWriter:
    """Writes an :class:`InventoryDiff` with bulk statements in the caller's transaction.

    Args:
        session: A session from ``Database.write()``.
        now: The time stamped on created and updated rows.
        progress: Receives progress; checked for cancellation between steps.
    """

    def __init__(self, session: Session, now: dt.datetime, progress: Progress | None) -> None:
        self.session, self.now, self.progress = session, now, progress
        self.people_created = 0
        self.links_created = 0
        self.deleted: dict[str, int] = {}
        self.names: dict[str, str] = {}
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}

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
            self._insert(entity, [self._new_row(entity, r) for r in diff.entities[entity].creates])
            self._update(entity, diff)
        ids = {e: external_ids(self.session, TABLES[e]) for e in (SYSTEMS, IDENTITIES, RESOURCES)}
        self._step(0.7, "Writing links, grants and delegations")
        links = [{"system_id": ids[SYSTEMS][k.system], "identity_id": ids[IDENTITIES][k.identity]}
                 for k in diff.link_creates]  # fmt: skip
        self._insert_rows(SystemIdentity, links)
        self.links_created = len(links)
        grants = [self._grant_row(r, ids) for r in diff.entities[GRANTS].creates]
        self._insert(GRANTS, grants)
        self._update(GRANTS, diff)
        delegations = [
            {"from_identity_id": ids[IDENTITIES][r.key[0]],
             "to_identity_id": ids[IDENTITIES][r.key[1]], "kind": r.key[2]}
            for r in diff.entities[DELEGATIONS].creates
        ]  # fmt: skip
        self._insert_rows(Delegation, delegations)
        if delete_missing:
            self._step(0.9, "Deleting records missing from the file")
            self._delete(diff, ids)

    def _people(self, diff: InventoryDiff) -> None:
        rows = self.session.execute(sa.select(Person.id, Person.email, Person.name)).all()
        names: dict[int, str] = {}
        for row_id, email, name in rows:
            names[row_id] = name
            if email:
                self.by_email[email] = row_id
            self.by_name.setdefault((name or "").casefold(), row_id)
        new: dict[str, dict[str, Any]] = {}
        renames: dict[int, str] = {}
        for owner in self._owners(diff):
            if owner.email:
                row_id = self.by_email.get(owner.email)
                if row_id is None:
                    new.setdefault(owner.email, {"name": owner.name, "email": owner.email})
                elif owner.name and names.get(row_id) != owner.name:
                    renames[row_id] = owner.name
            elif owner.name.casefold() not in self.by_name:
                new.setdefault("\0" + owner.name.casefold(), {"name": owner.name, "email": None})
        defaults = _defaults(Person)
        self._insert_rows(Person, [{**defaults, **row} for row in new.values()])
        if renames:
            self.session.execute(
                sa.update(Person), [{"id": i, "name": n} for i, n in renames.items()]
            )
        self.people_created = len(new)
        if new:
            for row_id, email, name in self.session.execute(
                sa.select(Person.id, Person.email, Person.name)
            ):
                if email:
                    self.by_email[email] = row_id
                self.by_name.setdefault((name or "").casefold(), row_id)

    def _owners(self, diff: InventoryDiff) -> list[Owner]:
        owners = []
        for entity in _OWNED:
            changed = [c.record for c in diff.entities[entity].updates if "owner" in c.changes]
            for record in diff.entities[entity].creates + changed:
                target = owner_of(record, self.names)
                if isinstance(target, Owner):
                    owners.append(target)
        return owners

    def _owner_id(self, record: Record) -> int | None | object:
        target = owner_of(record, self.names)
        if target is NO_OWNER_COLUMN:
            return NO_OWNER_COLUMN
        if not isinstance(target, Owner):
            return None
        if target.email:
            return self.by_email[target.email]
        return self.by_name.get(target.name.casefold())

    def _new_row(self, entity: str, record: Record) -> dict[str, Any]:
        row = {name: record.values[name] for name in COLUMNS[entity] if name in record.values}
        row["external_id"] = record.key[0]
        row["attributes"] = dict(record.attributes)
        if entity in _OWNED:
            owner = self._owner_id(record)
            row["owner_id"] = None if owner is NO_OWNER_COLUMN else owner
        if entity in _TIMESTAMPED:
            row["created_at"] = row["updated_at"] = self.now
        return row

    def _grant_row(self, record: Record, ids: dict[str, dict[str, int]]) -> dict[str, Any]:
        row = {name: record.values[name] for name in COLUMNS[GRANTS] if name in record.values}
        identity, resource, action, scope = record.key
        row.update(identity_id=ids[IDENTITIES][identity], resource_id=ids[RESOURCES][resource],
                   action=action, scope=scope, attributes=dict(record.attributes))  # fmt: skip
        return row

    def _insert(self, entity: str, rows: list[dict[str, Any]]) -> None:
        defaults = _defaults(TABLES[entity])
        self._insert_rows(TABLES[entity], [{**defaults, **row} for row in rows])

    def _insert_rows(self, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
        for start in range(0, len(rows), _BATCH):
            self.session.execute(sa.insert(model), rows[start : start + _BATCH])

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
        for start in range(0, len(rows), _BATCH):
            self.session.execute(sa.update(TABLES[entity]), rows[start : start + _BATCH])

    def _delete(self, diff: InventoryDiff, ids: dict[str, dict[str, int]]) -> None:
        pairs = [(ids[SYSTEMS][s], ids[IDENTITIES][i]) for s, i in diff.link_missing
                 if s in ids[SYSTEMS] and i in ids[IDENTITIES]]  # fmt: skip
        for system_id, identity_id in pairs:
            self.session.execute(
                sa.delete(SystemIdentity).where(
                    SystemIdentity.system_id == system_id, SystemIdentity.identity_id == identity_id
                )
            )
        self.deleted["links"] = len(pairs)
        for entity in (GRANTS, DELEGATIONS, SYSTEMS, IDENTITIES, RESOURCES):
            row_ids = diff.entities[entity].missing_ids
            model = TABLES[entity]
            for start in range(0, len(row_ids), 500):
                chunk = row_ids[start : start + 500]
                self.session.execute(sa.delete(model).where(model.id.in_(chunk)))  # type: ignore[attr-defined]
            self.deleted[entity] = len(row_ids)


def snapshot(session: Session, delegation_attributes: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the inventory as it stands, as JSON data, for later drift comparison."""
    existing = load_existing(session)
    data: dict[str, Any] = {"version": 1}
    for entity in (SYSTEMS, IDENTITIES, RESOURCES):
        data[entity] = {
            key[0]: jsonable({k: v for k, v in values.items() if k != "_id"})
            for key, values in existing.records[entity].items()
        }
    data[GRANTS] = [
        [*key, values["approval_required"], values["logged"], jsonable(values["last_used"])]
        for key, values in existing.records[GRANTS].items()
    ]
    data[DELEGATIONS] = [list(key) for key in existing.records[DELEGATIONS]]
    data["links"] = sorted([list(pair) for pair in existing.links])
    if delegation_attributes:
        data["delegation_attributes"] = delegation_attributes
    return data
