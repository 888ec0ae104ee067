"""Where the register and the identity exports fail to meet, for the dry run.

Which AI systems' identities no identity export describes, and which exported identities no
system uses.

An identity counts as found in an export when an export import stamped it (a ``source.…``
attribute). A system uses an identity directly (the register's identities) or through the
delegations of the identities it uses.
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from app.domain.identity_names import readable
from app.domain.record_kinds import DELEGATIONS, GRANTS, IDENTITIES
from app.ingest.diff import Existing
from app.ingest.references import Resolved

logger = logging.getLogger(__name__)

#: Entries each list keeps (the counts stay exact).
MAX_LISTED = 200


@dataclass
class Coverage:
    """How the register's systems and the exports' identities meet.

    Attributes:
        unfound: System id → its identities found in no export.
        unused: Exported identities no system uses, directly or through delegations.
        unused_count: How many there are in all.
        exported: How many identities some export describes.
        labels: ``name (id)`` of the listed identities, and of those holding a conditional
            grant, whose id is opaque (an Entra object id).
    """

    unfound: dict[str, list[str]] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)
    unused_count: int = 0
    exported: int = 0
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, identity: str) -> str:
        """Return how to show an identity: ``name (id)`` for an opaque id, else the id."""
        return self.labels.get(identity, identity)

    def to_dict(self) -> dict[str, Any]:
        """Return the coverage as plain data."""
        return {
            "systems_with_identities_in_no_export": self.unfound,
            "identities_used_by_no_system": self.unused,
            "identities_used_by_no_system_count": self.unused_count,
            "identities_in_exports": self.exported,
            "identity_labels": self.labels,
        }


def _exported(attributes: Any) -> bool:
    return isinstance(attributes, dict) and any(k.startswith("source.") for k in attributes)


def coverage(existing: Existing, resolved: Resolved, matched: set[str]) -> Coverage | None:
    """Return the coverage after this import, or None when no identity comes from an export.

    Args:
        existing: The workspace's inventory.
        resolved: The import's records.
        matched: Register identities an export's identity turned out to be (found, then).
    """
    rows = existing.records[IDENTITIES].items()
    attributes = {k[0]: row.get("attributes") for k, row in rows}
    names = {k[0]: str(row.get("name") or "") for k, row in rows}
    for record in resolved.records[IDENTITIES]:
        before = attributes.get(record.key[0]) or {}
        attributes[record.key[0]] = {**before, **record.attributes}
        names[record.key[0]] = str(record.values.get("name") or names.get(record.key[0], ""))
    exported = {ident for ident, attrs in attributes.items() if _exported(attrs)}
    if not exported:
        return None
    links = set(existing.links) | {(k.system, k.identity) for k in resolved.links}
    delegates: dict[str, set[str]] = {}
    for source, target, *_ in list(existing.records[DELEGATIONS]) + [
        r.key for r in resolved.records[DELEGATIONS]
    ]:
        delegates.setdefault(source, set()).add(target)
    result = Coverage(exported=len(exported))
    by_system: dict[str, list[str]] = {}
    for system, identity in sorted(links):
        by_system.setdefault(system, []).append(identity)
    for system, identities in by_system.items():
        missing = [i for i in identities if i not in exported and i not in matched]
        if missing and len(result.unfound) < MAX_LISTED:
            result.unfound[system] = missing
    used = _reachable({i for _s, i in links}, delegates)
    unused = sorted(exported - used)
    result.unused, result.unused_count = unused[:MAX_LISTED], len(unused)
    listed = result.unused + [i for ids in result.unfound.values() for i in ids]
    listed += [r.key[0] for r in resolved.records[GRANTS] if r.values.get("conditional")]
    labels = {i: readable(i, names.get(i)) for i in listed}
    result.labels = {i: label for i, label in labels.items() if label != i}
    return result


def _reachable(starts: set[str], delegates: dict[str, set[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for target in delegates.get(queue.popleft(), ()):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen
