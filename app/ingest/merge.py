"""Gather the rows of every sheet into one inventory, reporting duplicate ids.

In sheets that describe one entity, an id seen twice is a duplicate and the later row is
rejected, unless it only lists further linked ids (one row per system–identity pair). That holds
when the first row carrying the id was itself rejected for a bad value: the later row is not
taken as if it were the first, it is rejected as a duplicate of that row, so the file has to be
fixed where the id first appears. A rejected row whose id was already seen is reported as a
duplicate as well as for its own error. A record that a flat sheet mentions and another sheet
describes is merged, as are the repeated rows of a flat sheet, as long as they agree; a row that
contradicts an earlier one is rejected with both places named.
"""

from __future__ import annotations

import logging
from typing import Any

from app.ingest.choices import IdRule, rule_id
from app.ingest.fields import IDENTITIES, SYSTEMS
from app.ingest.problems import WARNING, Problem, Source, quote
from app.ingest.records import ParsedInventory, Record
from app.ingest.rows import RowBundle

logger = logging.getLogger(__name__)

_EMPTY: tuple[Any, ...] = ("", None, [])
_LINK_FIELDS = ("identities", "systems")
_PERMISSIONS = "permissions"
_MERGED_FIELDS = (*_LINK_FIELDS, _PERMISSIONS)
#: Fields named in words in a message, and the column another field may have been read from.
_FIELD_WORDS = {"owner_name": "owner", "owner_email": "owner e-mail"}
_COLUMN_OF = {"owner_name": "owner_email", "owner_email": "owner_name"}


def _place(source: Source, here: Source) -> str:
    if source.sheet != here.sheet:
        return f"sheet {source.sheet!r}, row {source.row}" if source.sheet else f"row {source.row}"
    return f"row {source.row}"


