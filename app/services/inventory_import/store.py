"""Bulk reads and writes of the inventory tables for the import.

Reads turn the tables into the plain values ``app.ingest.diff`` compares with; writes use
executemany statements (one per batch of rows, never one ORM object per row) inside the
caller's write transaction.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlmodel import Session, SQLModel

from app.ingest.diff import NO_OWNER_COLUMN, Existing, InventoryDiff, Owner, owner_of
from app.ingest.fields import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.ingest.records import Record
from app.services.progress import Progress, check_cancelled
from app.storage.models import (
    AISystem,
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
              "review_due", "risk_designation"),
    IDENTITIES: ("name", "kind", "provider", "environment", "created", "last_rotated",
                 "last_used", "expires", "revocation_procedure"),
    RESOURCES: ("name", "kind", "environment", "sensitivity"),
    GRANTS: ("approval_required", "logged", "last_used", "conditional"),
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


_DATE_FIELDS = frozenset({"review_due", "created", "last_rotated", "last_used", "expires"})
_JSON_FIELDS = frozenset({"tools", "tags", "attributes"})
_BOOL_FIELDS = frozenset({"approval_required", "logged", "conditional"})


def _from_db(name: str, value: Any) -> Any:
    """Turn a raw SQLite value into the canonical value (dates, lists, flags)."""
    if value is None:
        return [] if name in ("tools", "tags") else ({} if name == "attributes" else None)
    if name in _DATE_FIELDS:
        return dt.date.fromisoformat(value[:10])
    if name in _JSON_FIELDS:
        if value == "[]":
            return []
        return {} if value == "{}" else json.loads(value)
    if name in _BOOL_FIELDS:
        return value not in ("0", "false", "")
    if name in _BOOL_FIELDS:
        return bool(value)
    return value


def _fetch(session: Session, sql: str) -> list[tuple]:
    """Run a query on the session's own connection and return plain tuples from the driver."""
    cursor = session.connection().connection.cursor()
    try:
        return cursor.execute(sql).fetchall()
    finally:
        cursor.close()


def _select(session: Session, table: str, columns: tuple[str, ...]) -> list[tuple]:
    """Read columns of a whole table through the driver (no per-row ORM work)."""
    return _fetch(session, f"SELECT {', '.join(columns)} FROM {table}")  # our own names


def _rows(session: Session, entity: str, extra: tuple[str, ...]) -> list[dict[str, Any]]:
    names = ("id", *extra, *COLUMNS[entity], "attributes")
    table = TABLES[entity].__tablename__  # type: ignore[attr-defined]
    convert = [n for n in names if n in _DATE_FIELDS or n in _JSON_FIELDS or n in _BOOL_FIELDS]
    rows = []
    for raw in _select(session, str(table), names):
        row = dict(zip(names, raw, strict=True))
        for name in convert:
            value = row[name]
            if value is None or value.__class__ is str:
                row[name] = _from_db(name, value)
            elif name in _BOOL_FIELDS:
                row[name] = bool(value)
        rows.append(row)
    return rows


