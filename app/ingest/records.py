"""Plain records read from an inventory file, ready to be compared with a workspace.

A record holds only the canonical fields whose columns the file has (a column the file lacks
leaves the workspace's value alone), the unmapped columns as ``attributes``, and where it came
from. Grants and delegations are identified by their ends; the others by their ``id``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

from app.ingest.fields import DELEGATIONS, ENTITIES, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.ingest.problems import Problem, Source

logger = logging.getLogger(__name__)


NOUNS = {
    SYSTEMS: "AI system",
    IDENTITIES: "identity",
    RESOURCES: "resource",
    GRANTS: "grant",
    DELEGATIONS: "delegation",
}
_KEY_FIELD = {
    SYSTEMS: "id",
    IDENTITIES: "id",
    RESOURCES: "id",
    GRANTS: "identity",
    DELEGATIONS: "from_identity",
}


class _NoAttributes(dict[str, Any]):
    """The custom attributes of a record that has none: one shared, read-only empty dict.

    Most records of a register have no custom attribute; sharing one empty dict saves one per
    record. Code that adds an attribute asks :meth:`Record.own_attributes` for a dict of the
    record's own; writing to this one raises, so it can never leak into other records.
    """

    __slots__ = ()

    def _refuse(self, *_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("a record without attributes shares this dict: use own_attributes()")

    __setitem__ = __delitem__ = setdefault = update = pop = popitem = clear = _refuse
    __ior__ = _refuse


#: The attributes of every record read with none (see :class:`_NoAttributes`).
NO_ATTRIBUTES: dict[str, Any] = _NoAttributes()


def values_maker(names: tuple[str, ...]) -> Callable[[Iterable[Any]], dict[str, Any]]:
    """Return a function making a record's field values from its cells, in ``names`` order.

    The dicts it makes are ordinary dicts that share one table of keys (an instance's
    attribute dict, taken from an object made only for it): each holds only its values, about
    half the memory of a dict of its own for the seven fields of a grant, and a third for the
    seventeen of a system. They read, compare, copy and change as any dict does.
    """
    shape: type = type("FieldValues", (), {"__module__": __name__})

    def make(cells: Iterable[Any]) -> dict[str, Any]:
        values: dict[str, Any] = shape().__dict__
        values.update(zip(names, cells, strict=True))
        return values

    return make


@dataclass(slots=True)
class Record:
    """One inventory record read from a file.

    Attributes:
        key: What identifies the record: ``(id,)``, or the grant's identity, resource, action
            and scope, or the delegation's from, to and kind.
        values: Canonical field → normalised value, for the fields the file has.
        attributes: Unmapped column header → value (custom attributes, never dropped).
        source: The row the record was read from (the first one, when several rows agree).
        headers: Canonical field → the header of the column it was read from.
    """

    entity: ClassVar[str] = ""

    key: tuple[str, ...]
    values: dict[str, Any]
    attributes: dict[str, Any]
    source: Source
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Return the record's key as one readable string."""
        return " → ".join(part for part in self.key if part) if len(self.key) > 1 else self.key[0]

    def own_attributes(self) -> dict[str, Any]:
        """Return the record's attributes as a dict of its own, to add attributes to."""
        if isinstance(self.attributes, _NoAttributes):
            self.attributes = {}
        return self.attributes

    def column(self, name: str) -> str:
        """Return the header of the column a field was read from (empty when unknown)."""
        return self.headers.get(name, "")

    def entity_key_field(self) -> str:
        """Return the first field of the record's key (``id`` for most entities)."""
        return _KEY_FIELD[self.entity]

    def entity_noun(self) -> str:
        """Return what the record is, in words (``AI system``, ``identity``...)."""
        return NOUNS[self.entity]


@dataclass(slots=True)
class SystemRecord(Record):
    """An AI system (DESIGN §5 fields)."""

    entity: ClassVar[str] = SYSTEMS


@dataclass(slots=True)
class IdentityRecord(Record):
    """A non-human identity or delegated human access."""

    entity: ClassVar[str] = IDENTITIES


@dataclass(slots=True)
class ResourceRecord(Record):
    """A resource an identity can reach."""

    entity: ClassVar[str] = RESOURCES


@dataclass(slots=True)
class GrantRecord(Record):
    """A permission of an identity on a resource."""

    entity: ClassVar[str] = GRANTS


@dataclass(slots=True)
class DelegationRecord(Record):
    """One identity can act as another."""

    entity: ClassVar[str] = DELEGATIONS


