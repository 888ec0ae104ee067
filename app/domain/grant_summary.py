"""Grants summarised by what they give: one phrase per scope, counting resources by kind.

An identity that owns a subscription also owns everything in it, and an export lists each of
those resources as a grant of its own ("Owner (via the subscription)"). Listed one by one they
fill a report cell with the same scope repeated; summarised, they read as "Owner (admin) on
1 Azure subscription and 6 Azure resources: a, b, c and 4 more (6 inherited from …)".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.hygiene_model import listing
from app.domain.inventory_facts import ResourceFacts
from app.support.text import plural

logger = logging.getLogger(__name__)

#: How many resources a phrase names before it counts the rest.
NAMED = 3
_INHERITED = re.compile(r"^(?P<scope>.*?)\s*\(via (?P<via>.+)\)$")
_PLAIN_SCOPE = re.compile(r"[\w .:/-]+")


@dataclass(frozen=True)
class Reach:
    """One resource an identity reaches, and what it holds there.

    Attributes:
        holding: What is held, the same text for every resource it covers (``Owner (admin)``).
        resource: The resource's inventory id.
        via: Where the holding is inherited from; empty for a grant on the resource itself.
    """

    holding: str
    resource: str
    via: str = ""


def scope_reach(resource: str, action: str, scope: str) -> Reach:
    """Return the reach of one grant, its scope named without its ``(via …)`` inheritance."""
    matched = _INHERITED.match(scope)
    base, via = (matched["scope"], matched["via"]) if matched else (scope, "")
    if not base:
        return Reach(f"{action} rights", resource, via)
    named = base if _PLAIN_SCOPE.fullmatch(base) else f"scope '{base}'"
    return Reach(f"{named} ({action})", resource, via)


def summarise(reaches: list[Reach], resources: Mapping[str, ResourceFacts]) -> str:
    """Return the reaches as one phrase per holding, joined by semicolons.

    Args:
        reaches: What is held where, in the order to tell it.
        resources: The inventory's resources (for their kinds and display names).

    Returns:
        E.g. ``Owner (admin) on 1 Azure subscription and 2 Azure resources: s1, oai, st
        (2 inherited from s1)``; a holding on one resource reads ``Owner (admin) on s1``.
    """
    groups: dict[str, list[Reach]] = {}
    for reach in reaches:
        groups.setdefault(reach.holding, []).append(reach)
    return "; ".join(_phrase(holding, held, resources) for holding, held in groups.items())


def _phrase(holding: str, held: list[Reach], resources: Mapping[str, ResourceFacts]) -> str:
    ordered = sorted(held, key=lambda r: bool(r.via))  # the grants themselves first
    kinds: dict[str, int] = {}
    names: list[str] = []
    for reach in ordered:
        facts = resources.get(reach.resource)
        kind = _kind(facts)
        kinds[kind] = kinds.get(kind, 0) + 1
        names.append(facts.name if facts is not None and facts.name else reach.resource)
    if len(names) == 1:
        return f"{holding} on {names[0]}{_inherited(held)}"
    counted = listing([_counted(n, kind) for kind, n in kinds.items()]).rsplit(", ", 1)
    return f"{holding} on {' and '.join(counted)}: {listing(names, NAMED)}{_inherited(held)}"


def _inherited(held: list[Reach]) -> str:
    """Return `` (n inherited from x)`` for the reaches inherited from a wider grant."""
    vias = sorted({r.via for r in held if r.via})
    count = sum(1 for r in held if r.via)
    return f" ({count} inherited from {', '.join(vias)})" if count else ""


def _kind(facts: ResourceFacts | None) -> str:
    """Return the resource's kind in words; a provider's type path (``a.b/c``) is ``resource``."""
    if facts is None or not facts.kind or "/" in facts.kind:
        return "resource"
    return facts.kind


def _counted(count: int, kind: str) -> str:
    """Return ``count kind`` in the right number (a kind ending in brackets stays as it is)."""
    return plural(count, kind, kind if kind.endswith(")") else None)
