"""Read an inventory file end to end: raw sheets → mapped sheets → records and problems.

This is the one entry point the import service calls; it touches no workspace. Cross-checks
that need the workspace (does this identity exist?) happen in :mod:`app.ingest.references`.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from app.ingest import aws
from app.ingest.fields import all_field_names, header_key
from app.ingest.headers import map_sheet, valid_mapping_target
from app.ingest.limits import DEFAULT_LIMITS, Limits
from app.ingest.merge import Merger
from app.ingest.problems import IngestError
from app.ingest.readers import RawFile, read_file
from app.ingest.records import ParsedInventory, Record
from app.ingest.rows import SheetRows, read_sheet_rows

logger = logging.getLogger(__name__)

FORMATS = ("auto", aws.FORMAT)
Tick = Callable[[float, str], None]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large import builds its objects.

    Reading 100,000 rows creates millions of small containers, which makes the collector
    walk every live object again and again; none of them form cycles worth collecting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ColumnMapping(dict[str, str]):
    """The user's column mapping: header key → field text, remembering the names as written."""

    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, str] = {}


def parse_mapping(pairs: Mapping[str, str] | list[str] | None) -> ColumnMapping:
    """Read the user's column mapping into header key → field text.

    Args:
        pairs: ``{"Column": "field"}`` or ``["Column=field", ...]``; the field may be
            ``entity.field`` or ``attribute`` (keep the column as a custom attribute).

    Returns:
        The mapping keyed by the column header's comparison key.

    Raises:
        IngestError: A pair is malformed or names no field.
    """
    mapping = ColumnMapping()
    if not pairs:
        return mapping
    items = pairs.items() if isinstance(pairs, Mapping) else [_split_pair(p) for p in pairs]
    for column, target in items:
        if not header_key(column):
            raise IngestError(f"mapping {column}={target}: the column name is empty")
        if not valid_mapping_target(target):
            fields = ", ".join(all_field_names())
            raise IngestError(
                f"mapping {column}={target}: {target!r} is not an inventory field "
                f"(fields: {fields}; or 'attribute' to keep the column as it is)"
            )
        mapping[header_key(column)] = target.strip()
        mapping.names[header_key(column)] = column.strip()
    return mapping


def _split_pair(pair: str) -> tuple[str, str]:
    if "=" not in pair:
        raise IngestError(f"mapping {pair!r} should read COLUMN=FIELD, e.g. 'Owner=owner_email'")
    column, target = pair.split("=", 1)
    return column.strip(), target.strip()


def parse_inventory(
    path: Path,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    format: str = "auto",  # noqa: A002 - the CLI's option name
    limits: Limits = DEFAULT_LIMITS,
    tick: Tick | None = None,
) -> ParsedInventory:
    """Read an inventory file into records and problems.

    Args:
        path: The .xlsx, .xlsm or .csv file.
        sheet: Read only this sheet of a workbook.
        mapping: Column → field pairs for headers the aliases do not cover.
        format: ``auto`` or ``aws-credential-report``.
        limits: Caps on size, rows, columns and cells.
        tick: Called with a fraction in [0, 1] and a message as the work goes on; it may raise
            to cancel.

    Returns:
        The records of every entity, the links, the problems and how each sheet was read.

    Raises:
        IngestError: The file cannot be read at all, or the mapping is malformed.
    """
    if format not in FORMATS:
        raise IngestError(f"unknown format {format!r} (use {' or '.join(FORMATS)})")
    with paused_gc():
        return _parse(Path(path), sheet, parse_mapping(mapping), format, limits, tick)


