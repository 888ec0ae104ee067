"""Find a sheet's header row and map its columns onto canonical fields.

The header row is the row among the first few whose cells match the most known headers, so
title rows and merged banners above it are skipped; the user may choose another row instead.
The sheet's entity comes from its name (``Identities``, ``Service accounts``, ``Access
grants``...) or, failing that, from which entity's headers match best. A header then maps, in
this order: to a field of the sheet's own entity; to that entity's ``id`` when it is the
entity's own label (``Service account`` in an identities sheet); to another entity's field
when qualified (``Identity kind``). Everything else is kept as a custom attribute.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from app.ingest.fields import (
    ENTITIES,
    KNOWN_HEADER_KEYS,
    QUALIFIED,
    SHEET_KEYS,
    SPECS,
    UNQUALIFIED,
    header_key,
    parse_field,
)
from app.ingest.limits import DEFAULT_LIMITS, Limits
from app.ingest.problems import WARNING, IngestError, Problem
from app.ingest.xlsx import RawSheet, column_letter

logger = logging.getLogger(__name__)

#: What a user mapping may say to keep a column as a custom attribute.
ATTRIBUTE_TARGETS = frozenset({"", "-", "attribute", "attributes", "custom", "none", "ignore"})

_LABEL_KEYS: dict[str, frozenset[str]] = {
    name: frozenset(header_key(label) for label in spec.labels) for name, spec in SPECS.items()
}
_ALL_LABEL_KEYS = frozenset().union(*_LABEL_KEYS.values())
#: Sheets of explanations that are skipped without a warning when they hold no inventory.
_NOTE_SHEETS = frozenset(
    header_key(name)
    for name in ("read me", "readme", "instructions", "notes", "about", "lists", "help", "guide",
                 "legend", "cover", "contents", "lookups", "lookup", "changelog", "version")
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a sheet and where its cells go.

    Attributes:
        index: The 0-based column index.
        header: The header as written, or ``Column F`` when the header cell is empty.
        entity: The entity of the target field; None for a custom attribute.
        field: The canonical field; None for a custom attribute.
    """

    index: int
    header: str
    entity: str | None = None
    field: str | None = None

    @property
    def target(self) -> str:
        """Return ``entity.field``, or empty for a custom attribute."""
        return f"{self.entity}.{self.field}" if self.entity and self.field else ""


@dataclass
class MappedSheet:
    """A sheet with its header row found and its columns mapped.

    Attributes:
        raw: The cells.
        file: The file name.
        label: The sheet name used in messages (empty for a CSV file).
        entity: The entity its rows describe; None when the sheet is skipped.
        header_row: The 0-based index of the header row in ``raw.rows``; -1 when none.
        columns: The columns, in sheet order.
        problems: Warnings about the mapping.
    """

    raw: RawSheet
    file: str
    label: str
    entity: str | None
    header_row: int
    columns: list[Column] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def entities(self) -> set[str]:
        """Return the entities that some column maps to."""
        return {c.entity for c in self.columns if c.entity}


def find_header_row(
    rows: list[list[Any]], user_keys: frozenset[str] = frozenset(), limits: Limits = DEFAULT_LIMITS
) -> int:
    """Return the 0-based index of the header row, or -1 when no row looks like headers."""
    best, best_score = -1, 0
    for index, row in enumerate(rows[: limits.header_search_rows]):
        keys = [header_key(c) for c in row if isinstance(c, str) and c.strip()]
        score = sum(1 for k in keys if k in KNOWN_HEADER_KEYS or k in _ALL_LABEL_KEYS)
        score += sum(1 for k in keys if k in user_keys)
        enough = score >= 2 or (score == 1 and len(keys) == 1)
        if enough and score > best_score:
            best, best_score = index, score
    return best


