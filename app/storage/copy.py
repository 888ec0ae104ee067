"""Copy every row of one workspace database into another (``assay workspace copy``).

The copy works on two SQLAlchemy engines, whatever database is behind each (an SQLite file, a
PostgreSQL server): every table of the schema in foreign-key order, in batches bounded by rows
and by bytes (evidence can be large), every id kept. The destination is written in one
transaction, so a failure leaves it as it was. The journal is copied as it is: its hash chain
verifies on the destination and its head is the source's. Nothing is added to the destination's
journal (that would change the head).

The source's workspace id (a workspace setting naming its anchor record) is not copied: the
copy is another workspace, which keeps an id of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import sqlalchemy as sa
from sqlmodel import SQLModel

from app.storage import models  # noqa: F401 - registers every table on SQLModel.metadata
from app.storage.migrate import revision_of
from app.storage.repositories.journal import WORKSPACE_ID_KEY
from app.storage.server_db import WRITE_LOCK_KEY

logger = logging.getLogger(__name__)

#: Rows inserted per statement, and bytes held at once (evidence tables read few rows at a time).
BATCH_ROWS = 500
BATCH_BYTES = 16 * 1024 * 1024
_BINARY_FETCH = 1
_SETTINGS = "workspace_setting"

#: Called with the rows copied so far, the rows to copy in all, and the table being copied.
CopyProgress = Callable[[int, int, str], None]


class CopyError(Exception):
    """The copy was refused or could not be made; the message is one plain sentence."""


class DestinationNotEmptyError(CopyError):
    """The destination already holds a workspace with data."""


class HasEngine(Protocol):
    """A workspace database (file or server) as the copy needs it: its engine."""

    @property
    def engine(self) -> sa.Engine:
        """Return the SQLAlchemy engine of the database."""


@dataclass(frozen=True)
class TableCopy:
    """What was copied into one table: its rows, and the bytes of its binary columns."""

    table: str
    rows: int
    binary_bytes: int = 0


def same_server_database(first: str, second: str) -> bool:
    """Return True when two server URLs name the same database (logins aside)."""
    try:
        a, b = sa.engine.make_url(first), sa.engine.make_url(second)
    except sa.exc.ArgumentError:
        return first.strip() == second.strip()

    def place(url: sa.URL) -> tuple[str, int, str]:
        return ((url.host or "localhost").lower(), url.port or 5432, url.database or "")

    return place(a) == place(b)


def tables() -> list[sa.Table]:
    """Return the workspace's tables in foreign-key order (parents first)."""
    return list(SQLModel.metadata.sorted_tables)


def row_counts(conn: sa.Connection) -> dict[str, int]:
    """Return the number of rows of every table, the workspace id setting left out."""
    counts: dict[str, int] = {}
    for table in tables():
        query = sa.select(sa.func.count()).select_from(table)
        if table.name == _SETTINGS:
            query = query.where(table.c.key != WORKSPACE_ID_KEY)
        counts[table.name] = int(conn.execute(query).scalar_one())
    return counts


def count_rows(database: HasEngine) -> dict[str, int]:
    """Return the number of rows of every table of a workspace database (see :func:`row_counts`)."""
    with database.engine.connect() as conn:
        return row_counts(conn)


def holds_data(conn: sa.Connection) -> bool:
    """Return True when a workspace holds any row beyond its schema stamp and its id."""
    return any(row_counts(conn).values())


def copy_database(
    source: HasEngine,
    destination: HasEngine,
    *,
    replace: bool = False,
    workspace_id: str | None = None,
    progress: CopyProgress | None = None,
) -> list[TableCopy]:
    """Copy every row of ``source`` into ``destination`` in one destination transaction.

    Args:
        source: The workspace read (in one read transaction, so the copy is consistent).
        destination: The workspace written; it must carry the same schema revision.
        replace: Delete the destination's rows first instead of refusing a destination that
            holds data.
        workspace_id: The destination's workspace id after the copy; its own when None.
        progress: Told how far the copy is after each batch; may raise to stop (rolled back).

    Returns:
        What was copied into each table, in the order copied.

    Raises:
        CopyError: The schemas differ, or the destination holds data and ``replace`` is False.
    """
    with (
        _reading(source.engine) as src,
        destination.engine.connect() as dst,
        src.begin(),
        dst.begin(),
    ):
        _check_revisions(src, dst)
        _lock_writers(dst)
        if holds_data(dst):
            if not replace:
                raise DestinationNotEmptyError("it already holds a workspace with data")
            _delete_rows(dst)
        if workspace_id is not None:
            _set_workspace_id(dst, workspace_id)
        copied = _copy_tables(src, dst, progress)
        _advance_sequences(dst)
    logger.info("copied %d rows in %d tables", sum(c.rows for c in copied), len(copied))
    return copied


