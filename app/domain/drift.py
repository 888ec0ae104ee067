"""Drift between two inventory snapshots: what is new, removed or wider since the last review.

Each applied import stores a snapshot of the whole inventory as plain JSON data (version 1).
Every entity is a table of canonical fields (DESIGN §5) and rows, dates as ISO text:

    {"version": 1,
     "systems": {"fields": ["id", "name", "owner_email", "autonomy", ...], "rows": [[...]]},
     "identities": {...}, "resources": {...},
     "grants": {"fields": ["identity", "resource", "action", "scope", "approval_required",
                           "logged", "last_used"], "rows": [...]},
     "delegations": {"fields": ["from_identity", "to_identity", "kind"], "rows": [...]},
     "links": {"fields": ["system", "identity"], "rows": [...]}}

:func:`facts_from_snapshot` reads it by field name (fields it does not use are ignored, a value
outside the vocabulary counts as not recorded) and also reads the earlier layout, where systems,
identities and resources were ``{id: {field: value}}`` and the others lists of rows.
:func:`snapshot_of` writes the table layout.

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

from app.domain.blast_radius import BlastScorer
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
        scores_raised: ``(system, old score, new score)`` where the blast radius grew (an old
            score of None: it was unknown, its access not recorded).
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
    scores_raised: tuple[tuple[str, int | None, int], ...] = ()

    @property
    def is_empty(self) -> bool:
        """Return True when nothing changed."""
        return not any(getattr(self, f.name) for f in fields(self))

    def counts(self) -> dict[str, int]:
        """Return the number of changes of each kind."""
        return {f.name: len(getattr(self, f.name)) for f in fields(self)}


_ROW_FIELDS = {
    "grants": ("identity", "resource", "action", "scope", "approval_required", "logged",
               "last_used"),
    "delegations": ("from_identity", "to_identity", "kind"),
    "links": ("system", "identity"),
}  # fmt: skip
_ENTITIES = ("systems", "identities", "resources", "grants", "delegations")


def snapshot_of(facts: InventoryFacts) -> dict[str, Any]:
    """Return the inventory as snapshot data (the table layout of the module docstring)."""
    systems = ["id", "name", "owner_email", "autonomy", "environment", "data_classification",
               "exposure"]  # fmt: skip
    identities = ["id", "name", "kind", "owner_email", "environment", "created", "last_rotated",
                  "last_used", "expires", "revocation_procedure"]  # fmt: skip
    resources = ["id", "name", "environment", "sensitivity"]
    grants = [
        [g.identity, g.resource, g.action.value, g.scope, g.approval_required, None,
         _iso(g.last_used)]
        for g in facts.grants
    ]  # fmt: skip
    return {
        "version": SNAPSHOT_VERSION,
        "systems": _table(systems, facts.systems.values()),
        "identities": _table(identities, facts.identities.values()),
        "resources": _table(resources, facts.resources.values()),
        "grants": {"fields": list(_ROW_FIELDS["grants"]), "rows": sorted(grants, key=str)},
        "delegations": {
            "fields": list(_ROW_FIELDS["delegations"]),
            "rows": sorted([d.source, d.target, d.kind.value] for d in facts.delegations),
        },
        "links": {
            "fields": list(_ROW_FIELDS["links"]),
            "rows": sorted([s.ext_id, i] for s in facts.systems.values() for i in s.identities),
        },
    }


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _table(fields_: list[str], records: Any) -> dict[str, Any]:
    rows = []
    for record in sorted(records, key=lambda r: r.ext_id):
        row = []
        for name in fields_:
            value = (
                record.ext_id
                if name == "id"
                else getattr(record, "owner" if name == "owner_email" else name)
            )
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif hasattr(value, "value"):
                value = value.value
            row.append(value)
        rows.append(row)
    return {"fields": fields_, "rows": rows}


def _records(snapshot: Mapping[str, Any], entity: str) -> list[Mapping[str, Any]]:
    """Return one entity of a snapshot as dictionaries keyed by canonical field names."""
    part = snapshot.get(entity)
    if part is None:
        if entity == "links":
            return []
        raise SnapshotError(f"inventory snapshot without {entity}")
    if isinstance(part, Mapping) and "fields" in part and "rows" in part:
        names = part["fields"]
        return [dict(zip(names, row, strict=True)) for row in part["rows"]]
    if entity in _ROW_FIELDS and isinstance(part, list):
        names = _ROW_FIELDS[entity]
        return [dict(zip(names, row, strict=False)) for row in part]
    if entity not in _ROW_FIELDS and isinstance(part, Mapping):
        return [{"id": key, **values} for key, values in part.items()]
    raise SnapshotError(f"inventory snapshot with an unreadable {entity} part")


def facts_from_snapshot(snapshot: Mapping[str, Any]) -> InventoryFacts:
    """Read a stored snapshot back into facts.

    Raises:
        SnapshotError: The data is not a snapshot of a known version, or is damaged.
    """
    if not isinstance(snapshot, Mapping) or snapshot.get("version") != SNAPSHOT_VERSION:
        version = snapshot.get("version") if isinstance(snapshot, Mapping) else None
        raise SnapshotError(
            f"not an inventory snapshot of version {SNAPSHOT_VERSION} (version {version!r})"
        )
    try:
        links: dict[str, list[str]] = {}
        for link in _records(snapshot, "links"):
            links.setdefault(link["system"], []).append(link["identity"])
        parts = {entity: _records(snapshot, entity) for entity in _ENTITIES}
        return InventoryFacts.of(
            systems=[_system(v, links.get(v["id"], [])) for v in parts["systems"]],
            identities=[_identity(v) for v in parts["identities"]],
            resources=[_resource(v) for v in parts["resources"]],
            grants=[_grant(v) for v in parts["grants"] if _enum(Action, v["action"])],
            delegations=[
                DelegationFacts(
                    v["from_identity"],
                    v["to_identity"],
                    _enum(DelegationKind, v.get("kind")) or DelegationKind.ASSUME_ROLE,
                )
                for v in parts["delegations"]
            ],
        )
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise SnapshotError(f"damaged inventory snapshot: {exc!r}") from exc


def _enum(cls: type[_E], value: object) -> _E | None:
    try:
        return cls(str(value)) if value is not None else None
    except ValueError:
        return None


def _date(value: object) -> dt.date | None:
    return dt.date.fromisoformat(str(value)[:10]) if value else None


def _owner(values: Mapping[str, Any]) -> str:
    return str(values.get("owner_email") or values.get("owner_name") or "")


def _system(v: Mapping[str, Any], identities: list[str]) -> SystemFacts:
    return SystemFacts(
        v["id"],
        name=str(v.get("name") or ""),
        owner=_owner(v),
        autonomy=_enum(Autonomy, v.get("autonomy")),
        environment=_enum(Environment, v.get("environment")),
        data_classification=_enum(Sensitivity, v.get("data_classification")),
        exposure=_enum(Exposure, v.get("exposure")),
        identities=tuple(identities),
        designation=str(v.get("risk_designation") or ""),
    )


def _identity(v: Mapping[str, Any]) -> IdentityFacts:
    return IdentityFacts(
        v["id"],
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


def _resource(v: Mapping[str, Any]) -> ResourceFacts:
    return ResourceFacts(
        v["id"],
        name=str(v.get("name") or ""),
        environment=_enum(Environment, v.get("environment")),
        sensitivity=_enum(Sensitivity, v.get("sensitivity")),
        kind=str(v.get("kind") or ""),
    )


def _grant(v: Mapping[str, Any]) -> GrantFacts:
    return GrantFacts(
        v["identity"],
        v["resource"],
        Action(v["action"]),
        v.get("scope") or "",
        v.get("approval_required"),
        _date(v.get("last_used")),
    )


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
) -> tuple[tuple[str, int | None, int], ...]:
    old_scores, new_scores = BlastScorer(old_graph), BlastScorer(new_graph)
    raised: list[tuple[str, int | None, int]] = []
    for system in sorted(old.systems.keys() & new.systems.keys()):
        before, after = old_scores.system(system).score, new_scores.system(system).score
        if after is not None and (before is None or after > before):
            raised.append((system, before, after))  # unknown before: now it is measured
    return tuple(raised)