def chosen_header_row(raw: RawSheet, file: str, label: str, row: int) -> int:
    """Check a header row the user chose and return its 0-based index.

    Args:
        raw: The sheet's cells.
        file: The file name, for messages.
        label: The sheet name for messages (empty for a CSV file).
        row: The 1-based row holding the headers.

    Raises:
        IngestError: The row is before the first, past the sheet's end, or empty.
    """
    where = f"{file}, sheet {label!r}" if label else file
    if row < 1:
        raise IngestError(f"{where}: header row {row} does not exist (rows count from 1)")
    if row > len(raw.rows):
        end = f"its last row is {len(raw.rows):,}" if raw.rows else "it has no rows"
        part = "sheet" if label else "file"
        raise IngestError(f"{where}: header row {row:,} is past the end of the {part} ({end})")
    if all(cell in ("", None) for cell in raw.rows[row - 1]):
        raise IngestError(f"{where}: row {row:,}, chosen as the header row, is empty")
    return row - 1


def entity_from_name(name: str) -> str | None:
    """Return the entity a sheet (or CSV file) name stands for, if it names one."""
    key = header_key(name)
    if not key:
        return None
    for entity in ENTITIES:
        if key in SHEET_KEYS[entity]:
            return entity
    candidates = [(len(k), e) for e in ENTITIES for k in SHEET_KEYS[e] if len(k) > 2 and k in key]
    return max(candidates)[1] if candidates else None


def entity_from_headers(keys: list[str]) -> str | None:
    """Return the entity whose headers (and key fields) match the given header keys best."""
    best, best_score = None, 0
    for entity in ENTITIES:
        spec, table = SPECS[entity], UNQUALIFIED[entity]
        matched = {table[k] for k in keys if k in table}
        if "id" in spec.field_names and _LABEL_KEYS[entity] & set(keys):
            matched.add("id")
        required = [k for k in spec.key if k not in ("scope", "kind")]
        score = len(matched) + (3 if all(k in matched for k in required) else 0)
        if score > best_score:
            best, best_score = entity, score
    return best


def _has_key_columns(entity: str, keys: list[str]) -> bool:
    found = {resolve_header(k, entity) for k in keys}
    required = [f for f in SPECS[entity].key if f not in ("scope", "kind")]
    return all((entity, f) in found for f in required)


def _sheet_entity(name: str, keys: list[str]) -> str | None:
    """Return the sheet's entity: from its name, unless only the headers make sense."""
    by_name, by_headers = entity_from_name(name), entity_from_headers(keys)
    if by_name is None or by_headers is None or by_name == by_headers:
        return by_name or by_headers
    if (
        not _has_key_columns(by_name, keys)
        and _has_key_columns(by_headers, keys)
        and _own_matches(by_headers, keys) > _own_matches(by_name, keys)
    ):
        return by_headers
    return by_name


def _own_matches(entity: str, keys: list[str]) -> int:
    return sum(1 for k in keys if (resolve_header(k, entity) or ("",))[0] == entity)


def resolve_header(key: str, entity: str) -> tuple[str, str] | None:
    """Return the ``(entity, field)`` a header key means in a sheet of ``entity``, if any."""
    own = UNQUALIFIED[entity].get(key)
    if own is not None:
        return entity, own
    if key in _LABEL_KEYS[entity] and "id" in SPECS[entity].field_names:
        return entity, "id"
    return QUALIFIED.get(key)


