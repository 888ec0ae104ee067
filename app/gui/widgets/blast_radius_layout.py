"""Where the blast radius drawing puts each box and arrow (pure Python, no Qt).

Columns: the system, the identities it uses, one column per further delegation hop, then the
resources reached. Edges into resources carry the strongest action (from the explaining paths),
edges between identities the kind of delegation. The colours are the drawing's palette.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.domain.blast_radius import BlastRadius
from app.domain.enums import RiskTier, Sensitivity
from app.support.text import plural

logger = logging.getLogger(__name__)

MAX_IDENTITIES = 40
MAX_RESOURCES = 40
NODE_WIDTH, NODE_HEIGHT = 180.0, 40.0
COLUMN_GAP, ROW_GAP = 280.0, 62.0

SENSITIVITY_COLOURS = {
    Sensitivity.PUBLIC: "#dcedc8",
    Sensitivity.INTERNAL: "#d4e5f7",
    Sensitivity.CONFIDENTIAL: "#ffe0b2",
    Sensitivity.RESTRICTED: "#ffcdd2",
    None: "#e6e6e6",
}
TIER_COLOURS = {
    RiskTier.LOW: "#c8e6c9",
    RiskTier.MODERATE: "#fff59d",
    RiskTier.HIGH: "#ffcc80",
    RiskTier.CRITICAL: "#ef9a9a",
    None: "#e6e6e6",
}
ACTION_COLOURS = {"read": "#5b7083", "execute": "#7b1fa2", "write": "#e65100", "admin": "#b71c1c"}
IDENTITY_COLOUR, DELEGATED_COLOUR, MORE_COLOUR = "#e3e8f0", "#e6dcf5", "#f5f5f5"
DELEGATION_COLOUR = "#6a5acd"


@dataclass(frozen=True, slots=True)
class Node:
    """One box of the drawing."""

    id: str
    label: str
    kind: str
    """``system``, ``identity``, ``delegated``, ``resource`` or ``more``."""
    column: int
    row: int
    colour: str
    tooltip: str = ""
    detail: str = ""
    """A second, smaller line (the display name)."""


@dataclass(frozen=True, slots=True)
class Edge:
    """One arrow of the drawing, with its label (an action or a delegation kind)."""

    source: str
    target: str
    label: str
    kind: str
    """``uses``, ``delegation`` or ``grant``."""


@dataclass
class Layout:
    """Nodes placed in columns and the edges between them."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    hidden_resources: int = 0
    hidden_identities: int = 0


def identity_depths(direct: Sequence[str], delegations: Iterable[tuple[str, str, str]]) -> dict:
    """Return the delegation hops from the system's own identities to every reachable one."""
    targets: dict[str, list[str]] = {}
    for source, target, _kind in delegations:
        targets.setdefault(source, []).append(target)
    depth = dict.fromkeys(direct, 0)
    frontier = list(direct)
    while frontier:
        following = []
        for identity in frontier:
            for target in targets.get(identity, ()):
                if target not in depth:
                    depth[target] = depth[identity] + 1
                    following.append(target)
        frontier = following
    return depth


def build_layout(
    system: str,
    system_name: str,
    blast: BlastRadius,
    *,
    direct: Sequence[str],
    delegations: Sequence[tuple[str, str, str]],
    resource_names: dict[str, str],
    tier: RiskTier | None,
    identity_names: dict[str, str] | None = None,
) -> Layout:
    """Place the system, its identities and the resources it reaches in columns."""
    layout = Layout()
    names = identity_names or {}
    depth = identity_depths(direct, delegations)
    shown_ids = list(depth)[:MAX_IDENTITIES]
    layout.hidden_identities = len(depth) - len(shown_ids)
    shown = set(shown_ids)
    tier_text = tier.value if tier else "not known"
    layout.nodes.append(
        Node(system, system, "system", 0, 0, TIER_COLOURS[tier],
             f"{system} {system_name}\nrisk tier: {tier_text}", system_name)
    )  # fmt: skip
    rows: dict[int, int] = {}
    for identity in shown_ids:
        column = 1 + depth[identity]
        row = rows.get(column, 0)
        rows[column] = row + 1
        kind = "identity" if depth[identity] == 0 else "delegated"
        colour = IDENTITY_COLOUR if kind == "identity" else DELEGATED_COLOUR
        hops = "used directly" if kind == "identity" else plural(depth[identity], "delegation hop")
        name = names.get(identity, "")
        layout.nodes.append(Node(identity, identity, kind, column, row, colour,
                                 f"identity {identity} {name}\n{hops}", name))  # fmt: skip
        if depth[identity] == 0:
            layout.edges.append(Edge(system, identity, "", "uses"))
    for source, target, kind in delegations:
        if source in shown and target in shown:
            layout.edges.append(Edge(source, target, kind, "delegation"))
    resource_column = 2 + max(depth.values(), default=0) if depth else 2
    _add_resources(layout, blast, resource_column, resource_names, shown)
    return layout


def _add_resources(
    layout: Layout, blast: BlastRadius, column: int, names: dict[str, str], shown: set[str]
) -> None:
    resources = blast.resources[:MAX_RESOURCES]
    layout.hidden_resources = len(blast.resources) - len(resources)
    seen: set[tuple[str, str]] = set()
    for row, reached in enumerate(resources):
        name = names.get(reached.resource, "")
        level = reached.sensitivity.value if reached.sensitivity else "sensitivity not recorded"
        tooltip = (
            f"{reached.resource} {name}\n{level}; strongest action {reached.action.value}; "
            f"weight {reached.weight}"
        )
        colour = SENSITIVITY_COLOURS[reached.sensitivity]
        layout.nodes.append(
            Node(reached.resource, reached.resource, "resource", column, row, colour, tooltip, name)
        )
        for path in reached.paths:
            holder = path.identities[-1]
            if holder in shown and (holder, reached.resource) not in seen:
                seen.add((holder, reached.resource))
                layout.edges.append(Edge(holder, reached.resource, path.action.value, "grant"))
    if layout.hidden_resources:
        layout.nodes.append(
            Node("…resources", f"+ {layout.hidden_resources:,} more", "more", column,
                 len(resources), MORE_COLOUR, "listed in the paths below", "resources")
        )  # fmt: skip


def paths_text(system: str, blast: BlastRadius, resource_names: dict[str, str]) -> str:
    """Return the explaining paths, one per line, heaviest resource first."""
    lines = []
    for reached in blast.resources:
        level = reached.sensitivity.value if reached.sensitivity else "unrecorded (as confidential)"
        name = resource_names.get(reached.resource, "")
        for path in reached.paths or ():
            lines.append(
                f"{path.text(system)}  — {name + ', ' if name else ''}{level}, "
                f"weight {reached.weight}"
            )
        if not reached.paths:
            lines.append(f"{system} → … → {reached.resource} ({reached.action.value})")
    if not lines and blast.unknown:
        return f"Access not recorded: {blast.unknown}. The blast radius is unknown, not zero."
    return "\n".join(lines) or "This system reaches no resource through its identities."
