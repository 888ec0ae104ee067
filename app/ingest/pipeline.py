"""Read an inventory file end to end: raw sheets → mapped sheets → records and problems.

This is the one entry point the import service calls; it touches no workspace. Cross-checks
that need the workspace (does this identity exist?) happen in :mod:`app.ingest.references`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from app.ingest import aws
from app.ingest.choices import IdRule, ValueMap, parse_id_rule, parse_values
from app.ingest.cloud import reader as cloud
from app.ingest.cloud.detect import FORMATS as EXPORT_FORMATS
from app.ingest.fields import all_field_names, header_key
from app.ingest.headers import map_sheet, valid_mapping_target
from app.ingest.limits import DEFAULT_LIMITS, Limits
from app.ingest.merge import Merger
from app.ingest.permissions import read_permissions
from app.ingest.problems import IngestError
from app.ingest.readers import RawFile, read_file
from app.ingest.records import ParsedInventory, Record
from app.ingest.rows import SheetRows, read_sheet_rows
from app.support.gc_pause import paused_gc
from app.support.heap import return_free_memory

logger = logging.getLogger(__name__)

FORMATS = ("auto", aws.FORMAT, *EXPORT_FORMATS)
Tick = Callable[[float, str], None]


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


def parse_header_rows(rows: Mapping[str, int] | list[str] | None) -> dict[str, int]:
    """Read the header rows the user chose into sheet name → 1-based row.

    Args:
        rows: ``{"Sheet": 3}`` or ``["Sheet=3", ...]``; an empty sheet name, or a bare
            number (``"3"``), stands for the file's only sheet (a CSV file's, say).

    Returns:
        The rows by sheet name (empty for the file's only sheet).

    Raises:
        IngestError: A row is not a whole number from 1, or a sheet is given two rows.
    """
    chosen: dict[str, int] = {}
    if not rows:
        return chosen
    items = rows.items() if isinstance(rows, Mapping) else [_split_row(r) for r in rows]
    for sheet, value in items:
        name = str(sheet).strip()
        row = _row_number(name, value)
        if chosen.get(name, row) != row:
            where = f"sheet {name!r}" if name else "the file's sheet"
            raise IngestError(f"header row: {where} is given two rows, {chosen[name]} and {row}")
        chosen[name] = row
    return chosen


def _split_row(text: str) -> tuple[str, str]:
    sheet, _, row = str(text).rpartition("=")
    return sheet, row


def _row_number(sheet: str, value: object) -> int:
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        shown = f"{sheet}={text}" if sheet else text
        raise IngestError(
            f"header row {shown!r} should read SHEET=N with N a row number from 1 "
            "(e.g. 'Systems=4'; a bare N for a CSV file)"
        )
    return int(text)


def resolve_header_rows(raw: RawFile, rows: Mapping[str, int]) -> dict[str, int]:
    """Return the chosen header rows keyed by the names of the sheets read from ``raw``.

    Raises:
        IngestError: A row names a sheet that was not read, or a bare row is given for a file
            of several sheets.
    """
    names = [s.name for s in raw.sheets]
    resolved: dict[str, int] = {}
    for name, row in rows.items():
        sheet = _sheet_named(raw, names, name, row)
        if resolved.get(sheet, row) != row:
            raise IngestError(
                f"{raw.name}: sheet {sheet!r} is given two header rows, {resolved[sheet]} and {row}"
            )
        resolved[sheet] = row
    return resolved


def _sheet_named(raw: RawFile, names: list[str], name: str, row: int) -> str:
    if name in names:
        return name
    if len(names) == 1 and (not name or (raw.kind == "csv" and name == raw.name)):
        return names[0]
    listed = ", ".join(repr(n) for n in names) or "none"
    if not name:
        raise IngestError(
            f"{raw.name} has {len(names)} sheets ({listed}); name the sheet of header row "
            f"{row} (SHEET={row})"
        )
    raise IngestError(
        f"{raw.name}: header row {row} is given for sheet {name!r}, which is not among the "
        f"sheets read ({listed})"
    )


def parse_inventory(
    path: Path,
    *,
    sheet: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    format: str = "auto",  # noqa: A002 - the CLI's option name
    header_rows: Mapping[str, int] | list[str] | None = None,
    values: Mapping[str, str] | list[str] | None = None,
    id_rule: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    tick: Tick | None = None,
) -> ParsedInventory:
    """Read an inventory file into records and problems.

    Args:
        path: The .xlsx, .xlsm or .csv file, or an identity export (JSON/YAML file, or a
            folder of them; see :mod:`app.ingest.cloud`).
        sheet: Read only this sheet of a workbook.
        mapping: Column → field pairs for headers the aliases do not cover.
        format: ``auto``, ``aws-credential-report`` or an identity-export format.
        header_rows: The 1-based header row of some sheets, by sheet name (see
            :func:`parse_header_rows`); the other sheets' header rows are found as usual.
        values: What cells mean, ``["Column:Text=value", ...]`` (see
            :func:`app.ingest.choices.parse_values`); an empty value leaves it unrecorded.
        id_rule: How a row without an id gets one: ``generated`` (the default), a column, or
            columns joined with ``+``.
        limits: Caps on size, rows, columns and cells.
        tick: Called with a fraction in [0, 1] and a message as the work goes on; it may raise
            to cancel.

    Returns:
        The records of every entity, the links, the problems and how each sheet was read.

    Raises:
        IngestError: The file cannot be read at all, the mapping is malformed, or a chosen
            header row names no sheet read, is past its sheet's end or is empty.
    """
    if format not in FORMATS:
        raise IngestError(f"unknown format {format!r} (use {', '.join(FORMATS)})")
    if format in EXPORT_FORMATS or (format == "auto" and cloud.is_export(Path(path))):
        if sheet or mapping or header_rows or values or (id_rule not in (None, "", "generated")):
            raise IngestError(
                f"{Path(path).name} is read as an identity export, which has no sheets, columns, "
                "header rows, value mappings or id rules to choose"
            )
        _tick(tick, 0.0, f"Reading {Path(path).name}")
        with paused_gc():
            inventory = cloud.read_exports(Path(path), format=format, limits=limits)
        _tick(tick, 1.0, "Read")
        return inventory
    options = _Options(
        sheet,
        parse_mapping(mapping),
        format,
        parse_header_rows(header_rows),
        parse_values(values),
        parse_id_rule(id_rule),
    )
    with paused_gc():
        return _parse(Path(path), options, limits, tick)


@dataclass(frozen=True, slots=True)
class _Options:
    sheet: str | None
    mapping: ColumnMapping
    format: str
    header_rows: dict[str, int]
    values: ValueMap
    id_rule: IdRule


def _parse(path: Path, options: _Options, limits: Limits, tick: Tick | None) -> ParsedInventory:
    _tick(tick, 0.0, f"Reading {Path(path).name}")
    raw = read_file(Path(path), sheet=options.sheet, limits=limits, lazy=True)
    _tick(tick, 0.3, "Reading rows")
    wanted = options.format
    is_report = len(raw.sheets) == 1 and aws.looks_like_report(raw.sheets[0])
    if wanted == aws.FORMAT or (wanted == "auto" and raw.kind == "csv" and is_report):
        if not raw.sheets:
            raise IngestError(f"{raw.name} is empty")
        if options.header_rows:
            raise IngestError(
                f"{raw.name} is read as an AWS IAM credential report, whose headers are always "
                "its first row; a header row cannot be chosen for it"
            )
        inventory = aws.read_credential_report(raw.name, raw.sheets[0])
    else:
        inventory = parse_raw_file(
            raw,
            options.mapping,
            header_rows=options.header_rows,
            values=options.values,
            id_rule=options.id_rule,
            limits=limits,
            tick=tick,
        )
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
    header_rows: Mapping[str, int] | None = None,
    values: ValueMap | None = None,
    id_rule: IdRule | None = None,
    limits: Limits = DEFAULT_LIMITS,
    tick: Tick | None = None,
) -> ParsedInventory:
    """Map and read the sheets of a file already read (the part of the work after reading).

    Args:
        raw: The file's raw sheets.
        mapping: The user's column mapping from :func:`parse_mapping`.
        header_rows: The chosen header rows from :func:`parse_header_rows`.
        values: The value mappings from :func:`app.ingest.choices.parse_values`.
        id_rule: The id rule from :func:`app.ingest.choices.parse_id_rule`.
        limits: Caps on cells.
        tick: Progress callback, as for :func:`parse_inventory`.

    Returns:
        The records, links, problems and sheet summaries.

    Raises:
        IngestError: The mapping names a column no sheet has, or a chosen header row names no
            sheet read, is past its sheet's end or is empty.
    """
    mapping = mapping if mapping is not None else ColumnMapping()
    inventory = ParsedInventory(raw.name, raw.kind)
    inventory.header_rows = resolve_header_rows(raw, header_rows or {})
    merger = Merger(inventory, id_rule)
    used_keys: set[str] = set()
    count = max(len(raw.sheets), 1)
    for number, raw_sheet in enumerate(raw.sheets):
        label = raw_sheet.name if raw.kind == "xlsx" else ""
        chosen = inventory.header_rows.get(raw_sheet.name)
        sheet = map_sheet(raw_sheet, raw.name, label, mapping, limits, header_row=chosen)
        inventory.problems.extend(sheet.problems)
        if sheet.entity is None:
            raw_sheet.release()
            continue
        used_keys |= {header_key(c.header) for c in sheet.columns} & set(mapping)

        def sheet_tick(fraction: float, number: int = number, name: str = raw_sheet.name) -> None:
            _tick(tick, 0.3 + 0.7 * (number + fraction) / count, f"Reading sheet {name}")

        result = read_sheet_rows(
            sheet, limits=limits, tick=sheet_tick, values=values, id_rule=id_rule
        )
        raw_sheet.release()  # a workbook's next sheet is read into the memory this one held
        inventory.problems.extend(result.problems + result.skipped)
        inventory.skipped_rows.extend(result.skipped)
        inventory.unknown_values.extend(result.unknown.values())
        inventory.reject(result.rejected)
        strict = sheet.entity if len(result.covered - {"links"}) <= 1 else None
        rejected = _merge_rows(merger, result, strict)
        if result.info is not None:
            result.info.rejected_rows += rejected
            inventory.sheets.append(result.info)
            inventory.rows += result.info.rows
        inventory.covered |= result.covered
        del result  # the sheet's rows are merged: give back what reading them took
        return_free_memory()
    read_permissions(inventory)
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
