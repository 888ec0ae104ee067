"""Check that what a file's records point at exists, in the file or in the workspace.

A grant needs its identity and resource, a delegation both identities, a link its AI system;
a row that points at something that exists nowhere is rejected (and so is everything else
that row said). An identity named only in an AI system's ``identities`` cell becomes a record
with just its id (created when new, unchanged otherwise), since a register that lists its
systems' service accounts should not need a separate identities sheet; a warning says how
many were created that way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TypeVar

from app.ingest.fields import DELEGATIONS, ENTITIES, GRANTS, IDENTITIES, RESOURCES, SYSTEMS
from app.ingest.problems import WARNING, Problem, Source, at, quote
from app.ingest.records import IdentityRecord, Link, ParsedInventory, Record

logger = logging.getLogger(__name__)

_MAX_PASSES = 4
_Sourced = TypeVar("_Sourced", Record, Link)


@dataclass
class KnownIds:
    """The ids the workspace already holds."""

    systems: set[str] = field(default_factory=set)
    identities: set[str] = field(default_factory=set)
    resources: set[str] = field(default_factory=set)
    system_names: dict[str, str] = field(default_factory=dict)


def name_key(text: str) -> str:
    """Return how a system's name or id is compared: case and spaces ignored."""
    return "".join(str(text).split()).casefold()


@dataclass
class Resolved:
    """The records that survive the reference checks.

    Attributes:
        records: Records by entity, including identities created from ``identities`` cells.
        links: The links whose ends exist.
        problems: The reference problems (errors reject their rows) and warnings.
        rejected_rows: ``(sheet, row)`` of every row rejected here.
        rejected_keys: Keys of the records on every rejected row (while reading or here), by
            entity; such records are named by the file, so never "missing" from it.
    """

    records: dict[str, list[Record]]
    links: list[Link]
    problems: list[Problem]
    rejected_rows: set[tuple[str, int]]
    rejected_keys: dict[str, set[tuple[str, ...]]] = field(default_factory=dict)


