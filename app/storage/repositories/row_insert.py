"""Insert many rows given as plain tuples, with the columns every row shares written once.

A derived refresh writes tens of thousands of rows whose columns are partly the same for all
(source, status, timestamps, empty texts). Those are written into the statement itself, so the
driver binds only the values that vary, and no dictionary is built per row. A load that adds
at least as many rows as its table holds drops the table's own indexes first and builds them
again once the rows are in, in the same transaction.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlmodel import Session, SQLModel

logger = logging.getLogger(__name__)

_BATCH = 5_000
#: Fewer new rows than this keep the indexes: dropping and building them costs more.
_MIN_REBUILD = 1_000


def model_defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Return the default of each column of a model that has one (``id`` and ``gid`` left out).

    Args:
        model: The table's model.

    Returns:
        Column name → the value a new row takes when none is given.
    """
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in ("id", "gid"):  # each row gets a gid of its own
            continue
        if info.default_factory is not None:
            values[name] = info.default_factory()  # type: ignore[call-arg]
        elif info.default is not PydanticUndefined:
            values[name] = info.default
    return values


#: JSON text of short lists of strings (tools, tags), which repeat across many rows.
_LIST_TEXT: dict[tuple[str, ...], str] = {}


def json_text(value: Any) -> str | None:
    """Return a JSON column's value as the text stored for it (None stays NULL).

    A short list of strings is encoded once and its text remembered. Only strings: ``[1]``,
    ``[1.0]`` and ``[true]`` are equal as tuples, but their texts differ.

    Args:
        value: The value (a list, a dict, or None).

    Returns:
        The JSON text, or None.
    """
    if value is None:
        return None
    if not value:
        return "[]" if isinstance(value, list) else "{}"
    if isinstance(value, list) and len(value) < 8 and all(v.__class__ is str for v in value):
        key = tuple(value)
        text = _LIST_TEXT.get(key)
        if text is None:
            text = json.dumps(value, ensure_ascii=False)
            if len(_LIST_TEXT) < 10_000:
                _LIST_TEXT[key] = text
        return text
    return json.dumps(value, ensure_ascii=False)


def insert_values(
    session: Session,
    model: type[SQLModel],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    constants: dict[str, Any],
    *,
    expected: int,
) -> None:
    """Insert rows of ``columns`` values; every row also takes ``constants`` and the defaults.

    Args:
        session: The unit's session (its transaction holds the rows and any index rebuild).
        model: The table's model; a column neither given nor constant takes its default, and
            each row a ``gid`` of its own.
        columns: The names of the values of each row, in order.
        rows: The rows, each value as the database stores it (JSON as its text); a
            generator is read batch by batch and never held whole.
        constants: Values shared by every row, by column.
        expected: About how many rows there are: a load adding as many rows as the table
            holds builds its indexes once after the rows are in.
    """
    table = model.__table__  # type: ignore[attr-defined]
    conn = session.connection()
    shared = {**model_defaults(model), **constants}
    for name in columns:
        shared.pop(name, None)
    fixed = {n: processed_value(table.c[n].type, conn.dialect, v) for n, v in shared.items()}
    if "gid" in table.c and "gid" not in columns:
        columns = [*columns, "gid"]
        rows = (row + (gid,) for row, gid in zip(rows, fresh_gids(), strict=False))
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{name}"' for name in [*columns, *fixed])
        tail = tuple(fixed.values())
        _copy_rows(conn, table.name, names, (row + tail for row in rows))
        return
    adding = expected if expected >= _MIN_REBUILD else 0
    deferred = drop_indexes_for_load(conn, table.name, adding=adding) if adding else []
    _sqlite_insert(conn, table.name, columns, rows, fixed)
    build_indexes_again(conn, deferred)
    if deferred:
        logger.info("%s: %d indexes built again after adding %d rows", table.name,
                    len(deferred), expected)  # fmt: skip


def _sqlite_insert(
    conn: sa.Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    fixed: dict[str, Any],
) -> None:
    names = ", ".join(f'"{name}"' for name in [*columns, *fixed])  # ``references`` is a keyword
    values = ", ".join(["?"] * len(columns) + [_literal(value) for value in fixed.values()])
    sql = f"INSERT INTO {table} ({names}) VALUES ({values})"
    rows = iter(rows)
    while batch := list(islice(rows, _BATCH)):
        conn.exec_driver_sql(sql, batch)