RECORD_TYPES: dict[str, type[Record]] = {
    SYSTEMS: SystemRecord,
    IDENTITIES: IdentityRecord,
    RESOURCES: ResourceRecord,
    GRANTS: GrantRecord,
    DELEGATIONS: DelegationRecord,
}


class Link(NamedTuple):
    """An AI system uses an identity (a named tuple: cheap to make by the thousand).

    Attributes:
        system: The system's id.
        identity: The identity's id.
        source: The row that states the link.
        column: The header of the column that states it.
    """

    system: str
    identity: str
    source: Source
    column: str = ""


@dataclass
class UnknownValue:
    """A value of a column that was not understood, read as unrecorded (the value step).

    Attributes:
        sheet: The sheet name (empty for a CSV file).
        column: The column's header as written.
        field: The field it was meant for, ``entity.field``.
        text: The value as written.
        count: On how many rows.
        first_row: The first row it is on.
    """

    sheet: str
    column: str
    field: str
    text: str
    count: int = 0
    first_row: int = 0


@dataclass
class SheetInfo:
    """How one sheet was understood (for the dry run and the GUI's mapping step).

    Attributes:
        name: The sheet name (the file name for a CSV file).
        entity: The entity its rows describe; None when the sheet was skipped.
        header_row: The 1-based row of the headers; 0 when none was found.
        columns: Each column's header and what it maps to (``entity.field``, or empty for a
            custom attribute).
        rows: Data rows read (not counting empty ones).
        rejected_rows: Data rows with an error.
    """

    name: str
    entity: str | None
    header_row: int
    columns: list[tuple[str, str]]
    rows: int = 0
    rejected_rows: int = 0


@dataclass
class ParsedInventory:
    """Everything read from one file.

    Attributes:
        file_name: The file name.
        format: ``xlsx``, ``csv`` or ``aws-credential-report``.
        records: Records by entity, in file order, without duplicates.
        links: System ↔ identity links stated by the file.
        problems: Everything wrong or worth knowing, in file order.
        sheets: How each sheet was understood.
        covered: The entities (and ``links``) the file has columns for; only these can have
            records "missing from the file".
        rows: Data rows read in all sheets.
        rejected_keys: Keys of records on rejected rows, by entity: the file names them, so
            they are never "missing" (and never deleted) because their row had an error.
        header_rows: The 1-based header rows the user chose, by sheet name (the other sheets'
            header rows were found by the importer).
        unknown_values: The values not understood, each read as unrecorded.
        skipped_rows: The rows below or beside the table that are not records (totals,
            sources, notes, signatures), as notes naming each row.
        permissions: Free-text permission entries understood, and in all.
        sources: For an identity-platform export, the (attribute, value) pairs its records
            carry (``("source.aws-authorization-details", "aws-account:1111…")``); only the
            workspace's records carrying one of them can be "missing" from it.
    """

    file_name: str
    format: str
    records: dict[str, list[Record]] = field(default_factory=lambda: {e: [] for e in ENTITIES})
    links: list[Link] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sheets: list[SheetInfo] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    rows: int = 0
    rejected_keys: dict[str, set[tuple[str, ...]]] = field(
        default_factory=lambda: {e: set() for e in ENTITIES}
    )
    header_rows: dict[str, int] = field(default_factory=dict)
    unknown_values: list[UnknownValue] = field(default_factory=list)
    skipped_rows: list[Problem] = field(default_factory=list)
    permissions: tuple[int, int] = (0, 0)
    rejected_sources: dict[tuple[str, tuple[str, ...]], Source] = field(default_factory=dict)
    sources: set[tuple[str, str]] = field(default_factory=set)

    def reject(self, records: list[Record]) -> None:
        """Remember the keys (and first rows) of records whose row was rejected."""
        for record in records:
            self.rejected_keys[record.entity].add(record.key)
            self.rejected_sources.setdefault((record.entity, record.key), record.source)

    def skipped_text(self) -> str:
        """Return the skipped non-data rows in words, sheet by sheet (empty when none)."""
        by_sheet: dict[str, list[str]] = {}
        for problem in self.skipped_rows:
            by_sheet.setdefault(problem.sheet, []).append(f"{problem.row:,}")
        parts = []
        for sheet, rows in by_sheet.items():
            where = f"sheet {sheet!r} " if sheet else ""
            parts.append(f"{where}row{'s' if len(rows) > 1 else ''} {', '.join(rows)}")
        return "; ".join(parts)

    @property
    def errors(self) -> list[Problem]:
        """Return the problems that reject rows."""
        return [p for p in self.problems if p.is_error]