class _Check:
    def __init__(self, inventory: ParsedInventory, known: KnownIds) -> None:
        self.inventory, self.known = inventory, known
        self.problems: dict[tuple[str, int, str, str], Problem] = {}

    def run(self) -> Resolved:
        self.inventory.links = self.named_systems(self.inventory.links)
        rejected: set[tuple[str, int]] = set()
        for _ in range(_MAX_PASSES):
            records = {
                entity: _kept(self.inventory.records[entity], rejected) for entity in ENTITIES
            }
            links = _kept(self.inventory.links, rejected)
            found = self.check(records, links)
            new = {_row_of(p) for p in found if p.is_error} - rejected
            for problem in found:
                self.problems.setdefault(_problem_key(problem), problem)
            if not new:
                break
            rejected |= new
        bare, links = self.bare_identities(records, links)
        records[IDENTITIES] = records[IDENTITIES] + bare
        problems = sorted(self.problems.values(), key=_order)
        rejected_keys = {e: set(keys) for e, keys in self.inventory.rejected_keys.items()}
        for entity in ENTITIES:
            for record in self.inventory.records[entity]:
                if _row(record.source) in rejected:
                    rejected_keys[entity].add(record.key)
        return Resolved(records, links, problems, rejected, rejected_keys)

    def check(self, records: dict[str, list[Record]], links: list[Link]) -> list[Problem]:
        ids = {
            entity: {r.key[0] for r in records[entity]}
            for entity in (SYSTEMS, IDENTITIES, RESOURCES)
        }
        systems = ids[SYSTEMS] | self.known.systems
        named = {link.identity for link in links}  # become records with just an id
        identities = ids[IDENTITIES] | self.known.identities | named
        resources = ids[RESOURCES] | self.known.resources
        found: list[Problem] = []
        for link in links:
            if link.system not in systems:
                reason = self.rejected_reason(SYSTEMS, link.system) or (
                    f"AI system {quote(link.system)} is neither in this file nor in the "
                    "workspace; the link is left out"
                )
                found.append(at(link.source, link.column, reason, WARNING))
        for grant in records[GRANTS]:
            identity, resource = grant.key[0], grant.key[1]
            if identity not in identities:
                reason = self.rejected_reason(IDENTITIES, identity) or _nowhere(
                    "identity", identity
                )
                found.append(at(grant.source, grant.column("identity"), reason))
            if resource not in resources:
                found.append(
                    at(grant.source, grant.column("resource"), _nowhere("resource", resource))
                )
        for delegation in records[DELEGATIONS]:
            source, target = delegation.key[0], delegation.key[1]
            for name, value in (("from_identity", source), ("to_identity", target)):
                if value not in identities:
                    found.append(
                        at(delegation.source, delegation.column(name), _nowhere("identity", value))
                    )
            if source == target:
                reason = f"identity {quote(source)} cannot delegate to itself"
                found.append(at(delegation.source, delegation.column("to_identity"), reason))
        return found

    def named_systems(self, links: list[Link]) -> list[Link]:
        """Return the links with systems named by name (or by id in other case) given by id."""
        ids = {r.key[0] for r in self.inventory.records[SYSTEMS]} | self.known.systems
        by_name: dict[str, set[str]] | None = None  # made when a link names a system not by id
        resolved = []
        for link in links:
            if link.system not in ids:
                by_name = self.system_names() if by_name is None else by_name
                found = by_name.get(name_key(link.system), set())
                if len(found) == 1:
                    link = link._replace(system=next(iter(found)))
            resolved.append(link)
        return list(dict.fromkeys(resolved))

    def system_names(self) -> dict[str, set[str]]:
        """Return the ids of the systems by their names and ids, compared as by :func:`name_key`."""
        by_name: dict[str, set[str]] = {}
        for key, system in self.known.system_names.items():
            by_name.setdefault(key, set()).add(system)
        for record in self.inventory.records[SYSTEMS]:
            for text in (record.key[0], record.values.get("name") or ""):
                if text:
                    by_name.setdefault(name_key(text), set()).add(record.key[0])
        for system in self.known.systems:
            by_name.setdefault(name_key(system), set()).add(system)
        return by_name

    def rejected_reason(self, entity: str, key: str) -> str:
        """Say that a record is on a rejected row of this file, and why; empty when it is not."""
        source = self.inventory.rejected_sources.get((entity, (key,)))
        if source is None:
            return ""
        why = next(
            (p.reason for p in self.inventory.problems
             if p.is_error and (p.sheet, p.row) == (source.sheet, source.row)),
            "",
        )  # fmt: skip
        where = f"sheet {source.sheet!r}, row {source.row}" if source.sheet else f"row {source.row}"
        noun = "AI system" if entity == SYSTEMS else "identity"
        because = f" ({why})" if why else ""
        return f"{noun} {quote(key)} is on {where} of this file, which was rejected{because}"

    def bare_identities(
        self, records: dict[str, list[Record]], links: list[Link]
    ) -> tuple[list[Record], list[Link]]:
        described = {r.key[0] for r in records[IDENTITIES]}
        systems = {r.key[0] for r in records[SYSTEMS]} | self.known.systems
        created: dict[str, IdentityRecord] = {}
        per_column: dict[tuple[str, str], list[IdentityRecord]] = {}
        kept = []
        for link in links:
            if link.system not in systems:
                continue
            kept.append(link)
            if link.identity in described or link.identity in created:
                continue
            record = IdentityRecord((link.identity,), {"id": link.identity}, {}, link.source,
                                    {"id": link.column})  # fmt: skip
            created[link.identity] = record
            if link.identity not in self.known.identities:
                per_column.setdefault((link.source.sheet, link.column), []).append(record)
        for (_sheet, column), made in per_column.items():
            first = made[0]
            many = f"{len(made):,} identities" if len(made) > 1 else "1 identity"
            reason = (
                f"{many} named here but described in no identities sheet (first: "
                f"{quote(first.key[0])}) will be created with only an id"
            )
            problem = at(first.source, column, reason, WARNING)
            self.problems.setdefault(_problem_key(problem), problem)
        return list(created.values()), kept


def _nowhere(noun: str, value: str) -> str:
    where = "this file's resources" if noun == "resource" else "this file"
    return f"{noun} {quote(value)} is neither in {where} nor in the workspace"


def _kept(items: list[_Sourced], rejected: set[tuple[str, int]]) -> list[_Sourced]:
    """Return the records or links whose rows are not rejected (a new list)."""
    if not rejected:
        return list(items)
    return [item for item in items if _row(item.source) not in rejected]


def _row(source: Source) -> tuple[str, int]:
    return source.sheet, source.row


def _row_of(problem: Problem) -> tuple[str, int]:
    return problem.sheet, problem.row


def _problem_key(problem: Problem) -> tuple[str, int, str, str]:
    return problem.sheet, problem.row, problem.column, problem.reason


def _order(problem: Problem) -> tuple[str, int]:
    return problem.sheet, problem.row


def check_references(inventory: ParsedInventory, known: KnownIds) -> Resolved:
    """Check every reference of the file's records against the file and the workspace.

    Args:
        inventory: What the file holds.
        known: The ids already in the workspace.

    Returns:
        The surviving records and links, and the problems found.
    """
    return _Check(inventory, known).run()