def load_existing(session: Session) -> Existing:
    """Read the workspace's inventory into the plain form the diff compares with."""
    people = {i: (e, n) for i, e, n in _select(session, "person", ("id", "email", "name"))}
    existing = Existing()
    ext: dict[str, dict[int, str]] = {}
    for entity in (SYSTEMS, IDENTITIES, RESOURCES):
        extra = ("external_id", "owner_id") if entity in _OWNED else ("external_id",)
        table = existing.records[entity]
        ext[entity] = {}
        for row in _rows(session, entity, extra):
            row_id, key = row.pop("id"), row.pop("external_id")
            row["_id"] = row_id
            ext[entity][row_id] = key
            if entity in _OWNED:
                email, name = people.get(row.pop("owner_id"), (None, ""))
                row["owner_email"], row["owner_name"] = email, name
            table[(key,)] = row
    identities, resources = ext[IDENTITIES], ext[RESOURCES]
    for row in _rows(session, GRANTS, ("identity_id", "resource_id", "action", "scope")):
        key = (identities[row.pop("identity_id")], resources[row.pop("resource_id")],
               row.pop("action"), row.pop("scope"))  # fmt: skip
        row["_id"] = row.pop("id")
        existing.records[GRANTS][key] = row
    for row in _rows(session, DELEGATIONS, ("from_identity_id", "to_identity_id", "kind")):
        key = (identities[row.pop("from_identity_id")], identities[row.pop("to_identity_id")],
               row.pop("kind"))  # fmt: skip
        row["_id"] = row.pop("id")
        existing.records[DELEGATIONS][key] = row
    pairs = _select(session, "system_identity", ("system_id", "identity_id"))
    existing.links = {(ext[SYSTEMS][s], identities[i]) for s, i in pairs}
    protected = _select(session, "assessment", ("DISTINCT system_id",))
    existing.protected_systems = {ext[SYSTEMS][s] for (s,) in protected if s in ext[SYSTEMS]}
    return existing


_LIST_TEXT: dict[tuple[str, ...], str] = {}


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    if isinstance(value, list) and len(value) < 8:
        key = tuple(value)
        text = _LIST_TEXT.get(key)
        if text is None:
            text = json.dumps(value, ensure_ascii=False)
            if len(_LIST_TEXT) < 10_000:
                _LIST_TEXT[key] = text
        return text
    return json.dumps(value, ensure_ascii=False)


