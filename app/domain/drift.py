"""Drift between two inventory snapshots: what is new, removed or wider since the last review.

Each applied import stores a snapshot of the whole inventory as plain JSON data (version 1):

    {"version": 1,
     "systems": {id: {name, owner_email, owner_name, autonomy, environment,
                      data_classification, exposure, ...}},
     "identities": {id: {name, kind, owner_email, owner_name, environment, created,
                         last_rotated, last_used, expires, revocation_procedure, ...}},
     "resources": {id: {name, kind, environment, sensitivity, ...}},
     "grants": [[identity, resource, action, scope, approval_required, logged, last_used], ...],
     "delegations": [[from_identity, to_identity, kind], ...],
     "links": [[system, identity], ...]}

Dates are ISO text; other keys are ignored. :func:`facts_from_snapshot` reads it (leniently:
a value outside the vocabulary counts as not recorded) and :func:`snapshot_of` writes it.

An identity is *widened* when it reaches a resource it did not reach before, or a stronger
action on one, directly or through delegations; a grant is widened when the strongest action of
an identity on a resource grew, or its scope became a wildcard or admin one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from app.domain.blast_radius import system_blast_radius
from app.domain.enums import (
    Action,
    Autonomy,
    DelegationKind,
    Environment,
    Exposure,
    IdentityKind,
    Sensitivity,
)
from app.domain.hygiene_access_rules import BROAD_SCOPE
from app.domain.identity_graph import IdentityGraph
from app.domain.inventory_facts import (
    DelegationFacts,
    GrantFacts,
    IdentityFacts,
    InventoryFacts,
    ResourceFacts,
    SystemFacts,
)

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1
_ACTION_BY_RANK = {a.rank: a for a in Action}


_E = TypeVar(
    "_E", Action, Autonomy, DelegationKind, Environment, Exposure, IdentityKind, Sensitivity
)


class SnapshotError(ValueError):
    """A stored snapshot is not in a format this version of Assay understands."""


@dataclass(frozen=True, slots=True)
class Widening:
    """What an identity or a grant gained between two snapshots.

    Attributes:
        subject: The identity id, or ``identity → resource`` for a grant.
        gained: Each gain in words, e.g. ``claims-db: read → write`` or ``docs: new (read)``.
    """

    subject: str
    gained: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DriftReport:
    """Differences between an older and a newer inventory.

    Attributes:
        systems_added: Systems only in the newer inventory.
        systems_removed: Systems only in the older one.
        identities_added: Identities only in the newer inventory.
        identities_removed: Identities only in the older one.
        identities_widened: Identities (in both) that reach more than before.
        grants_added: ``identity → resource (action)`` pairs new in the newer inventory.
        grants_removed: Pairs gone from it.
        grants_widened: Pairs whose strongest action grew or whose scope became broad.
        delegations_added: ``from → to (kind)`` delegations new in the newer inventory.
        delegations_removed: Delegations gone from it.
        scores_raised: ``(system, old score, new score)`` where the blast radius grew.
    """

    systems_added: tuple[str, ...] = ()
    systems_removed: tuple[str, ...] = ()
    identities_added: tuple[str, ...] = ()
    identities_removed: tuple[str, ...] = ()
    identities_widened: tuple[Widening, ...] = ()
    grants_added: tuple[str, ...] = ()
    grants_removed: tuple[str, ...] = ()
    grants_widened: tuple[Widening, ...] = ()
    delegations_added: tuple[str, ...] = ()
    delegations_removed: tuple[str, ...] = ()
    scores_raised: tuple[tuple[str, int, int], ...] = ()

    @property
    def is_empty(self) -> bool:
        """Return True when nothing changed."""
        return not any(getattr(self, f.name) for f in fields(self))

    def counts(self) -> dict[str, int]:
        """Return the number of changes of each kind."""
        return {f.name: len(getattr(self, f.name)) for f in fields(self)}


def snapshot_of(facts: InventoryFacts) -> dict[str, Any]:
    """Return the inventory as snapshot data (the shape of the module docstring)."""
    return {
        "version": SNAPSHOT_VERSION,
        "systems": {k: _plain(s) for k, s in sorted(facts.systems.items())},
        "identities": {k: _plain(i) for k, i in sorted(facts.identities.items())},
        "resources": {k: _plain(r) for k, r in sorted(facts.resources.items())},
        "grants": sorted(
            [
                g.identity,
                g.resource,
                g.action.value,
                g.scope,
                g.approval_required,
                None,
                g.last_used.isoformat() if g.last_used else None,
            ]
            for g in facts.grants
        ),
        "delegations": sorted([d.source, d.target, d.kind.value] for d in facts.delegations),
        "links": sorted([s.ext_id, i] for s in facts.systems.values() for i in s.identities),
    }


def _plain(record: SystemFacts | IdentityFacts | ResourceFacts) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name in {"ext_id", "identities"}:
            continue
        if f.name == "owner":
            out["owner_email"], out["owner_name"] = None, value
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif hasattr(value, "value"):
            value = value.value
        out[f.name] = value
    return out


def facts_from_snapshot(snapshot: Mapping[str, Any]) -> InventoryFacts:
    """Read a stored snapshot back into facts.

    Raises:
        SnapshotError: The data is not a snapshot of a known version, or is damaged.
    """
    if snapshot.get("version") != SNAPSHOT_VERSION:
        raise SnapshotError(
            f"not an inventory snapshot of version {SNAPSHOT_VERSION} "
            f"(version {snapshot.get('version')!r})"
        )
    try:
        links: dict[str, list[str]] = {}
        for system, identity in snapshot.get("links", []):
            links.setdefault(system, []).append(identity)
        return InventoryFacts.of(
            systems=[_system(k, v, links.get(k, [])) for k, v in snapshot["systems"].items()],
            identities=[_identity(k, v) for k, v in snapshot["identities"].items()],
            resources=[_resource(k, v) for k, v in snapshot["resources"].items()],
            grants=[_grant(row) for row in snapshot["grants"] if _enum(Action, row[2])],
            delegations=[
                DelegationFacts(f, t, _enum(DelegationKind, k) or DelegationKind.ASSUME_ROLE)
                for f, t, k in snapshot["delegations"]
            ],
        )
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise SnapshotError(f"damaged inventory snapshot: {exc!r}") from exc


def _enum(cls: type[_E], value: object) -> _E | None:
    try:
        return cls(value) if value is not None else None
    except ValueError:
        return None


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def _owner(values: Mapping[str, Any]) -> str:
    return str(values.get("owner_email") or values.get("owner_name") or "")


def _system(ext_id: str, v: Mapping[str, Any], identities: list[str]) -> SystemFacts:
    return SystemFacts(
        ext_id,
        name=str(v.get("name") or ""),
        owner=_owner(v),
        autonomy=_enum(Autonomy, v.get("autonomy")),
        environment=_enum(Environment, v.get("environment")),
        data_classification=_enum(Sensitivity, v.get("data_classification")),
        exposure=_enum(Exposure, v.get("exposure")),
        identities=tuple(identities),
    )


def _identity(ext_id: str, v: Mapping[str, Any]) -> IdentityFacts:
    return IdentityFacts(
        ext_id,
        name=str(v.get("name") or ""),
        kind=_enum(IdentityKind, v.get("kind")),
        owner=_owner(v),
        environment=_enum(Environment, v.get("environment")),
        created=_date(v.get("created")),
        last_rotated=_date(v.get("last_rotated")),
        last_used=_date(v.get("last_used")),
        expires=_date(v.get("expires")),
        revocation_procedure=str(v.get("revocation_procedure") or ""),
    )


def _resource(ext_id: str, v: Mapping[str, Any]) -> ResourceFacts:
    return ResourceFacts(
        ext_id,
        name=str(v.get("name") or ""),
        environment=_enum(Environment, v.get("environment")),
        sensitivity=_enum(Sensitivity, v.get("sensitivity")),
    )


def _grant(row: list[Any]) -> GrantFacts:
    identity, resource, action, scope = row[:4]
    approval = row[4] if len(row) > 4 else None
    last_used = row[-1] if len(row) > 5 else None
    return GrantFacts(identity, resource, Action(action), scope or "", approval, _date(last_used))


def compare_inventories(old: InventoryFacts, new: InventoryFacts) -> DriftReport:
    """Return what changed from ``old`` to ``new``."""
    old_graph, new_graph = IdentityGraph.from_facts(old), IdentityGraph.from_facts(new)
    old_grants, new_grants = _grant_index(old), _grant_index(new)
    old_delegations = {(d.source, d.target, d.kind.value) for d in old.delegations}
    new_delegations = {(d.source, d.target, d.kind.value) for d in new.delegations}
    return DriftReport(
        systems_added=tuple(sorted(new.systems.keys() - old.systems.keys())),
        systems_removed=tuple(sorted(old.systems.keys() - new.systems.keys())),
        identities_added=tuple(sorted(new.identities.keys() - old.identities.keys())),
        identities_removed=tuple(sorted(old.identities.keys() - new.identities.keys())),
        identities_widened=_widened_identities(old, new, old_graph, new_graph),
        grants_added=_grant_labels(new_grants, new_grants.keys() - old_grants.keys()),
        grants_removed=_grant_labels(old_grants, old_grants.keys() - new_grants.keys()),
        grants_widened=_widened_grants(old_grants, new_grants),
        delegations_added=_delegation_labels(new_delegations - old_delegations),
        delegations_removed=_delegation_labels(old_delegations - new_delegations),
        scores_raised=_raised_scores(old, new, old_graph, new_graph),
    )


def compare_snapshots(old: Mapping[str, Any], new: Mapping[str, Any]) -> DriftReport:
    """Return what changed between two stored snapshots (see :func:`compare_inventories`)."""
    return compare_inventories(facts_from_snapshot(old), facts_from_snapshot(new))


def _grant_index(facts: InventoryFacts) -> dict[tuple[str, str], tuple[int, bool]]:
    """Return (identity, resource) → (strongest action rank, any broad scope)."""
    index: dict[tuple[str, str], tuple[int, bool]] = {}
    for grant in facts.grants:
        key = (grant.identity, grant.resource)
        rank, broad = index.get(key, (0, False))
        wide = bool(grant.scope and BROAD_SCOPE.search(grant.scope))
        index[key] = (max(rank, grant.action.rank), broad or wide)
    return index


def _grant_labels(
    index: Mapping[tuple[str, str], tuple[int, bool]], keys: set[tuple[str, str]]
) -> tuple[str, ...]:
    return tuple(f"{i} → {r} ({_ACTION_BY_RANK[index[(i, r)][0]].value})" for i, r in sorted(keys))


def _delegation_labels(items: set[tuple[str, str, str]]) -> tuple[str, ...]:
    return tuple(f"{source} → {target} ({kind})" for source, target, kind in sorted(items))


def _widened_grants(
    old: Mapping[tuple[str, str], tuple[int, bool]],
    new: Mapping[tuple[str, str], tuple[int, bool]],
) -> tuple[Widening, ...]:
    widened: list[Widening] = []
    for key in sorted(old.keys() & new.keys()):
        (old_rank, old_broad), (new_rank, new_broad) = old[key], new[key]
        gained: list[str] = []
        if new_rank > old_rank:
            gained.append(f"{_ACTION_BY_RANK[old_rank].value} → {_ACTION_BY_RANK[new_rank].value}")
        if new_broad and not old_broad:
            gained.append("scope became wildcard or admin")
        if gained:
            widened.append(Widening(f"{key[0]} → {key[1]}", tuple(gained)))
    return tuple(widened)


def _widened_identities(
    old: InventoryFacts, new: InventoryFacts, old_graph: IdentityGraph, new_graph: IdentityGraph
) -> tuple[Widening, ...]:
    widened: list[Widening] = []
    for identity in sorted(old.identities.keys() & new.identities.keys()):
        before, after = old_graph.reach(identity), new_graph.reach(identity)
        if after is before:
            continue
        gained: list[str] = []
        for resource in sorted(after):
            rank, was = after[resource], before.get(resource, 0)
            if rank <= was:
                continue
            now = _ACTION_BY_RANK[rank].value
            if was:
                gained.append(f"{resource}: {_ACTION_BY_RANK[was].value} → {now}")
            else:
                gained.append(f"{resource}: new ({now})")
        if gained:
            widened.append(Widening(identity, tuple(gained)))
    return tuple(widened)


def _raised_scores(
    old: InventoryFacts, new: InventoryFacts, old_graph: IdentityGraph, new_graph: IdentityGraph
) -> tuple[tuple[str, int, int], ...]:
    raised: list[tuple[str, int, int]] = []
    for system in sorted(old.systems.keys() & new.systems.keys()):
        before = _score(old_graph, system)
        after = _score(new_graph, system)
        if after > before:
            raised.append((system, before, after))
    return tuple(raised)


def _score(graph: IdentityGraph, system: str) -> int:
    return system_blast_radius(graph, system, explain=False).score
