"""Insert many rows given as plain tuples, with the columns every row shares written once.

A derived refresh writes tens of thousands of rows whose columns are partly the same for all
(source, status, timestamps, empty texts). Those are written into the statement itself, so the
driver binds only the values that vary, and no dictionary is built per row. A load that adds
at least as many rows as its table holds drops the table's own indexes first and builds them
again once the rows are in, in the same transaction.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.storage.repositories.inventory_bulk import (
    _build_again,
    _copy_rows,
    _defaults,
    _drop_indexes,
    _json_text,
)

logger = logging.getLogger(__name__)

_BATCH = 5_000
#: Fewer new rows than this keep the indexes: dropping and building them costs more.
_MIN_REBUILD = 1_000
_VARIANT = "89ab"


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
    shared = {**_defaults(model), **constants}
    for name in columns:
        shared.pop(name, None)
    fixed = {n: _processed(table.c[n].type, conn.dialect, v) for n, v in shared.items()}
    if "gid" in table.c and "gid" not in columns:
        columns = [*columns, "gid"]
        rows = (row + (gid,) for row, gid in zip(rows, _fresh_gids(), strict=False))
    if conn.dialect.name == "postgresql":
        names = ", ".join(f'"{name}"' for name in [*columns, *fixed])
        tail = tuple(fixed.values())
        _copy_rows(conn, table.name, names, (row + tail for row in rows))
        return
    adding = expected if expected >= _MIN_REBUILD else 0
    deferred = _drop_indexes(conn, table.name, adding=adding) if adding else []
    _sqlite_insert(conn, table.name, columns, rows, fixed)
    _build_again(conn, deferred)
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


def _fresh_gids() -> Iterator[str]:
    """Yield new global ids, random version-4 UUIDs as text like ``models.new_gid`` gives.

    Cut from one block of random bytes per batch: about a quarter of the time of a ``uuid4``
    call, or of the database's own default, per row.
    """
    while True:
        digits = os.urandom(16 * _BATCH).hex()
        for at in range(0, len(digits), 32):
            block = digits[at : at + 32]
            variant = _VARIANT[int(block[16], 16) & 3]
            yield (f"{block[:8]}-{block[8:12]}-4{block[13:16]}-{variant}{block[17:20]}-"
                   f"{block[20:]}")  # fmt: skip


def _processed(column_type: Any, dialect: Any, value: Any) -> Any:
    """Return a value as the driver takes it for this column (JSON as its text)."""
    if isinstance(column_type, sa.JSON):
        return _json_text(value)
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
