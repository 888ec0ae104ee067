"""Bulk reads and writes of the inventory tables, for the inventory import.

Reads return the tables as plain values (dates, lists and flags decoded by the driver's text,
never one ORM object per row); writes use executemany statements, one per batch of rows, in the
unit's transaction. The record kinds are named as the importer names them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice
from typing import IO, Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col

from app.domain.record_kinds import DELEGATIONS, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.storage.models import (
    AISystem,
    Delegation,
    Grant,
    Identity,
    ImportRun,
    Person,
    Resource,
    SystemIdentity,
)
from app.storage.repositories.base import Repository
from app.storage.repositories.row_insert import (
    build_indexes_again,
    drop_indexes_for_load,
    fresh_gids,
    insert_columns,
    json_text,
    model_defaults,
    processed_value,
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
_MODELS: dict[str, type[SQLModel]] = {**TABLES, "people": Person, "links": SystemIdentity}
_OWNED = (SYSTEMS, IDENTITIES)
_BATCH = 5_000
#: Rows written at a time: a small batch reuses the memory the last one freed, still in the
#: processor's cache (see ``_SNAPSHOT_BATCH``).
_WRITE_BATCH = 1_000


def column_defaults(kind: str) -> tuple[Any, ...]:
    """Return the model default of each of a record kind's :data:`COLUMNS`, in order."""
    defaults = model_defaults(TABLES[kind])
    return tuple(defaults[name] for name in COLUMNS[kind])


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


def _fetch(session: Session, sql: str) -> list[tuple[Any, ...]]:
    """Run a query on the session's own connection and return plain tuples from the driver.

    Values come as SQLite's driver gives them on either store: a server's driver returns
    dates, times and JSON as Python objects, which become the text SQLite holds.
    """
    connection = session.connection()
    cursor = connection.connection.cursor()
    try:
        rows: list[tuple[Any, ...]] = cursor.execute(sql).fetchall()
    finally:
        cursor.close()
    if connection.dialect.name == "sqlite":
        return rows
    return [tuple(_as_file_value(v) for v in row) for row in rows]


def _as_file_value(value: Any) -> Any:
    """Return a server driver's value as SQLite's driver would give it (text for rich types)."""
    kind = value.__class__
    if kind is dt.datetime:
        return value.replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if kind is dt.date:
        return value.isoformat()
    if kind is dict or kind is list:
        return json.dumps(value)
    if kind is bool:
        return int(value)
    return value


