"""An inventory file before the dry run: its sheets, their header rows, the columns.

The use case behind the import wizard's first pages, open to any other client. It reads the
file with the importer's own reader and header matching (``app.ingest``), so the suggested
field of each column is exactly what the import would do without a mapping; a mapping given
by the user overrides only what it changes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.record_kinds import ENTITIES
from app.ingest import aws
from app.ingest.cloud.detect import FORMATS as EXPORT_FORMATS
from app.ingest.cloud.reader import describe_exports, is_export
from app.ingest.fields import SPECS, header_key, parse_field
from app.ingest.headers import find_header_row, map_sheet
from app.ingest.problems import IngestError
from app.ingest.readers import read_file
from app.ingest.xlsx import RawSheet, column_letter
from app.services.errors import UserError
from app.services.progress import Progress, check_cancelled
from app.support.text import plural

logger = logging.getLogger(__name__)

SAMPLE_ROWS = 12
"""How many rows of each sheet the sheet step previews (from the top, or around its headers)."""
_ROWS_ABOVE_HEADERS = 2
"""Rows shown above a header row too far down for the sample to start at the top."""
SAMPLE_VALUES = 3
"""How many example values the mapping step shows per column."""
AWS_FORMAT = aws.FORMAT
#: The ``kind`` of a preview of identity exports (JSON/YAML files, or a folder of them).
EXPORT_KIND = "export"
ATTRIBUTE = ""
"""The target of a column kept as a custom attribute."""


@dataclass(frozen=True, slots=True)
class ColumnPreview:
    """One column of a sheet and the field the importer would map it to.

    Attributes:
        index: The 0-based column index.
        header: The header as the importer names it (``Column F`` when the cell is empty).
        key: The header's comparison key (what a mapping is keyed by).
        suggested: ``entity.field``, or empty when the column would be kept as an attribute.
        examples: A few values from the first data rows.
    """

    index: int
    header: str
    key: str
    suggested: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SheetPreview:
    """One sheet: how the importer understands it, and its first rows.

    Attributes:
        name: The sheet name (a CSV file's name without suffix).
        entity: The entity its rows describe; None when the importer would skip it.
        header_row: The 1-based row of the headers; 0 when none was found.
        columns: The columns with their suggested fields.
        data_rows: Non-empty rows below the header row.
        sample: Rows of the sheet as text, for the preview: the first ones, or those around
            a header row further down.
        note: Why the sheet is skipped, or what the importer warns about its headers.
        sample_start: The 0-based row of the sheet the sample starts at.
        row_count: How many rows the sheet has.
        detected_row: The 1-based row the importer finds the headers in; 0 when none.
    """

    name: str
    entity: str | None
    header_row: int
    columns: tuple[ColumnPreview, ...]
    data_rows: int
    sample: tuple[tuple[str, ...], ...]
    note: str = ""
    sample_start: int = 0
    row_count: int = 0
    detected_row: int = 0

    @property
    def chosen(self) -> bool:
        """Return True when the header row is the user's choice rather than the importer's."""
        return self.header_row != self.detected_row

    @property
    def title(self) -> str:
        """Return what the sheet holds, in words."""
        if self.entity is None:
            return "not recognised" if self.columns else "skipped"
        return SPECS[self.entity].title


@dataclass(frozen=True, slots=True)
class FilePreview:
    """A file as the wizard's sheet and mapping steps show it.

    Attributes:
        path: The file.
        kind: ``xlsx`` or ``csv``.
        credential_report: True when the file is read as an AWS IAM credential report, or as
            identity exports (then ``kind`` is :data:`EXPORT_KIND`): nothing to map.
        sheets: Its sheets, in file order.
        note: For identity exports, which export each file is.
    """

    path: Path
    kind: str
    credential_report: bool
    sheets: tuple[SheetPreview, ...]
    note: str = ""

    @property
    def name(self) -> str:
        """Return the file name."""
        return self.path.name

    def sheet(self, name: str) -> SheetPreview:
        """Return the sheet of that name."""
        return next(s for s in self.sheets if s.name == name)


def cell_text(value: Any) -> str:
    """Return a cell as one line of text for a preview."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return " ".join(str(value).split())


def header_names(row: list[Any], width: int) -> list[str]:
    """Return the headers of a header row the way the importer names them.

    Empty header cells become ``Column F``; a repeated header gets `` (2)``, `` (3)``…
    """
    cells = list(row) + [""] * (width - len(row))
    seen: dict[str, int] = {}
    names = []
    for index, cell in enumerate(cells):
        text = cell_text(cell) or f"Column {column_letter(index)}"
        seen[text] = seen.get(text, 0) + 1
        names.append(text if seen[text] == 1 else f"{text} ({seen[text]})")
    return names


def _examples(rows: list[list[Any]], index: int) -> tuple[str, ...]:
    found: list[str] = []
    for row in rows:
        if index < len(row):
            text = cell_text(row[index])
            if text and text not in found:
                found.append(text[:40])
                if len(found) == SAMPLE_VALUES:
                    break
    return tuple(found)


def _is_blank(row: list[Any]) -> bool:
    return all(cell in ("", None) for cell in row)


def preview_sheet(
    raw: RawSheet, file: str, label: str, header_row: int | None = None
) -> SheetPreview:
    """Return how the importer would read one sheet when no mapping is given.

    Args:
        raw: The sheet's cells.
        file: The file name, for messages.
        label: The sheet name for messages (empty for a CSV file).
        header_row: The 1-based header row the user chose; None for the importer's own.

    Raises:
        IngestError: The chosen header row is past the sheet's end or empty.
    """
    detected = find_header_row(raw.rows)
    mapped = map_sheet(raw, file, label, {}, header_row=header_row)
    index = detected if header_row is None else header_row - 1
    start = _sample_start(index)
    sample = tuple(
        tuple(cell_text(c) for c in row) for row in raw.rows[start : start + SAMPLE_ROWS]
    )
    found = {"sample_start": start, "row_count": len(raw.rows), "detected_row": detected + 1}
    if index < 0:
        note = "; ".join(p.reason for p in mapped.problems) or _no_table_note(raw)
        return SheetPreview(raw.name, None, 0, (), 0, sample, note, **found)
    width = max((len(r) for r in raw.rows), default=0)
    below = raw.rows[index + 1 :]
    data = [row for row in below if not _is_blank(row)]
    first = data[:50]
    targets = {c.index: c.target for c in mapped.columns}
    columns = tuple(
        ColumnPreview(i, header, header_key(header), targets.get(i, ATTRIBUTE),
                      _examples(first, i))
        for i, header in enumerate(header_names(raw.rows[index], width))
    )  # fmt: skip
    note = "; ".join(p.reason for p in mapped.problems)
    return SheetPreview(raw.name, mapped.entity, index + 1, columns, len(data), sample, note,
                        **found)  # fmt: skip


def _no_table_note(raw: RawSheet) -> str:
    """Say why a sheet without a header row is passed over: it is empty, or holds no table."""
    if all(_is_blank(row) for row in raw.rows):
        return "empty"
    return "not imported: no inventory table (notes or drop-down lists)"


def _sample_start(header_index: int) -> int:
    """Return where the sample starts: at the top, unless the headers would not show."""
    if header_index < SAMPLE_ROWS - _ROWS_ABOVE_HEADERS:
        return 0
    return header_index - _ROWS_ABOVE_HEADERS


def inspect_sheet(
    path: Path,
    sheet: str,
    *,
    kind: str,
    header_row: int | None = None,
    progress: Progress | None = None,
) -> SheetPreview:
    """Read one sheet again, with the header row the user chose (or the importer's own).

    Args:
        path: The file.
        sheet: The sheet's name (a CSV file's name without suffix).
        kind: ``xlsx`` or ``csv``.
        header_row: The 1-based header row; None to let the importer find it.
        progress: Receives progress; cancelling raises ``Cancelled``.

    Raises:
        UserError: The file cannot be read, or the row cannot be the header row (the
            importer's reason, naming file, sheet and row).
    """
    if progress is not None:
        progress.report(0.1, f"Reading sheet {sheet}")
    try:
        raw = read_file(Path(path), sheet=sheet if kind == "xlsx" else None)
        check_cancelled(progress)
        found = next((s for s in raw.sheets if s.name == sheet), None)
        if found is None:
            raise IngestError(f"{raw.name} has no sheet {sheet!r} any more")
        label = found.name if raw.kind == "xlsx" else ""
        preview = preview_sheet(found, raw.name, label, header_row)
    except IngestError as exc:
        raise UserError(str(exc)) from exc
    if progress is not None:
        progress.report(1.0, f"Sheet {sheet}")
    logger.info("inspected sheet %r of %s with header row %s", sheet, raw.name, preview.header_row)
    return preview


def inspect_file(
    path: Path,
    *,
    format: str = "auto",
    progress: Progress | None = None,  # noqa: A002
) -> FilePreview:
    """Read a file's sheets and suggest a field for every column.

    Args:
        path: The .xlsx, .xlsm or .csv file.
        format: ``auto`` or ``aws-credential-report``.
        progress: Receives progress; cancelling raises ``Cancelled``.

    Raises:
        UserError: The file cannot be read (the importer's reason, naming the file).
    """
    if progress is not None:
        progress.report(0.1, f"Reading {Path(path).name}")
    note = None
    try:
        if format in EXPORT_FORMATS or (format == "auto" and is_export(Path(path))):
            note = describe_exports(Path(path), format)
        else:
            raw = read_file(Path(path))
    except IngestError as exc:
        raise UserError(str(exc)) from exc
    check_cancelled(progress)
    if note is not None:
        return FilePreview(Path(path), EXPORT_KIND, True, (), note)
    report = format == AWS_FORMAT or (
        format == "auto" and raw.kind == "csv" and len(raw.sheets) == 1
        and aws.looks_like_report(raw.sheets[0])
    )  # fmt: skip
    sheets = []
    for number, sheet in enumerate(raw.sheets):
        check_cancelled(progress)
        label = sheet.name if raw.kind == "xlsx" else ""
        sheets.append(preview_sheet(sheet, raw.name, label))
        if progress is not None:
            progress.report(0.1 + 0.9 * (number + 1) / len(raw.sheets), f"Sheet {sheet.name}")
    logger.info("inspected %s: %s", raw.name, plural(len(sheets), "sheet"))
    return FilePreview(Path(path), raw.kind, report, tuple(sheets))


def field_label(target: str, entity: str | None) -> str:
    """Return how the mapping step names a target: the bare field within the sheet's entity."""
    if not target:
        return "Keep as custom attribute"
    owner, name = target.split(".", 1)
    return name if owner == entity else f"{SPECS[owner].title} › {name}"


def field_targets(entity: str | None) -> list[str]:
    """Return the targets a column of a sheet of ``entity`` may map to: its own fields first."""
    own = [f"{entity}.{name}" for name in SPECS[entity].field_names] if entity else []
    others = [
        f"{other}.{name}" for other in ENTITIES if other != entity
        for name in SPECS[other].field_names
    ]  # fmt: skip
    return own + others


def override_text(target: str, entity: str | None) -> str:
    """Return the mapping text that maps a column of a sheet of ``entity`` to ``target``."""
    if not target:
        return "attribute"
    owner, name = target.split(".", 1)
    return name if owner == entity else target


def resolve_override(text: str, entity: str | None) -> str:
    """Return the target a mapping text gives a column of a sheet of ``entity``.

    As the importer reads it: unknown or unfitting text keeps the column as a custom attribute.
    """
    if text == "attribute":
        return ATTRIBUTE
    found = parse_field(text, entity or ENTITIES[0]) if (entity or "." in text) else None
    return f"{found[0]}.{found[1]}" if found else ATTRIBUTE


@dataclass(frozen=True, slots=True)
class MappingRow:
    """One column in the mapping step: its sheet, the sheet's entity and the column."""

    sheet: str
    entity: str | None
    column: ColumnPreview


class MappingChoices:
    """The user's column mapping over the sheets being imported.

    The importer keys a mapping by column name across all sheets, so changing a column changes
    every column of that name; :meth:`choose` returns the rows whose target changed with it.
    """

    def __init__(self, rows: list[MappingRow], overrides: dict[str, str] | None = None) -> None:
        self.rows = rows
        keys = {row.column.key for row in rows}
        self.overrides = {k: v for k, v in (overrides or {}).items() if k in keys}

    def chosen(self, row: MappingRow) -> str:
        """Return the target the column maps to now."""
        text = self.overrides.get(row.column.key)
        return row.column.suggested if text is None else resolve_override(text, row.entity)

    def choose(self, row: MappingRow, target: str) -> list[MappingRow]:
        """Map ``row``'s column (and every column of the same name) to ``target``."""
        key = row.column.key
        self.overrides[key] = override_text(target, row.entity)
        same = [r for r in self.rows if r.column.key == key]
        if all(self.chosen(r) == r.column.suggested for r in same):
            del self.overrides[key]
        return same

    def mapping(self) -> dict[str, str]:
        """Return the overrides as ``{column header: field}`` for the importer."""
        names = {row.column.key: row.column.header for row in self.rows}
        return {names[key]: text for key, text in sorted(self.overrides.items())}