def map_sheet(
    raw: RawSheet,
    file: str,
    label: str,
    mapping: dict[str, str],
    limits: Limits = DEFAULT_LIMITS,
    header_row: int | None = None,
) -> MappedSheet:
    """Find the header row of a sheet (or take the one chosen) and map its columns.

    Args:
        raw: The sheet's cells.
        file: The file name, for messages.
        label: The sheet name for messages (empty for a CSV file).
        mapping: The user's mapping: header key → field (``kind``, ``identities.kind``, or
            ``attribute`` to keep the column as a custom attribute).
        limits: Where to stop looking for the header row.
        header_row: The 1-based row the user chose as the header row; None to find it.

    Returns:
        The mapped sheet; its ``entity`` is None when the sheet has no usable header.

    Raises:
        IngestError: The chosen header row is past the sheet's end or empty.
    """
    if header_row is not None:
        index = chosen_header_row(raw, file, label, header_row)
        unknown = (
            f"the headers of row {header_row:,}, the chosen header row, match no inventory sheet"
        )
    else:
        index = find_header_row(raw.rows, frozenset(mapping), limits)
        unknown = "its columns match no inventory sheet"
    if index < 0:
        return _skipped(raw, file, label, "no row looks like a header of inventory columns")
    return _map_columns(raw, file, label, mapping, index, unknown)


def _map_columns(
    raw: RawSheet, file: str, label: str, mapping: dict[str, str], header_row: int, unknown: str
) -> MappedSheet:
    headers = _headers(raw.rows, header_row)
    keys = [header_key(h) for h in headers]
    entity = _sheet_entity(raw.name, keys)
    for key in keys:
        text = mapping.get(key, "")
        target = parse_field(text, ENTITIES[0]) if "." in text else None
        if entity is None and target is not None:
            entity = target[0]
    if entity is None:
        return _skipped(raw, file, label, unknown)
    sheet = MappedSheet(raw, file, label, entity, header_row)
    taken: dict[tuple[str, str], str] = {}
    for index, (header, key) in enumerate(zip(headers, keys, strict=True)):
        if key in mapping:
            target = _user_target(sheet, header, mapping[key])
        else:
            target = resolve_header(key, entity)
        if target is not None and target in taken:
            sheet.problems.append(
                Problem(file, label, header_row + 1, header,
                        f"also maps to {target[0]}.{target[1]}, already read from column "
                        f"{taken[target]!r}; kept as a custom attribute", WARNING)
            )  # fmt: skip
            target = None
        if target is not None:
            taken[target] = header
        sheet.columns.append(Column(index, header, *(target or (None, None))))
    return sheet


def _user_target(sheet: MappedSheet, header: str, text: str) -> tuple[str, str] | None:
    if text.strip().lower() in ATTRIBUTE_TARGETS:
        return None
    assert sheet.entity is not None
    target = parse_field(text, sheet.entity)
    if target is None:
        title = SPECS[sheet.entity].title
        reason = (
            f"the mapping {header}={text} does not fit this sheet of {title}; "
            "write entity.field (e.g. identities.kind); kept as a custom attribute"
        )
        sheet.problems.append(Problem(sheet.file, sheet.label, sheet.header_row + 1, header,
                                      reason, WARNING))  # fmt: skip
    return target


def valid_mapping_target(text: str) -> bool:
    """Return True when a mapping's right-hand side names a field or a custom attribute."""
    if text.strip().lower() in ATTRIBUTE_TARGETS:
        return True
    return any(parse_field(text, entity) is not None for entity in ENTITIES)


def _skipped(raw: RawSheet, file: str, label: str, why: str) -> MappedSheet:
    sheet = MappedSheet(raw, file, label, None, -1)
    if header_key(raw.name) in _NOTE_SHEETS:
        return sheet
    if any(any(c not in ("", None) for c in row) for row in raw.rows):
        reason = f"not imported: {why}"
        sheet.problems.append(Problem(file, label, 0, "", reason, WARNING))
    return sheet


def _headers(rows: list[list[Any]], header_row: int) -> list[str]:
    width = max((len(r) for r in rows), default=0)
    cells = list(rows[header_row]) + [""] * (width - len(rows[header_row]))
    seen: dict[str, int] = {}
    headers = []
    for index, cell in enumerate(cells):
        text = " ".join(str(cell).split()) if cell not in ("", None) else ""
        text = text or f"Column {column_letter(index)}"
        seen[text] = seen.get(text, 0) + 1
        headers.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return headers