def insert_columns(
    conn: sa.Connection,
    table: str,
    names: Sequence[str],
    columns: Sequence[Sequence[Any]],
    fixed: dict[str, Any],
) -> None:
    """Insert one batch of rows given column by column, each value as the database stores it.

    Args:
        conn: The session's connection (the caller's transaction holds the rows).
        table: The table's name.
        names: The name of each column, in the order of ``columns``.
        columns: The values of each column over the batch, all of the same length.
        fixed: Values shared by every row, by column, as the database stores them.

    A column holding the same text, number or NULL in every row of the batch is written into
    the statement like ``fixed``, so the driver binds only the values that vary. A server
    takes the rows by COPY.
    """
    if conn.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in [*names, *fixed])
        tail = tuple(fixed.values())
        _copy_rows(conn, table, quoted, (row + tail for row in zip(*columns, strict=True)))
        return
    shared = dict(fixed)
    varying: dict[str, Sequence[Any]] = {}
    for name, values in zip(names, columns, strict=True):
        if len(values) > 1 and _same_throughout(values):
            shared[name] = values[0]
        else:
            varying[name] = values
    if not varying:  # a statement binds at least one value, or it would insert no rows
        name = next(iter(shared.keys() - fixed.keys()))
        varying[name] = [shared.pop(name)] * len(columns[0])
    _sqlite_insert(conn, table, list(varying), zip(*varying.values(), strict=True), shared)


def _same_throughout(values: Sequence[Any]) -> bool:
    """Tell whether every value is the first one: the same text, integer or NULL.

    Other kinds (and an integer column mixing numbers that compare equal, like 1 and 1.0,
    stored differently in a text column), and text holding a NUL character, are bound as they
    are.
    """
    first = values[0]
    kind = first.__class__
    if first is not None and kind is not str and kind is not int:
        return False
    if kind is str and "\0" in first:  # the driver takes such text bound, not in a statement
        return False
    if values.count(first) != len(values):
        return False
    return kind is not int or set(map(type, values)) == {int}


def fresh_gids() -> Iterator[str]:
    """Yield new global ids, random version-4 UUIDs as text like ``models.new_gid`` gives.

    Cut from one block of random bytes per batch, its version and variant bits set for all
    ids at once: about a fifth of the time of a ``uuid4`` call, or of the database's own
    default, per row.
    """
    while True:
        yield from _gid_batch(_BATCH)


def _gid_batch(count: int) -> list[str]:
    """Return ``count`` new global ids (see :func:`fresh_gids`)."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = raw[6::16].translate(_VERSION_4)
    raw[8::16] = raw[8::16].translate(_RFC_4122)
    digits = raw.hex()
    return [f"{digits[at : at + 8]}-{digits[at + 8 : at + 12]}-{digits[at + 12 : at + 16]}-"
            f"{digits[at + 16 : at + 20]}-{digits[at + 20 : at + 32]}"
            for at in range(0, 32 * count, 32)]  # fmt: skip


#: Byte translations setting a UUID's version (the high half of its 7th byte: 4) and its
#: variant (the two high bits of its 9th byte: 10).
_VERSION_4 = bytes((byte & 0x0F) | 0x40 for byte in range(256))
_RFC_4122 = bytes((byte & 0x3F) | 0x80 for byte in range(256))


def processed_value(column_type: Any, dialect: Any, value: Any) -> Any:
    """Return a value as the driver takes it for this column (JSON as its text)."""
    if isinstance(column_type, sa.JSON):
        return json_text(value)
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    return process(value) if process is not None else value


def _literal(value: Any) -> str:
    """Return an SQL literal for a processed constant (text, number or NULL)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for a {type(value).__name__}")


def build_indexes_again(conn: sa.Connection, deferred: list[str]) -> None:
    """Build the indexes :func:`drop_indexes_for_load` dropped, once the load is in.

    Only after a load that succeeded: a failed one is rolled back with the caller's
    transaction, which brings the dropped indexes back, and its own error is the one reported.
    """
    for sql in deferred:
        conn.exec_driver_sql(sql)


_IF_MISSING = re.compile(r"^CREATE (?:UNIQUE )?INDEX ")


def drop_indexes_for_load(conn: sa.Connection, table: str, *, adding: int = 0) -> list[str]:
    """Drop a workspace file table's own indexes for a bulk load; return their SQL.

    The table must be empty, or hold no more rows than the load is ``adding``. Building an
    index once over the loaded rows is much quicker than growing it row by row. The drop and
    the building again happen in the caller's transaction, so a failed or interrupted load
    leaves the indexes as they were; constraints' own indexes stay.
    """
    if conn.dialect.name != "sqlite":
        return []
    held = f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT {int(adding) + 1})"
    if conn.exec_driver_sql(held).scalar_one() > adding:
        return []
    found = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        (table,),
    ).all()
    for name, _sql in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    # Built again "if not exists", in case the table's indexes came back some other way.
    return [_IF_MISSING.sub(r"\g<0>IF NOT EXISTS ", sql, count=1) for _name, sql in found]


def _copy_rows(
    conn: sa.Connection, table: str, columns: str, rows: Iterable[tuple[Any, ...]]
) -> None:
    """Send rows to a PostgreSQL table with COPY, in the session's transaction.

    One stream instead of a statement per row: a large import spends its time on the rows,
    not on round trips (it is about twice as fast as executemany on a server).
    """
    driver = conn.connection.driver_connection
    assert driver is not None  # a checked-out connection always has its driver connection
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