def _parse(
    path: Path,
    sheet: str | None,
    user_mapping: ColumnMapping,
    format: str,  # noqa: A002 - the CLI's option name
    limits: Limits,
    tick: Tick | None,
) -> ParsedInventory:
    _tick(tick, 0.0, f"Reading {Path(path).name}")
    raw = read_file(Path(path), sheet=sheet, limits=limits)
    _tick(tick, 0.3, "Reading rows")
    is_report = len(raw.sheets) == 1 and aws.looks_like_report(raw.sheets[0])
    if format == aws.FORMAT or (format == "auto" and raw.kind == "csv" and is_report):
        if not raw.sheets:
            raise IngestError(f"{raw.name} is empty")
        inventory = aws.read_credential_report(raw.name, raw.sheets[0])
    else:
        inventory = parse_raw_file(raw, user_mapping, limits=limits, tick=tick)
    _tick(tick, 1.0, "Read")
    logger.info(
        "parsed %s: %s, %d problems",
        raw.name,
        {entity: len(records) for entity, records in inventory.records.items()},
        len(inventory.problems),
    )
    return inventory


def parse_raw_file(
    raw: RawFile,
    mapping: ColumnMapping | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    tick: Tick | None = None,
) -> ParsedInventory:
    """Map and read the sheets of a file already read (the part of the work after reading).

    Args:
        raw: The file's raw sheets.
        mapping: The user's column mapping from :func:`parse_mapping`.
        limits: Caps on cells.
        tick: Progress callback, as for :func:`parse_inventory`.

    Returns:
        The records, links, problems and sheet summaries.

    Raises:
        IngestError: The mapping names a column no sheet has.
    """
    mapping = mapping if mapping is not None else ColumnMapping()
    inventory = ParsedInventory(raw.name, raw.kind)
    merger = Merger(inventory)
    used_keys: set[str] = set()
    count = max(len(raw.sheets), 1)
    for number, raw_sheet in enumerate(raw.sheets):
        label = raw_sheet.name if raw.kind == "xlsx" else ""
        sheet = map_sheet(raw_sheet, raw.name, label, mapping, limits)
        inventory.problems.extend(sheet.problems)
        if sheet.entity is None:
            continue
        used_keys |= {header_key(c.header) for c in sheet.columns} & set(mapping)

        def sheet_tick(fraction: float, number: int = number, name: str = raw_sheet.name) -> None:
            _tick(tick, 0.3 + 0.7 * (number + fraction) / count, f"Reading sheet {name}")

        result = read_sheet_rows(sheet, limits=limits, tick=sheet_tick)
        inventory.problems.extend(result.problems)
        inventory.reject(result.rejected)
        strict = sheet.entity if len(result.covered - {"links"}) <= 1 else None
        rejected = _merge_rows(merger, result, strict)
        if result.info is not None:
            result.info.rejected_rows += rejected
            inventory.sheets.append(result.info)
            inventory.rows += result.info.rows
        inventory.covered |= result.covered
    unused = set(mapping) - used_keys
    if unused:
        names = ", ".join(repr(mapping.names[key]) for key in sorted(unused))
        raise IngestError(f"the mapping names columns that no sheet of {raw.name} has: {names}")
    return inventory


def _merge_rows(merger: Merger, result: SheetRows, strict: str | None) -> int:
    """Merge a sheet's rows in file order, rejected rows included; return how many it rejects.

    The merger sees the rows the sheet rejected for their own errors in their place, so a later
    row repeating a rejected row's id is reported as its duplicate rather than taken as first.
    """
    by_row: dict[int, list[Record]] = {}
    for record in result.rejected:
        by_row.setdefault(record.source.row, []).append(record)
    pending = sorted(by_row.items())
    done = rejected = 0
    for bundle in result.bundles:
        while done < len(pending) and pending[done][0] < bundle.source.row:
            merger.add_rejected(pending[done][1], strict_entity=strict)
            done += 1
        if not merger.add(bundle, strict_entity=strict):
            rejected += 1
    for _, records in pending[done:]:
        merger.add_rejected(records, strict_entity=strict)
    return rejected


def _tick(tick: Tick | None, fraction: float, message: str) -> None:
    if tick is not None:
        tick(fraction, message)
