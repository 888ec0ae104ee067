"""Compare a file's records with what the workspace holds: creates, updates, unchanged, missing.

The workspace side comes in as plain dictionaries (the import service reads them), so this
module stays free of storage. Only the fields the file has are compared; custom attributes are
merged (a key the file lacks is kept), so re-importing the same file finds nothing to change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from app.ingest.fields import ENTITIES, IDENTITIES, SPECS, SYSTEMS
from app.ingest.records import Link, Record

logger = logging.getLogger(__name__)

LINKS = "links"
_SKIPPED_FIELDS = frozenset({"id", "identities", "systems", "owner_email", "owner_name"})


@dataclass
class Existing:
    """The workspace's inventory as plain values, keyed like the file's records.

    Attributes:
        records: Entity → key → canonical values, plus ``_id`` (the row id), ``attributes`` and,
            for systems and identities, ``owner_email`` and ``owner_name``.
        links: ``(system id, identity id)`` pairs.
        protected_systems: Systems that have assessments (never deleted by an import).
    """

    records: dict[str, dict[tuple[str, ...], dict[str, Any]]] = field(
        default_factory=lambda: {e: {} for e in ENTITIES}
    )
    links: set[tuple[str, str]] = field(default_factory=set)
    protected_systems: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Owner:
    """Who a record's owner columns name: by e-mail when given, else by name."""

    email: str | None
    name: str

    def __str__(self) -> str:
        if self.email and self.name:
            return f"{self.name} <{self.email}>"
        return self.email or self.name


@dataclass
class Change:
    """An update of one existing record.

    Attributes:
        record: The file's record.
        row_id: The workspace row to update.
        changes: Field → (value in the workspace, value in the file); ``owner`` for the owner
            and ``attributes`` for the merged custom attributes.
    """

    record: Record
    row_id: int
    changes: dict[str, tuple[Any, Any]]


@dataclass
class EntityDiff:
    """What an import would do to one entity."""

    creates: list[Record] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    unchanged: list[Record] = field(default_factory=list)
    missing: list[tuple[str, ...]] = field(default_factory=list)
    missing_ids: list[int] = field(default_factory=list)
    kept: list[tuple[str, ...]] = field(default_factory=list)


@dataclass(frozen=True)
class KeptEdit:
    """A value changed in Assay since the last import, kept instead of the file's value.

    Attributes:
        entity: The record kind.
        key: The record's key.
        field: The field changed by hand.
        in_assay: The value in the workspace (kept).
        in_file: The value the file gives (not written).
    """

    entity: str
    key: tuple[str, ...]
    field: str
    in_assay: Any
    in_file: Any

    @property
    def label(self) -> str:
        """Return ``AIS-1: autonomy`` (the record and the field)."""
        return f"{' → '.join(self.key)}: {self.field.replace('_', ' ')}"


@dataclass
class InventoryDiff:
    """What an import would do, entity by entity, and to the system–identity links."""

    entities: dict[str, EntityDiff]
    link_creates: list[Link]
    link_missing: list[tuple[str, str]]
    owners: dict[str, str]
    kept_edits: list[KeptEdit] = field(default_factory=list)
    hand_edited: dict[str, set[tuple[str, str]]] = field(default_factory=dict)

    def keep_hand_edits(self, edited: dict[str, set[tuple[str, str]]]) -> None:
        """Drop the file's value of every field changed in Assay since the last import.

        Args:
            edited: Per entity, ``(record key joined by " → ", field)`` pairs edited by hand.

        Each dropped value is listed in :attr:`kept_edits`; an update left without changes
        becomes unchanged.
        """
        self.hand_edited = edited
        for entity, part in self.entities.items():
            wanted = edited.get(entity)
            if not wanted:
                continue
            remaining = []
            for change in part.updates:
                label = " → ".join(change.record.key)
                for name in [n for n in change.changes if (label, n) in wanted]:
                    in_assay, in_file = change.changes.pop(name)
                    self.kept_edits.append(
                        KeptEdit(entity, change.record.key, name, in_assay, in_file)
                    )
                if change.changes:
                    remaining.append(change)
                else:
                    part.unchanged.append(change.record)
            part.updates = remaining


#: What :func:`owner_of` returns for a record whose file has no owner column.
NO_OWNER_COLUMN = object()


def owner_of(record: Record, names: dict[str, str]) -> Owner | None | object:
    """Return the owner a record names, None to clear it, or :data:`NO_OWNER_COLUMN`."""
    values = record.values
    if "owner_email" not in values and "owner_name" not in values:
        return NO_OWNER_COLUMN
    email = values.get("owner_email")
    name = values.get("owner_name") or ""
    if email:
        return Owner(email, names.get(email, name))
    if not name:
        return None
    known = names.get(_BY_NAME + name.casefold())
    return Owner(known, names.get(known, name)) if known else Owner(None, name)


_BY_NAME = "\0"  # prefix of the name → e-mail entries of owner_names