def _remembering(process: Any) -> Any:
    """Return ``process`` remembering its results (dates repeat across thousands of rows)."""
    cache: dict[Any, Any] = {}

    def remembered(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = process(value)
            if len(cache) < 100_000:
                cache[value] = result
            return result

    return remembered


def _update_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Update rows by id with executemany, one statement per set of changed columns."""
    table = model.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        values = {k: v for k, v in row.items() if k != "id"}
        values["row_id"] = row["id"]
        groups.setdefault(tuple(sorted(values)), []).append(values)
    for names, batch in groups.items():
        columns = {n: sa.bindparam(n) for n in names if n != "row_id"}
        statement = table.update().where(table.c.id == sa.bindparam("row_id")).values(columns)
        for start in range(0, len(batch), _BATCH):
            session.execute(statement, batch[start : start + _BATCH])


def external_ids(session: Session, model: type[SQLModel]) -> dict[str, int]:
    """Return external id → row id for one of the id-keyed tables."""
    table = str(model.__tablename__)  # type: ignore[attr-defined]
    return dict(_select(session, table, ("external_id", "id")))


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
             "to_identity_id": ids[IDENTITIES][r.key[1]], "kind": r.key[2],
             "attributes": dict(r.attributes)}
            for r in diff.entities[DELEGATIONS].creates
        ]  # fmt: skip
        self._insert_rows(Delegation, delegations)
        self._update(DELEGATIONS, diff)
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
        self._insert_rows(Person, list(new.values()), defaults)
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
        self._insert_rows(TABLES[entity], rows, _defaults(TABLES[entity]))

    def _insert_rows(
        self,
        model: type[SQLModel],
        rows: list[dict[str, Any]],
        defaults: dict[str, Any] | None = None,
    ) -> None:
        """Insert rows through the driver's executemany, column by column.

        Each value goes through its column type's own bind processor (so the stored form is
        the one SQLAlchemy reads back); JSON is serialised here; a column a row lacks takes
        its default.
        """
        if not rows:
            return
        defaults = defaults or {}
        table = model.__table__  # type: ignore[attr-defined]
        conn = self.session.connection()
        columns = list(dict.fromkeys([*defaults, *rows[0]]))
        processors = [self._processor(table.c[name].type, conn.dialect) for name in columns]
        sql = (
            f"INSERT INTO {table.name} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH]
            values = []
            for name, process in zip(columns, processors, strict=True):
                if name in defaults:
                    default = defaults[name]
                    column = [row.get(name, default) for row in batch]
                else:
                    column = [row[name] for row in batch]
                values.append(list(map(process, column)) if process else column)
            conn.exec_driver_sql(sql, list(zip(*values, strict=True)))

    def _processor(self, column_type: Any, dialect: Any) -> Any:
        """Return the function SQLAlchemy itself would apply to a value of this column."""
        if isinstance(column_type, sa.JSON):
            return _json_text
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            return None
        impl = getattr(column_type, "impl", column_type)
        if isinstance(impl, sa.DateTime):
            stamped, now = process(self.now), self.now
            return lambda value: stamped if value is now else process(value)
        if isinstance(impl, sa.Date):
            return _remembering(process)
        return process

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
        _update_rows(self.session, TABLES[entity], rows)

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


SNAPSHOT_VERSION = 1
_SNAPSHOT_SQL = {
    SYSTEMS: (
        ("id", "name", "owner_email", "lifecycle_stage", "environment", "autonomy",
         "data_classification", "exposure"),
        "SELECT s.external_id, s.name, p.email, s.lifecycle_stage, s.environment, s.autonomy, "
        "s.data_classification, s.exposure FROM ai_system s "
        "LEFT JOIN person p ON p.id = s.owner_id",
    ),
    IDENTITIES: (
        ("id", "name", "kind", "provider", "owner_email", "environment", "created",
         "last_rotated", "last_used", "expires"),
        "SELECT i.external_id, i.name, i.kind, i.provider, p.email, i.environment, i.created, "
        "i.last_rotated, i.last_used, i.expires FROM identity i "
        "LEFT JOIN person p ON p.id = i.owner_id",
    ),
    RESOURCES: (
        ("id", "name", "kind", "environment", "sensitivity"),
        "SELECT external_id, name, kind, environment, sensitivity FROM resource",
    ),
    GRANTS: (
        ("identity", "resource", "action", "scope", "approval_required", "logged", "last_used",
         "conditional"),
        "SELECT i.external_id, r.external_id, g.action, g.scope, g.approval_required, g.logged, "
        "g.last_used, g.conditional FROM access_grant g JOIN identity i ON i.id = g.identity_id "
        "JOIN resource r ON r.id = g.resource_id",
    ),
    DELEGATIONS: (
        ("from_identity", "to_identity", "kind"),
        "SELECT f.external_id, t.external_id, d.kind FROM delegation d "
        "JOIN identity f ON f.id = d.from_identity_id JOIN identity t ON t.id = d.to_identity_id",
    ),
    "links": (
        ("system", "identity"),
        "SELECT s.external_id, i.external_id FROM system_identity l "
        "JOIN ai_system s ON s.id = l.system_id JOIN identity i ON i.id = l.identity_id",
    ),
}  # fmt: skip
_FLAG_POSITIONS = {GRANTS: (4, 5)}


def _flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def snapshot(session: Session) -> dict[str, Any]:
    """Return the inventory as it stands, as compact JSON data, for later drift comparison.

    Each entity is ``{"fields": [...], "rows": [[...], ...]}`` (rows in no particular order;
    dates as ISO text); :func:`snapshot_records` turns it back into dictionaries. Custom
    attributes live in the tables, not in the snapshot (snapshots of workspaces older than
    schema 0003 may also hold ``delegation_attributes``).
    """
    data: dict[str, Any] = {"version": SNAPSHOT_VERSION}
    for entity, (fields, sql) in _SNAPSHOT_SQL.items():
        rows: list[Any] = _fetch(session, sql)
        if entity in _FLAG_POSITIONS:
            first, second = _FLAG_POSITIONS[entity]
            rows = [(*row[:first], _flag(row[first]), _flag(row[second]), *row[second + 1 : -1],
                     _flag(row[-1])) for row in rows]  # fmt: skip
        data[entity] = {"fields": list(fields), "rows": rows}
    return data


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