class Merger:
    """Adds row bundles to a :class:`ParsedInventory`, one row at a time.

    Args:
        inventory: The inventory being built.
    """

    def __init__(self, inventory: ParsedInventory, id_rule: IdRule | None = None) -> None:
        self.inventory = inventory
        self.id_rule = id_rule or IdRule()
        self.index: dict[str, dict[tuple[str, ...], Record]] = {
            entity: {} for entity in inventory.records
        }
        #: Per entity, the keys read in a sheet describing only that entity (no extra tuple
        #: per key: a 100,000-system register has 860,000 of them).
        self.strict: dict[str, set[tuple[str, ...]]] = {entity: set() for entity in self.index}
        self.rejected_first: dict[tuple[str, tuple[str, ...]], Source] = {}
        self.link_keys: set[tuple[str, str]] = set()

    def add(self, bundle: RowBundle, *, strict_entity: str | None) -> bool:
        """Add one row's records; return False (and record problems) when it conflicts.

        Args:
            bundle: The row's records and links.
            strict_entity: The entity whose ids must be unique in this sheet (the entity of a
                sheet that describes only one); None in a flat sheet.
        """
        if self._all_new(bundle, strict_entity):
            for record in bundle.records:
                if record.entity == strict_entity:
                    self.strict[record.entity].add(record.key)
                self.index[record.entity][record.key] = record
                self.inventory.records[record.entity].append(record)
        else:
            if not self._add_known(bundle, strict_entity):
                return False
        for link in bundle.links:
            if (link.system, link.identity) not in self.link_keys:
                self.link_keys.add((link.system, link.identity))
                self.inventory.links.append(link)
        return True

    def _all_new(self, bundle: RowBundle, strict_entity: str | None) -> bool:
        """Return True when no record of the row was seen before (the common case)."""
        for record in bundle.records:
            if record.key in self.index[record.entity]:
                return False
            first = self.rejected_first.get((record.entity, record.key))
            if first is not None and record.entity == strict_entity:
                return False
        return True

    def _add_known(self, bundle: RowBundle, strict_entity: str | None) -> bool:
        """Add a row some of whose records were seen before; False when it conflicts."""
        for record in bundle.records:
            problem = self._conflict(record, strict_entity, bundle)
            if problem is not None:
                self.inventory.problems.append(problem)
                self.inventory.reject(bundle.records)
                return False
        for record in bundle.records:
            self._merge(record, strict_entity)
        return True

    def add_rejected(self, records: list[Record], *, strict_entity: str | None) -> None:
        """Note the records of a row rejected for its own errors, in file order with ``add``.

        In a sheet that describes one entity, the first row carrying an id is remembered even
        when it was rejected, so a later row with the same id is reported as its duplicate;
        a rejected row repeating an id seen before is reported as a duplicate too.

        Args:
            records: The records the rejected row would have given.
            strict_entity: As for :meth:`add`.
        """
        for record in records:
            if record.entity != strict_entity:
                continue
            key = (record.entity, record.key)
            earlier = self.index[record.entity].get(record.key)
            if key in self.rejected_first:
                first = self.rejected_first[key]
                self.inventory.problems.append(_duplicate(record, first, rejected=True))
            elif record.key in self.strict[record.entity] and earlier is not None:
                if not _adds_links(record, earlier):
                    self.inventory.problems.append(_duplicate(record, earlier.source))
            else:
                self.rejected_first[key] = record.source

    def _conflict(
        self, record: Record, strict_entity: str | None, bundle: RowBundle | None = None
    ) -> Problem | None:
        earlier = self.index[record.entity].get(record.key)
        if earlier is None:
            first = self.rejected_first.get((record.entity, record.key))
            if first is not None and record.entity == strict_entity:
                return _duplicate(record, first, rejected=True)
            return None
        differing = [
            name
            for name, value in record.values.items()
            if name not in _MERGED_FIELDS
            and value not in _EMPTY
            and earlier.values.get(name) not in _EMPTY
            and earlier.values.get(name) != value
        ]
        strict = record.entity == strict_entity and record.key in self.strict[record.entity]
        if strict and differing and record.entity != IDENTITIES:
            problem = _duplicate(record, earlier.source, differing=differing[0])
            return self._give_rule_id(record, bundle, problem)
        if strict and not differing and not _adds_links(record, earlier):
            self._warn(record, _duplicate(record, earlier.source).reason + "; read once")
        for name in differing:
            self._keep_conflict(record, earlier, name)
        return None

    def _give_rule_id(
        self, record: Record, bundle: RowBundle | None, problem: Problem
    ) -> Problem | None:
        """Resolve a duplicate id as a row without an id: the id rule gives it one.

        Returns:
            None when the row was given a free id (with a warning), else the duplicate error.
        """
        made = rule_id(record, self.id_rule) if bundle is not None else ""
        if not made or made in {k[0] for k in self.index[record.entity]}:
            return problem
        old = record.key[0]
        record.key = (made,)
        record.values["id"] = made
        if record.entity == SYSTEMS and bundle is not None:
            bundle.links = [k._replace(system=made) if k.system == old else k
                            for k in bundle.links]  # fmt: skip
        self._warn(record, f"{problem.reason.split(' (give')[0]}: read as {quote(made)} "
                           f"(id rule: {self.id_rule.describe()})")  # fmt: skip
        return None

    def _keep_conflict(self, record: Record, earlier: Record, name: str) -> None:
        """Warn that a record's rows disagree on a field; keep the other value as an attribute."""
        value, before = record.values[name], earlier.values.get(name)
        words = _FIELD_WORDS.get(name, name.replace("_", " "))
        kept = f"{words} (row {record.source.row})"
        earlier.own_attributes().setdefault(kept, _show(value))
        # An owner's name may come from the owner e-mail column ("Reed, Tom" under "Owner").
        column = record.column(name) or record.column(_COLUMN_OF.get(name, name))
        self._warn(
            record,
            f"{record.entity_noun()} {quote(record.label)} has {words} {quote(_show(value))} "
            f"here but {quote(_show(before))} on {_place(earlier.source, record.source)}; "
            f"the first is kept and this one is kept as the custom attribute {kept!r}",
            column,
        )

    def _warn(self, record: Record, reason: str, column: str | None = None) -> None:
        source = record.source
        where = record.column(record.entity_key_field()) if column is None else column
        problem = Problem(source.file, source.sheet, source.row, where, reason, WARNING)
        self.inventory.problems.append(problem)

    def _merge(self, record: Record, strict_entity: str | None) -> None:
        if record.entity == strict_entity:
            self.strict[record.entity].add(record.key)
        earlier = self.index[record.entity].get(record.key)
        if earlier is None:
            self.index[record.entity][record.key] = record
            self.inventory.records[record.entity].append(record)
            return
        for name, value in record.values.items():
            before = earlier.values.get(name)
            if name in _LINK_FIELDS and before and value:
                earlier.values[name] = list(dict.fromkeys([*before, *value]))
            elif name == _PERMISSIONS and before and value:
                earlier.values[name] = _permission_rows(earlier, before, record.source, value)
            elif before in _EMPTY and value not in _EMPTY:
                earlier.values[name] = value
            earlier.values.setdefault(name, value)
        if record.attributes:
            attributes = earlier.own_attributes()
            for name, value in record.attributes.items():
                attributes.setdefault(name, value)
        if any(name not in earlier.headers for name in record.headers):
            earlier.headers = {**record.headers, **earlier.headers}  # headers dicts are shared


def _permission_rows(
    earlier: Record, before: Any, source: Source, text: str
) -> list[tuple[Source, str]]:
    """Return an identity's permission cells with the row of each, adding this row's cell.

    A shared account's rows each list permissions; each cell keeps its row, so that an entry
    not understood is reported on the row that holds it.
    """
    rows = before if isinstance(before, list) else [(earlier.source, before)]
    if text not in [cell for _, cell in rows]:
        rows.append((source, text))
    return rows


def _duplicate(
    record: Record, first: Source, *, rejected: bool = False, differing: str = ""
) -> Problem:
    """Return the problem of a row that repeats the id first given on ``first``."""
    source = record.source
    reason = (
        f"duplicate {record.entity_noun()} {quote(record.label)}: already on "
        f"{_place(first, source)}"
    )
    if rejected:
        reason += ", which was rejected"
    if differing:
        reason += f", with another {differing} (give one of the two rows another id)"
    column = record.column(record.entity_key_field())
    return Problem(source.file, source.sheet, source.row, column, reason)


def _adds_links(record: Record, earlier: Record) -> bool:
    """Return True when a repeated row lists further linked ids.

    A register with one row per system–identity pair repeats the system on every row; such a
    row continues the record rather than duplicating it.
    """
    for name in _LINK_FIELDS:
        new = record.values.get(name) or []
        if set(new) - set(earlier.values.get(name) or []):
            return True
    return False


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)