def owner_names(records: list[Record]) -> dict[str, str]:
    """Return the first name the file gives for each owner e-mail (one name per person).

    An owner given by name only on some rows and as ``Name <email>`` on others is one person:
    the map also holds a name key (a NUL and the name in lower case) → e-mail for names given
    one address only.
    """
    names: dict[str, str] = {}
    emails: dict[str, set[str]] = {}
    for record in records:
        email, name = record.values.get("owner_email"), record.values.get("owner_name")
        if email and name and email not in names:
            names[email] = name
        if email and name:
            emails.setdefault(name.casefold(), set()).add(email)
    for name, found in emails.items():
        if len(found) == 1:
            names[_BY_NAME + name] = next(iter(found))
    return names


def _owner_change(target: Owner | None, current: dict[str, Any]) -> tuple[Any, Any] | None:
    email, name = current.get("owner_email"), current.get("owner_name") or ""
    before = str(Owner(email, name)) if (email or name) else None
    if target is None:
        return (before, None) if before else None
    if target.email:
        same = email == target.email and (not target.name or target.name == name)
    else:
        same = bool(name) and name.casefold() == target.name.casefold()
    return None if same else (before, str(target))


def compare(record: Record, current: dict[str, Any], names: dict[str, str]) -> dict:
    """Return the changes the record makes to the workspace's values (empty when none)."""
    changes: dict[str, tuple[Any, Any]] = {}
    key_fields = SPECS[record.entity].key
    for name, new in record.values.items():
        if name in _SKIPPED_FIELDS or name in key_fields:
            continue
        old = current.get(name)
        if old != new and not (old in ("", None) and new in ("", None)):
            changes[name] = (old, new)
    target = owner_of(record, names)
    if target is not NO_OWNER_COLUMN:
        owner = _owner_change(target, current)  # type: ignore[arg-type]
        if owner is not None:
            changes["owner"] = owner
    if record.attributes:
        before = current.get("attributes") or {}
        merged = {**before, **record.attributes}
        if merged != before:
            changes["attributes"] = (before, merged)
    return changes


def diff_inventory(
    records: dict[str, list[Record]],
    links: list[Link],
    existing: Existing,
    *,
    covered: set[str],
    missing_filter: dict[str, dict[str, Any]] | None = None,
    named: dict[str, set[tuple[str, ...]]] | None = None,
    sources: set[tuple[str, str]] | None = None,
) -> InventoryDiff:
    """Compare the file's records with the workspace's.

    Args:
        records: The file's valid records by entity.
        links: The file's valid links.
        existing: The workspace's inventory.
        covered: The entities (and ``links``) the file has columns for; records of other
            entities are never "missing".
        missing_filter: Entity → field values a workspace record must have to count as missing
            (an AWS report only speaks for AWS identities).
        named: Keys the file names on rejected rows, by entity: never counted as missing.
        sources: (attribute, value) pairs of an identity-platform export; when given, only a
            workspace record whose attributes hold one of them can be missing.

    Returns:
        Creates, updates, unchanged and missing records per entity, and the link changes.
    """
    names = owner_names(records[SYSTEMS] + records[IDENTITIES])
    entities = {}
    for entity in ENTITIES:
        diff = EntityDiff()
        current_all = existing.records[entity]
        for record in records[entity]:
            current = current_all.get(record.key)
            if current is None:
                diff.creates.append(record)
                continue
            changes = compare(record, current, names)
            if changes:
                diff.updates.append(Change(record, current["_id"], changes))
            else:
                diff.unchanged.append(record)
        named_keys = (named or {}).get(entity, set())
        if entity in covered:
            wanted = (missing_filter or {}).get(entity)
            _missing(diff, entity, records[entity], named_keys, existing, wanted, sources)
        entities[entity] = diff
    file_links = {(k.system, k.identity) for k in links}
    link_creates = [k for k in links if (k.system, k.identity) not in existing.links]
    link_missing = []
    if LINKS in covered:
        held = {k[0] for k in (named or {}).get(SYSTEMS, set())}
        held |= {k[0] for k in (named or {}).get(IDENTITIES, set())}
        link_missing = sorted(pair for pair in existing.links - file_links if not held & set(pair))
    return InventoryDiff(entities, link_creates, link_missing, names)


def _missing(
    diff: EntityDiff,
    entity: str,
    records: list[Record],
    named: set[tuple[str, ...]],
    existing: Existing,
    wanted: dict[str, Any] | None,
    sources: set[tuple[str, str]] | None = None,
) -> None:
    present = {r.key for r in records} | named
    for key, current in existing.records[entity].items():
        if key in present:
            continue
        if wanted and any(current.get(k) != v for k, v in wanted.items()):
            continue
        if sources and not _from_sources(current.get("attributes") or {}, sources):
            continue
        if entity == SYSTEMS and key[0] in existing.protected_systems:
            diff.kept.append(key)
        else:
            diff.missing.append(key)
            diff.missing_ids.append(current["_id"])


def _from_sources(attributes: dict[str, Any], sources: set[tuple[str, str]]) -> bool:
    """Return True when a record's attributes say it came from one of the export's sources."""
    return any(attributes.get(name) == value for name, value in sources)