@contextmanager
def _reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """Yield a connection whose transaction reads one snapshot of the whole source.

    SQLite's read transaction is one already; PostgreSQL needs REPEATABLE READ for every
    table to be read as of the same moment while others keep writing.
    """
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        yield conn


def _lock_writers(dst: sa.Connection) -> None:
    """On PostgreSQL, hold the workspace's write lock: no journal entry is added meanwhile."""
    if dst.dialect.name == "postgresql":
        dst.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


def _check_revisions(src: sa.Connection, dst: sa.Connection) -> None:
    have, want = revision_of(src), revision_of(dst)
    if have is None:
        raise CopyError("the source carries no schema revision: it is not an Assay workspace")
    if have != want:
        raise CopyError(
            f"the source has schema {have} and the destination {want}; open both with this "
            "version of Assay first"
        )


def _delete_rows(dst: sa.Connection) -> None:
    for table in reversed(tables()):
        dst.execute(table.delete())


def _set_workspace_id(dst: sa.Connection, value: str) -> None:
    settings = SQLModel.metadata.tables[_SETTINGS]
    dst.execute(settings.delete().where(settings.c.key == WORKSPACE_ID_KEY))
    dst.execute(settings.insert().values(key=WORKSPACE_ID_KEY, value=value))


def _copy_tables(
    src: sa.Connection, dst: sa.Connection, progress: CopyProgress | None
) -> list[TableCopy]:
    total = sum(row_counts(src).values())
    done = 0
    copied: list[TableCopy] = []
    for table in tables():
        rows = binary = 0
        later: list[dict[str, Any]] = []
        for batch, size in _batches(src, table):
            later.extend(_hold_self_references(table, batch))
            dst.execute(table.insert(), batch)
            rows, binary, done = rows + len(batch), binary + size, done + len(batch)
            if progress is not None:
                progress(done, total, table.name)
        _restore_self_references(dst, table, later)
        copied.append(TableCopy(table.name, rows, binary))
    return copied


def _batches(src: sa.Connection, table: sa.Table) -> Iterator[tuple[list[dict[str, Any]], int]]:
    """Yield the table's rows in primary-key order, in batches bounded by rows and bytes."""
    binary = [c.name for c in table.columns if isinstance(c.type, sa.LargeBinary)]
    query = sa.select(table).order_by(*table.primary_key.columns)
    if table.name == _SETTINGS:
        query = query.where(table.c.key != WORKSPACE_ID_KEY)
    fetch = _BINARY_FETCH if binary else BATCH_ROWS
    result = src.execution_options(stream_results=True, yield_per=fetch).execute(query)
    batch: list[dict[str, Any]] = []
    size = 0
    for row in result.mappings():
        batch.append(dict(row))
        size += sum(len(row[name] or b"") for name in binary)
        if len(batch) >= BATCH_ROWS or size >= BATCH_BYTES:
            yield batch, size
            batch, size = [], 0
    if batch:
        yield batch, size


def _self_references(table: sa.Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _hold_self_references(table: sa.Table, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blank the columns pointing into the same table (set again once every row is in).

    A row may point at a row of its own table that comes later in key order.
    """
    columns = _self_references(table)
    if not columns:
        return []
    (key,) = [c.name for c in table.primary_key.columns]
    held = []
    for row in batch:
        values = {name: row[name] for name in columns if row[name] is not None}
        if values:
            held.append({"_key": row[key], **{f"_{k}": v for k, v in values.items()}})
            row.update(dict.fromkeys(values))
    return held


def _restore_self_references(
    dst: sa.Connection, table: sa.Table, held: list[dict[str, Any]]
) -> None:
    if not held:
        return
    (key,) = table.primary_key.columns
    for name in _self_references(table):
        rows = [r for r in held if f"_{name}" in r]
        if rows:
            update = table.update().where(key == sa.bindparam("_key"))
            dst.execute(update.values({name: sa.bindparam(f"_{name}")}), rows)


def _advance_sequences(dst: sa.Connection) -> None:
    """On PostgreSQL, move each id sequence past the copied ids (new rows get fresh ids)."""
    if dst.dialect.name != "postgresql":
        return
    for table in tables():
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, sa.Integer):
            continue
        column = keys[0].name
        dst.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                f'COALESCE((SELECT MAX("{column}") FROM "{table.name}"), 0) + 1, false)'
            ),
            {"table": table.name, "column": column},
        )
