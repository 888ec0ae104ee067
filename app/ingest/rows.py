"""Read the data rows of a mapped sheet into records, links and problems.

One row can describe several records when the sheet is flat (an AI-system register with the
identity's kind and the resource it reaches on the same row); each record takes its own
entity's columns, and the ids that tie them together come from the row. A row with any error
gives no records at all, only problems.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from sys import intern
from typing import Any

from app.domain.enums import DelegationKind
from app.ingest import columns
from app.ingest.choices import IdRule, ValueMap, generated_id
from app.ingest.fields import (
    DELEGATIONS,
    EMAIL,
    GRANTS,
    ID,
    IDENTITIES,
    RESOURCES,
    SPECS,
    SYSTEMS,
    TEXT,
    header_key,
)
from app.ingest.headers import MappedSheet
from app.ingest.limits import DEFAULT_LIMITS, Limits
from app.ingest.problems import WARNING, Problem, Source, quote
from app.ingest.records import (
    NO_ATTRIBUTES,
    RECORD_TYPES,
    Link,
    Record,
    SheetInfo,
    UnknownValue,
    values_maker,
)
from app.ingest.table_end import note_row, note_text
from app.ingest.values import BadValue, as_text, memoised, normaliser, split_owner
from app.ingest.vocabulary import is_unrecorded, vocabulary_key

logger = logging.getLogger(__name__)

Tick = Callable[[float], None]

#: The fields whose values may stand in for another entity's missing id on a flat row.
_KEY_FALLBACKS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    (SYSTEMS, "id"): (),
    (IDENTITIES, "id"): ((SYSTEMS, "identities"),),
    (RESOURCES, "id"): ((GRANTS, "resource"),),
    (GRANTS, "identity"): ((IDENTITIES, "id"), (SYSTEMS, "identities")),
    (GRANTS, "resource"): ((RESOURCES, "id"),),
    (GRANTS, "action"): (),
    (DELEGATIONS, "from_identity"): ((IDENTITIES, "id"),),
    (DELEGATIONS, "to_identity"): (),
}
_DEFAULTS = {(GRANTS, "scope"): "", (DELEGATIONS, "kind"): DelegationKind.ASSUME_ROLE.value}
#: The most characters Excel keeps in a cell; readers cut longer text there.
EXCEL_CELL_LIMIT = 32_767


#: Fields whose text cells are only trimmed; ids are also interned (a register repeats each
#: identity's and resource's id on many grant rows: one string serves them all). Other text
#: is shared within its column while a sheet is read (a provider, a unit or a procedure
#: repeated on every row is then held once, not once per row).
_ID = columns.ID
_TEXT_KINDS = {TEXT: columns.TEXT, ID: columns.ID}
#: Rows read together, column by column.
_BLOCK_ROWS = 512
#: The links of a row that states none (one empty tuple rather than an empty list a row).
NO_LINKS: tuple[Link, ...] = ()
#: Stands in for a row already read of a sheet read lazily (its cells are freed as it goes).
_READ: list[Any] = []

_UNSAVED_FORMULA = (
    "holds a formula with no saved value (an external link, DDE or HYPERLINK formula never "
    "calculated); the row cannot be used: recalculate and save the workbook, or paste values"
)


@dataclass(slots=True)
class RowBundle:
    """What one valid row says: its records and links (:data:`NO_LINKS` when it has none)."""

    source: Source
    records: list[Record]
    links: Sequence[Link]


@dataclass
class SheetRows:
    """The outcome of reading one sheet's rows."""

    bundles: list[RowBundle] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    info: SheetInfo | None = None
    rejected: list[Record] = field(default_factory=list)
    unknown: dict[tuple[str, str], UnknownValue] = field(default_factory=dict)
    skipped: list[Problem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Cell:
    index: int
    header: str
    entity: str
    field: str
    normalise: Callable[[Any], Any]
    is_email: bool
    meanings: dict[str, str]
    in_key: bool


def _tuple_getter(positions: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """Return a function picking the given positions of a sequence, always as a tuple."""
    if len(positions) == 1:
        only = positions[0]
        return lambda cells: (cells[only],)
    return itemgetter(*positions)


def attribute_value(value: Any) -> Any:
    """Return a cell as a JSON-safe custom attribute (dates as ISO text)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return as_text(value)
    return str(value)


class _SheetReader:
    def __init__(
        self, sheet: MappedSheet, limits: Limits, values: ValueMap, id_rule: IdRule
    ) -> None:
        self.sheet, self.limits, self.out = sheet, limits, SheetRows()
        assert sheet.entity is not None
        self.primary: str = sheet.entity
        self.id_rule = id_rule
        self.cells = [
            _Cell(c.index, c.header, c.entity, c.field,
                  normaliser(SPECS[c.entity].field(c.field)),
                  SPECS[c.entity].field(c.field).kind == EMAIL,
                  values.for_column(c.header),
                  c.field in SPECS[c.entity].key)
            for c in sheet.columns if c.entity and c.field
        ]  # fmt: skip
        self.attributes = [(c.index, c.header, {}) for c in sheet.columns if not c.entity]
        self.mapped = {(c.entity, c.field): c.header for c in self.cells}
        self.entities = [e for e in SPECS if any(c.entity == e for c in self.cells)]
        self.headers = {
            e: {f: h for (owner, f), h in self.mapped.items() if owner == e} for e in self.entities
        }
        self.plan = [(c.index, c.header, c.entity, c.field, c.normalise, c.is_email,
                      c.meanings, c.in_key, _TEXT_KINDS.get(SPECS[c.entity].field(c.field).kind, 0),
                      {}) for c in self.cells]  # fmt: skip
        by_key = {header_key(c.header): c.index for c in sheet.columns}
        self.rule_columns = [by_key[header_key(h)] for h in id_rule.columns
                             if header_key(h) in by_key]  # fmt: skip
        self.needs_id = SPECS[self.primary].key == ("id",)
        self.shapes = [(e, SPECS[e].key, RECORD_TYPES[e], self.headers[e]) for e in self.entities]
        link_fields = {(SYSTEMS, "identities"), (IDENTITIES, "systems"), (IDENTITIES, "id")}
        self.has_links = bool(link_fields & set(self.mapped))
        self.formula_rows: dict[int, list[int]] = {}
        for row, col in sheet.raw.formula_cells:
            self.formula_rows.setdefault(row, []).append(col)
        self.formulas: dict[int, tuple[int, int, int]] = {}
        self.split_owner = memoised(split_owner)
        self.long_cell = min(limits.max_cell_chars + 1, EXCEL_CELL_LIMIT)
        self.required = {e: tuple(n for n in SPECS[e].key if (e, n) not in _DEFAULTS)
                         for e in self.entities}  # fmt: skip
        assert all(SPECS[e].key[: len(r)] == r for e, r in self.required.items())
        self.compile_blocks()
        self.file, self.label = sheet.file, sheet.label
        #: The entities whose records can have an owner's name (a column, or an e-mail cell's).
        self.owner_entities = [
            e for e in self.entities
            if (e, "owner_name") in self.mapped
            or any(c.entity == e and c.is_email for c in self.cells)
        ]  # fmt: skip

    def compile_blocks(self) -> None:
        """Prepare the reading of blocks of rows column by column (:mod:`app.ingest.columns`)."""
        owner = self.split_owner
        self.rules = [
            columns.ColumnRule(text, norm, owner if is_email else None, bool(meanings), seen,
                               self.long_cell)
            for _c, _h, _e, _n, norm, is_email, meanings, _k, text, seen in self.plan
        ]  # fmt: skip
        indexes = [c.index for c in self.cells]
        self.width = max(indexes, default=-1) + 1
        self.pick = itemgetter(*indexes) if len(indexes) > 1 else itemgetter(*indexes[:1] or [0])
        fields = [(c.entity, c.field) for c in self.cells]
        self.single = (
            values_maker(tuple(name for _e, name in fields))
            if self.entities == [self.primary]
            else None
        )
        self.by_entity = []
        for entity in self.entities:
            positions = [i for i, (e, _n) in enumerate(fields) if e == entity]
            names = tuple(fields[i][1] for i in positions)
            self.by_entity.append((entity, values_maker(names), _tuple_getter(positions)))

    def problem(self, row: int, column: str, reason: str, severity: str = "error") -> Problem:
        return Problem(self.sheet.file, self.sheet.label, row, column, reason, severity)

    def missing_key_columns(self) -> list[str]:
        """Return the key fields of the primary entity that no column can give."""
        missing = []
        for name in SPECS[self.primary].key:
            options = ((self.primary, name), *_KEY_FALLBACKS.get((self.primary, name), ()))
            if (self.primary, name) not in _DEFAULTS and not any(o in self.mapped for o in options):
                missing.append(name)
        return missing

    def rule_gives_ids(self) -> bool:
        """Return True when an id rule the user chose can give this sheet's rows their ids.

        A rule of columns needs those columns; a generated rule needs the rows' names.
        """
        if not self.id_rule.chosen:
            return False
        if self.id_rule.columns:
            return bool(self.rule_columns)
        return (self.primary, "name") in self.mapped

    def run(self, tick: Tick | None) -> SheetRows:
        rows, start = self.sheet.raw.rows, self.sheet.header_row + 1
        total, read, rejected = max(len(rows) - start, 1), 0, 0
        release = self.sheet.raw.lazy  # its cells are read again if asked for: free each row
        block: list[tuple[int, list[Any]]] = []
        for index in range(start, len(rows)):
            row = rows[index]
            if release:
                rows[index] = _READ
            if not any(row) and all(c == "" or c is None for c in row):
                continue
            note = note_row(row)
            if note:
                reason = f"skipped: not a data row ({note}): {quote(note_text(row))}"
                self.out.skipped.append(self.problem(index + 1, "", reason, WARNING))
                continue
            read += 1
            block.append((index, row))
            if len(block) == _BLOCK_ROWS:
                rejected += self.read_block(block)
                block = []
            if tick is not None and read % 2000 == 0:
                tick((index - start) / total)
        rejected += self.read_block(block)
        if release:
            self.sheet.raw.release()
        self.flag_formulas()
        self.out.covered = self.covered()
        self.out.info = self.info(read, rejected)
        return self.out

    def read_block(self, block: list[tuple[int, list[Any]]]) -> int:
        """Read a block of data rows, column by column; return how many were rejected."""
        if not block:
            return 0
        if not self.rules:
            return sum(not self.read_row(index, row) for index, row in block)
        rows = [row for _, row in block]
        if any(len(row) < self.width for row in rows):  # a short CSV row: empty cells after it
            rows = [row + [""] * (self.width - len(row)) for row in rows]
        unusual: set[int] = set()
        picked = list(map(self.pick, rows))
        by_column = zip(*picked, strict=True) if len(self.rules) > 1 else [picked]
        converted = [rule.convert(cells, unusual)
                     for rule, cells in zip(self.rules, by_column, strict=True)]  # fmt: skip
        formulas = self.formula_rows
        rejected = 0
        by_row = zip(*converted, strict=True)
        for position, ((index, row), cells) in enumerate(zip(block, by_row, strict=True)):
            if position in unusual or index in formulas:
                ok = self.read_row(index, row)
            else:
                ok = self.finish_ordinary(index, row, self.values_of(cells))
            rejected += not ok
        return rejected

    def values_of(self, cells: tuple[Any, ...]) -> dict[str, dict[str, Any]]:
        """Return a row's converted cells as field values by entity."""
        if self.single is not None:
            return {self.primary: self.single(cells)}
        return {entity: make(pick(cells)) for entity, make, pick in self.by_entity}

    def read_row(self, index: int, row: list[Any]) -> bool:
        source = Source(self.sheet.file, self.sheet.label, index + 1)
        errors: list[Problem] = []
        values: dict[str, dict[str, Any]] = {e: {} for e in self.entities}
        names: dict[str, str] = {}
        width, long_cell = len(row), self.long_cell
        for col, header, entity, name, norm, is_email, meanings, in_key, text, seen in self.plan:
            raw = row[col] if col < width else ""
            if (
                raw.__class__ is str
                and len(raw) >= long_cell
                and self.check_length(source.row, header, raw, errors)
            ):
                continue
            if meanings and raw not in ("", None):
                meaning = meanings.get(vocabulary_key(as_text(raw)))
                raw = raw if meaning is None else meaning
            try:
                if text and raw.__class__ is str:  # as the text normaliser, without a call
                    raw = raw.strip()
                    values[entity][name] = intern(raw) if text is _ID else seen.setdefault(raw, raw)
                elif is_email:
                    email, owner = self.split_owner(raw)
                    values[entity][name] = email
                    if owner:
                        names[entity] = owner
                else:
                    values[entity][name] = norm(raw)
            except BadValue as exc:
                if in_key:
                    errors.append(self.problem(source.row, header, str(exc)))
                else:
                    values[entity][name] = None
                    self.unrecorded(source.row, header, f"{entity}.{name}", raw, str(exc))
        return self.finish_row(index, row, source, values, names, errors)

    def finish_ordinary(
        self, index: int, row: list[Any], values: dict[str, dict[str, Any]]
    ) -> bool:
        """Finish a row whose cells were all ordinary (no formula, no owner's name in an e-mail).

        Only its custom attributes and :meth:`close_row` are left to do.
        """
        source = Source(self.file, self.label, index + 1)
        errors: list[Problem] = []
        attributes = self.read_attributes(source.row, row, errors) if self.attributes else None
        return self.close_row(row, source, values, attributes, errors)

    def finish_row(
        self,
        index: int,
        row: list[Any],
        source: Source,
        values: dict[str, dict[str, Any]],
        names: dict[str, str],
        errors: list[Problem],
    ) -> bool:
        """Build a row's records and links from its field values; False when it is rejected."""
        attributes = self.read_attributes(source.row, row, errors) if self.attributes else None
        if self.formula_rows:
            self.note_formulas(index, row)
            self.refuse_unsaved_formulas(index, row, source.row, errors)
        for entity, owner in names.items():
            if not values[entity].get("owner_name") and "owner_name" in SPECS[entity].field_names:
                values[entity]["owner_name"] = owner
        return self.close_row(row, source, values, attributes, errors)

    def close_row(
        self,
        row: list[Any],
        source: Source,
        values: dict[str, dict[str, Any]],
        attributes: dict[str, Any] | None,
        errors: list[Problem],
    ) -> bool:
        """Read owners and ids, build the row's records and links; False when it is rejected."""
        self.owner_emails(source.row, values)
        if self.needs_id and not values[self.primary].get("id"):
            self.give_id(source.row, row, values)
        records = self.build_records(source, values, attributes, errors)
        if errors:
            self.out.problems.extend(errors)
            self.out.rejected.extend(records)
            return False
        links = self.build_links(source, values) if self.has_links else NO_LINKS
        self.out.bundles.append(RowBundle(source, records, links))
        return True

    def unrecorded(self, row: int, header: str, target: str, raw: Any, reason: str) -> None:
        """Leave a value not understood unrecorded, with a warning, and count it."""
        text = as_text(raw)
        self.out.problems.append(self.problem(row, header, f"{reason}; read as unrecorded",
                                              WARNING))  # fmt: skip
        found = self.out.unknown.get((header, text))
        if found is None:
            found = UnknownValue(self.sheet.label, header, target, text, 0, row)
            self.out.unknown[(header, text)] = found
        found.count += 1

    def owner_emails(self, row: int, values: dict[str, dict[str, Any]]) -> None:
        """Read an owner's name cell that holds an e-mail (``Name <address>`` or an address)."""
        for entity in self.owner_entities:
            own = values[entity]
            text = own.get("owner_name")
            if text and is_unrecorded(text):
                own["owner_name"] = ""
            if not text or "@" not in text:
                continue
            try:
                email, name = self.split_owner(text)
            except BadValue:
                continue
            own["owner_name"] = name
            if email and not own.get("owner_email"):
                own["owner_email"] = email

    def give_id(self, row_no: int, row: list[Any], values: dict[str, dict[str, Any]]) -> None:
        """Give a row without an id the id its rule makes, with a warning."""
        own = values[self.primary]
        if self.fallback(values, self.primary, "id"):
            return
        if self.id_rule.columns and self.rule_columns:
            parts = [as_text(row[i]) for i in self.rule_columns if i < len(row)]
            made = " / ".join(p for p in parts if p)
        else:
            named = [own.get("name") or "", own.get("business_unit") or ""]
            parts = named if named[0] else [as_text(c) for c in row if as_text(c)]
            made = generated_id(self.primary, parts) if any(parts) else ""
        if not made:
            return
        own["id"] = made
        header = self.mapped.get((self.primary, "id"), "")
        reason = f"no id: read as {quote(made)} (id rule: {self.id_rule.describe()})"
        self.out.problems.append(self.problem(row_no, header, reason, WARNING))

    def check_length(self, row: int, header: str, raw: str, errors: list[Problem]) -> bool:
        """Report a cell that is too long (True: skip it) or exactly at Excel's limit."""
        if len(raw) > self.limits.max_cell_chars:
            reason = (
                f"the cell holds {len(raw):,} characters, more than the "
                f"{self.limits.max_cell_chars:,} allowed"
            )
            errors.append(self.problem(row, header, reason))
            return True
        if len(raw) == EXCEL_CELL_LIMIT:
            reason = (
                f"the cell holds {EXCEL_CELL_LIMIT:,} characters, Excel's limit for a cell: "
                "its end may have been cut off"
            )
            self.out.problems.append(self.problem(row, header, reason, WARNING))
        return False

    def read_attributes(self, row_no: int, row: list[Any], errors: list[Problem]) -> dict:
        attributes: dict[str, Any] = {}
        width = len(row)
        for index, header, seen in self.attributes:
            raw = row[index] if index < width else ""
            if raw == "" or raw is None:
                continue
            if (
                isinstance(raw, str)
                and len(raw) >= self.long_cell
                and self.check_length(row_no, header, raw, errors)
            ):
                continue
            value = attribute_value(raw)
            if value.__class__ is str:
                value = seen.setdefault(value, value)  # one string for a value that repeats
            if value != "":
                attributes[header] = value
        return attributes or NO_ATTRIBUTES

    def fallback(self, values: dict[str, dict[str, Any]], entity: str, name: str) -> str:
        for other, other_field in _KEY_FALLBACKS.get((entity, name), ()):
            found = values.get(other, {}).get(other_field)
            if isinstance(found, list):
                found = found[0] if len(found) == 1 else ""
            if found:
                return found
        return _DEFAULTS.get((entity, name), "")

    def build_records(self, source, values, attributes, errors) -> list[Record]:  # noqa: ANN001
        records = []
        for entity, key_names, record_type, headers in self.shapes:
            own = values[entity]
            primary = entity is self.primary
            if not primary and not any(v not in ("", None, []) for v in own.values()):
                continue
            key = tuple(map(own.get, key_names))
            if not all(key):  # a part the row lacks may come from another entity or a default
                key = tuple([part or self.fallback(values, entity, n)
                             for n, part in zip(key_names, key, strict=True)])  # fmt: skip
            required = self.required[entity]  # a prefix of the key: optional parts come last
            if not all(key[: len(required)]):
                missing = next(n for n, part in zip(required, key, strict=False) if not part)
                errors.append(self.missing_key(source.row, entity, missing, primary))
                continue
            shared = attributes if primary and attributes else NO_ATTRIBUTES  # most have none
            records.append(record_type(key, own, shared, source, headers))
        return records

    def missing_key(self, row: int, entity: str, name: str, primary: bool) -> Problem:
        header = self.mapped.get((entity, name), "")
        what = SPECS[entity].title.lower().rstrip("s")
        if name == "action":
            return self.problem(row, header, "no action (use read, execute, write or admin)")
        if primary:
            label = "id" if name == "id" else name.replace("_", " ")
            return self.problem(row, header, f"the row has no {label}")
        return self.problem(row, header, f"the row describes a {what} but gives no {name}")

    def build_links(self, source: Source, values: dict[str, dict[str, Any]]) -> Sequence[Link]:
        links = []
        system_id = values.get(SYSTEMS, {}).get("id")
        if system_id:
            column = self.mapped.get((SYSTEMS, "identities"), "")
            for identity in values[SYSTEMS].get("identities") or ():
                links.append(Link(system_id, identity, source, column))
            if IDENTITIES in values and values[IDENTITIES].get("id"):
                column = self.mapped.get((IDENTITIES, "id"), "")
                links.append(Link(system_id, values[IDENTITIES]["id"], source, column))
        identity_id = values.get(IDENTITIES, {}).get("id")
        if identity_id:
            column = self.mapped.get((IDENTITIES, "systems"), "")
            for system in values[IDENTITIES].get("systems") or ():
                links.append(Link(system, identity_id, source, column))
        return links or NO_LINKS

    def note_formulas(self, index: int, row: list[Any]) -> None:
        for col in self.formula_rows.get(index, ()):
            count, empty, first = self.formulas.get(col, (0, 0, index + 1))
            blank = col >= len(row) or row[col] == "" or row[col] is None
            self.formulas[col] = (count + 1, empty + blank, first)

    def refuse_unsaved_formulas(
        self, index: int, row: list[Any], line: int, errors: list[Problem]
    ) -> None:
        """Reject a row whose mapped cell is a formula the spreadsheet never calculated."""
        headers = {c.index: c.header for c in self.cells}
        for col in self.formula_rows.get(index, ()):
            blank = col >= len(row) or row[col] == "" or row[col] is None
            if blank and col in headers:
                errors.append(self.problem(line, headers[col], _UNSAVED_FORMULA))

    def flag_formulas(self) -> None:
        headers = {c.index: c.header for c in self.sheet.columns}
        for col, (count, empty, first) in sorted(self.formulas.items()):
            cells = "a formula" if count == 1 else f"formulas in {count:,} rows"
            reason = f"holds {cells}; the value last saved by the spreadsheet was imported"
            if empty:
                some = "it" if count == 1 else f"{empty:,} of them"
                reason += f" ({some} had no saved value: rows with such a cell are rejected)"
            self.out.problems.append(self.problem(first, headers.get(col, ""), reason, WARNING))

    def covered(self) -> set[str]:
        covered = set(self.entities)
        if {(SYSTEMS, "identities"), (IDENTITIES, "systems")} & set(self.mapped) or {
            SYSTEMS,
            IDENTITIES,
        } <= covered:
            covered.add("links")
        return covered

    def info(self, read: int, rejected: int) -> SheetInfo:
        columns = [(c.header, c.target) for c in self.sheet.columns]
        name = self.sheet.raw.name
        return SheetInfo(name, self.primary, self.sheet.header_row + 1, columns, read, rejected)


def read_sheet_rows(
    sheet: MappedSheet,
    *,
    limits: Limits = DEFAULT_LIMITS,
    tick: Tick | None = None,
    values: ValueMap | None = None,
    id_rule: IdRule | None = None,
) -> SheetRows:
    """Read every data row of a mapped sheet.

    Args:
        sheet: The sheet, with a header row and an entity.
        limits: The cap on cell length.
        tick: Called now and then with the fraction of the sheet read.
        values: The user's value mappings by column.
        id_rule: How a row without an id gets one (default: generated from its name).

    Returns:
        The valid rows' records and links, the problems, and the sheet's summary. A sheet
        with no column for its records' id (a lookup or notes sheet) is skipped with a note.
    """
    rule = id_rule or IdRule()
    reader = _SheetReader(sheet, limits, values or ValueMap(), rule)
    missing = reader.missing_key_columns()
    if missing == ["id"] and reader.rule_gives_ids():
        missing = []
    if missing:
        spec = SPECS[reader.primary]
        names = " and ".join(missing)
        reason = (
            f"sheet {sheet.raw.name!r} was not imported: no column gives the {names} of its "
            f"{_in_sentence(spec.title)} (map a column to {missing[0]}"
            + (", or choose an id rule," if missing == ["id"] else "")
            + " to read it)"
        )
        problem = reader.problem(sheet.header_row + 1, "", reason, WARNING)
        out = SheetRows(problems=[problem])
        out.info = reader.info(0, 0)
        return out
    return reader.run(tick)


def _in_sentence(title: str) -> str:
    """Return an entity's title for the middle of a sentence (``AI systems``, ``grants``)."""
    return title if title.startswith("AI") else title.lower()