def _select(session: Session, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Read columns of a whole table through the driver (no per-row ORM work)."""
    return _fetch(session, f"SELECT {', '.join(columns)} FROM {table}")  # our own names


def _rows(session: Session, entity: str, extra: tuple[str, ...]) -> list[dict[str, Any]]:
    names = ("id", *extra, *COLUMNS[entity], "attributes")
    table = TABLES[entity].__tablename__
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


@dataclass
class StoredInventory:
    """The workspace's inventory as plain values, keyed like an import file's records.

    Attributes:
        records: Kind → key → canonical values, plus ``_id`` (the row id), ``attributes`` and,
            for systems and identities, ``owner_email`` and ``owner_name``.
        links: ``(system id, identity id)`` pairs.
        protected_systems: Systems that have assessments.
    """

    records: dict[str, dict[tuple[str, ...], dict[str, Any]]] = field(
        default_factory=lambda: {kind: {} for kind in TABLES}
    )
    links: set[tuple[str, str]] = field(default_factory=set)
    protected_systems: set[str] = field(default_factory=set)


class InventoryBulkRepository(Repository):
    """Reads and writes whole inventory tables for an import."""

    def load(self) -> StoredInventory:
        """Read the workspace's inventory into the plain form an import compares with."""
        return _load(self._session)

    def people(self) -> list[tuple[int, str | None, str]]:
        """Return ``(row id, e-mail, name)`` of every person."""
        return [
            (int(i), e, n or "")
            for i, e, n in _select(self._session, "person", ("id", "email", "name"))
        ]

    def rename_people(self, names: dict[int, str]) -> None:
        """Give people new names, by row id."""
        if names:
            self._session.execute(
                sa.update(Person), [{"id": i, "name": n} for i, n in names.items()]
            )

    def external_ids(self, kind: str) -> dict[str, int]:
        """Return external id → row id for systems, identities or resources."""
        table = str(TABLES[kind].__tablename__)
        return dict(_select(self._session, table, ("external_id", "id")))

    def insert(
        self,
        kind: str,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        constants: dict[str, Any] | None = None,
        defaults: bool = True,
    ) -> None:
        """Insert rows of a kind (a record kind, ``people`` or ``links``), batch by batch.

        Each value goes through its column type's own bind processor (so the stored form is
        the one SQLAlchemy reads back; JSON is serialised here). Every row also takes
        ``constants`` and, with ``defaults``, the model default of each column neither given
        nor constant; each row gets a global id of its own.

        Args:
            kind: What the rows are.
            columns: The names of the values of each row, in order.
            rows: The rows; a generator is read batch by batch and never held whole.
            constants: Values shared by every row (the time stamped on them), by column.
            defaults: Whether columns neither given nor constant take their model defaults.
        """
        model = _MODELS[kind]
        shared = {**(model_defaults(model) if defaults else {}), **(constants or {})}
        _insert_rows(self._session, model, columns, rows, shared)

    def update(self, kind: str, rows: list[dict[str, Any]]) -> None:
        """Update rows of a record kind by ``id``, one statement per set of changed columns."""
        _update_rows(self._session, TABLES[kind], rows)

    def delete_links(self, pairs: Iterable[tuple[int, int]]) -> None:
        """Delete system-identity links given as ``(system row id, identity row id)``."""
        for system_id, identity_id in pairs:
            self._session.execute(
                sa.delete(SystemIdentity).where(
                    col(SystemIdentity.system_id) == system_id,
                    col(SystemIdentity.identity_id) == identity_id,
                )
            )

    def delete(self, kind: str, row_ids: list[int]) -> None:
        """Delete rows of a record kind by row id."""
        table = TABLES[kind].__table__  # type: ignore[attr-defined]
        for start in range(0, len(row_ids), 500):
            chunk = row_ids[start : start + 500]
            self._session.execute(sa.delete(table).where(table.c.id.in_(chunk)))

    def write_snapshot(self, run_id: int) -> None:
        """Store :meth:`snapshot` in an import run's row.

        A workspace file gets the JSON text encoded batch by batch from the database's rows
        into a temporary file, then copied into the row a piece at a time, so a large
        inventory's snapshot never exists as Python objects nor as one Python copy of its text;
        a server's snapshot is read and written as data.
        """
        run = ImportRun.__table__  # type: ignore[attr-defined]
        connection = self._session.connection()
        if connection.dialect.name == "sqlite":
            _write_snapshot_text(connection, run.name, run_id)
        else:
            data = _snapshot(self._session)
            self._session.execute(run.update().where(run.c.id == run_id).values(snapshot=data))
        stored = self._session.get(ImportRun, run_id)
        if stored is not None:
            self._session.expire(stored, ["snapshot"])

    def snapshot(self) -> dict[str, Any]:
        """Return the inventory as it stands, as compact JSON data, for later drift comparison.

        Each kind is ``{"fields": [...], "rows": [[...], ...]}`` (rows in no particular order;
        dates as ISO text). Custom attributes live in the tables, not in the snapshot.
        """
        return _snapshot(self._session)


def _load(session: Session) -> StoredInventory:
    people = {i: (e, n) for i, e, n in _select(session, "person", ("id", "email", "name"))}
    existing = StoredInventory()
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


class _Remembered(dict[Any, Any]):
    """Results of a value processor by value; a value not seen yet is processed on lookup."""

    __slots__ = ("process",)

    def __init__(self, process: Any) -> None:
        super().__init__()
        self.process = process

    def __missing__(self, value: Any) -> Any:
        result = self.process(value)
        if len(self) < 100_000:
            self[value] = result
        return result


def _remembering(process: Any) -> Any:
    """Return ``process`` remembering its results (dates and flags repeat across many rows).

    A value seen before is looked up without a Python call (``dict.__getitem__``).
    """
    return _Remembered(process).__getitem__


def _update_rows(session: Session, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Update rows by id with executemany, one statement per set of changed columns."""
    table = model.__table__  # type: ignore[attr-defined]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        values = {k: v for k, v in row.items() if k != "id"}
        values["row_id"] = row["id"]
        groups.setdefault(tuple(sorted(values)), []).append(values)
    for names, batch in groups.items():
        columns: dict[str, Any] = {n: sa.bindparam(n) for n in names if n != "row_id"}
        statement = table.update().where(table.c.id == sa.bindparam("row_id")).values(columns)
        for start in range(0, len(batch), _BATCH):
            session.execute(statement, batch[start : start + _BATCH])


def _insert_rows(
    session: Session,
    model: type[SQLModel],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    shared: dict[str, Any],
) -> None:
    """Insert rows batch by batch, their values processed column by column.

    A load of at least a batch into an empty table builds the table's indexes once the rows
    are in (see :func:`drop_indexes_for_load`).
    """
    table = model.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    processors = [_processor(table.c[name].type, conn.dialect) for name in columns]
    fixed = {name: processed_value(table.c[name].type, conn.dialect, value)
             for name, value in shared.items() if name not in columns}  # fmt: skip
    names = [*columns, "gid"] if "gid" in table.c and "gid" not in columns else list(columns)
    gids = fresh_gids() if len(names) > len(columns) else None
    rows = iter(rows)
    first = list(islice(rows, _BATCH))
    deferred = drop_indexes_for_load(conn, table.name) if len(first) == _BATCH else []
    rows = chain(first, rows)
    while batch := list(islice(rows, _WRITE_BATCH)):
        values: list[Sequence[Any]] = [
            _processed_column(process, column)
            for process, column in zip(processors, zip(*batch, strict=True), strict=True)
        ]
        if gids is not None:
            values.append(list(islice(gids, len(batch))))
        insert_columns(conn, table.name, names, values, fixed)
    build_indexes_again(conn, deferred)


def _processed_column(process: Any, column: Sequence[Any]) -> Sequence[Any]:
    """Return a column's values as the driver takes them.

    A column of nothing but empty values (no custom attributes, no tools) is processed once.
    """
    if process is None:
        return column
    first = column[0]
    # Only empty values equal an empty one (numbers are left out: 0 equals False and 0.0).
    if not first and not isinstance(first, int | float) and column.count(first) == len(column):
        return [process(first)] * len(column)
    return list(map(process, column))


def _processor(column_type: Any, dialect: Any) -> Any:
    """Return the function SQLAlchemy itself would apply to a value of this column."""
    if isinstance(column_type, sa.JSON):
        return json_text
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    impl = getattr(column_type, "impl", column_type)
    if isinstance(impl, sa.Date | sa.Boolean):
        return _remembering(process)
    return process


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


def _snapshot(session: Session) -> dict[str, Any]:
    data: dict[str, Any] = {"version": SNAPSHOT_VERSION}
    for entity, (fields, sql) in _SNAPSHOT_SQL.items():
        rows: list[Any] = _fetch(session, sql)
        if entity in _FLAG_POSITIONS:
            rows = _flagged(rows, *_FLAG_POSITIONS[entity])
        data[entity] = {"fields": list(fields), "rows": rows}
    return data


_PIECE = 1 << 20  # bytes of the snapshot's text copied into its row at a time
#: Rows of the snapshot read and encoded at a time. Small batches let each one reuse the
#: memory the last one freed, still in the processor's cache: after a large import's plan,
#: batches of 20,000 rows were scattered over a large heap and ran up to twice as slow.
_SNAPSHOT_BATCH = 1_000


def _write_snapshot_text(connection: sa.Connection, table: str, run_id: int) -> None:
    """Store :func:`_snapshot_json`'s text in an import run's row without holding it whole.

    The row first gets text of the right length (SQLite makes it from nothing), which the
    text is then copied into through SQLite's incremental I/O; the value is text, as before.
    """
    driver = connection.connection.driver_connection
    assert driver is not None  # a checked-out connection always has its driver connection
    with tempfile.TemporaryFile() as spool:
        size = _snapshot_json(connection, spool)
        sql = f"UPDATE {table} SET snapshot = CAST(zeroblob(?) AS TEXT) WHERE id = ?"
        connection.exec_driver_sql(sql, (size, run_id))
        spool.seek(0)
        with driver.blobopen(table, "snapshot", run_id) as blob:
            while piece := spool.read(_PIECE):
                blob.write(piece)


def _snapshot_json(connection: sa.Connection, out: IO[bytes]) -> int:
    """Write :func:`_snapshot`'s data of a workspace file as JSON, as ``json.dumps`` writes it.

    Rows are read and encoded a batch at a time, as ASCII bytes (``json.dumps`` escapes every
    other character). Returns the number of bytes written.
    """
    start = out.tell()
    out.write(f'{{"version": {SNAPSHOT_VERSION}'.encode())
    cursor = connection.connection.cursor()
    try:
        for entity, (fields, sql) in _SNAPSHOT_SQL.items():
            out.write(f", {json.dumps(entity)}: {{\"fields\": {json.dumps(list(fields))}, "
                      '"rows": ['.encode())  # fmt: skip
            cursor.execute(sql)
            first = True
            while batch := cursor.fetchmany(_SNAPSHOT_BATCH):
                if entity in _FLAG_POSITIONS:
                    batch = _flagged(batch, *_FLAG_POSITIONS[entity])
                if not first:
                    out.write(b", ")
                encoded = json.dumps(batch).encode("ascii")
                out.write(memoryview(encoded)[1:-1])  # the rows, without the list's brackets
                first = False
            out.write(b"]}")
    finally:
        cursor.close()
    out.write(b"}")
    return out.tell() - start


def _flagged(rows: Sequence[Any], first: int, second: int) -> list[Any]:
    """Return rows with their yes/no columns (``first``, ``second`` and the last) as booleans."""
    flag = _FLAGS.__getitem__
    if (first, second) == (4, 5) and rows and len(rows[0]) == 8:  # an access grant's row
        return [(a, b, c, d, flag(e), flag(f), g, flag(h)) for a, b, c, d, e, f, g, h in rows]
    return [(*row[:first], flag(row[first]), flag(row[second]), *row[second + 1 : -1],
             flag(row[-1])) for row in rows]  # fmt: skip


class _Flags(dict[Any, bool | None]):
    """A stored yes/no value as a boolean (None stays None), looked up without a call."""

    def __missing__(self, value: Any) -> bool | None:
        return _flag(value)


_FLAGS = _Flags({None: None, 0: False, 1: True})
