"""Everything known about one AI system for its view: profile, identities, blast radius, rules.

Pure Python (no Qt): it calls the inventory and identity-analysis services and turns their
results into plain rows for the view's tables and drawing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from app.domain.enums import Sensitivity
from app.domain.hygiene import HygieneFinding
from app.services.identity_analysis import SystemAnalysis, analyse_system, load_graph
from app.services.inventory_queries import SystemDetail, get_system
from app.services.progress import Progress, check_cancelled
from app.services.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IdentityLine:
    """An identity the system can act as, directly or through delegations."""

    ext_id: str
    name: str
    kind: str
    owner: str
    environment: str
    last_rotated: dt.date | None
    last_used: dt.date | None
    expires: dt.date | None
    revocation_procedure: str
    reached: str
    """``direct``, or the delegation path that reaches it (``svc-a → role-b``)."""
    depth: int
    """0 for an identity the system uses directly, else the delegation hops to reach it."""
    findings: int


@dataclass(frozen=True, slots=True)
class GrantLine:
    """A grant held by one of those identities."""

    identity: str
    resource: str
    resource_name: str
    sensitivity: str
    action: str
    scope: str
    approval_required: bool | None
    last_used: dt.date | None
    via: str
    """``direct`` when the identity is the system's own, else ``delegated``."""
    conditional: bool = False
    """True when a deny, a condition or a boundary may narrow the grant."""


@dataclass(frozen=True, slots=True)
class DelegationLine:
    """One identity (reachable by the system) can act as another."""

    source: str
    target: str
    kind: str
    attributes: str = ""
    """The delegation's custom attributes as ``name: value`` pairs."""


@dataclass(frozen=True)
class SystemViewData:
    """What the system view shows.

    Attributes:
        detail: The system's record, custom attributes included.
        analysis: Blast radius with paths, risk tier and hygiene findings.
        identities: Identities it can act as, its own first.
        grants: Their grants.
        delegations: Delegations among them.
        resource_names: Resource id → display name (for the drawing).
        resource_sensitivity: Resource id → sensitivity (None when not recorded).
    """

    detail: SystemDetail
    analysis: SystemAnalysis
    identities: tuple[IdentityLine, ...]
    grants: tuple[GrantLine, ...]
    delegations: tuple[DelegationLine, ...]
    resource_names: dict[str, str]
    resource_sensitivity: dict[str, Sensitivity | None]

    @property
    def findings(self) -> tuple[HygieneFinding, ...]:
        """Return the hygiene findings about the system and its identities."""
        return self.analysis.findings


def _text(value: object) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def load_system_view(
    workspace: Workspace, ext_id: str, progress: Progress | None = None
) -> SystemViewData:
    """Gather the system view of one AI system.

    Raises:
        UserError: No system has this inventory id.
    """
    detail = get_system(workspace, ext_id)
    check_cancelled(progress)
    analysis = analyse_system(workspace, ext_id)
    check_cancelled(progress)
    loaded, graph = load_graph(workspace)
    facts = loaded.facts
    paths = graph.delegation_paths(detail.identities)
    reachable = set(paths)
    per_identity: dict[str, int] = {}
    for finding in analysis.findings:
        if finding.identity:
            per_identity[finding.identity] = per_identity.get(finding.identity, 0) + 1
    identities = []
    for identity_id, chain in paths.items():
        facts_of = facts.identities.get(identity_id) if isinstance(identity_id, str) else None
        if facts_of is None or not isinstance(identity_id, str):
            continue
        identities.append(
            IdentityLine(
                identity_id, facts_of.name, _text(facts_of.kind), facts_of.owner,
                _text(facts_of.environment), facts_of.last_rotated, facts_of.last_used,
                facts_of.expires, facts_of.revocation_procedure,
                "direct" if len(chain) == 1 else " → ".join(map(str, chain)), len(chain) - 1,
                per_identity.get(identity_id, 0),
            )
        )  # fmt: skip
    own = set(detail.identities)
    resources = facts.resources
    grants = tuple(
        GrantLine(
            g.identity, g.resource, resources[g.resource].name if g.resource in resources else "",
            _text(resources[g.resource].sensitivity) if g.resource in resources else "",
            g.action.value, g.scope, g.approval_required, g.last_used,
            "direct" if g.identity in own else "delegated", g.conditional,
        )
        for g in facts.grants
        if g.identity in reachable
    )  # fmt: skip
    extra = {(d.source, d.target, d.kind): d.attributes for d in detail.delegations}
    delegations = tuple(
        DelegationLine(
            d.source, d.target, d.kind.value,
            "; ".join(f"{k}: {v}" for k, v in
                      sorted(extra.get((d.source, d.target, d.kind.value), {}).items())),
        )
        for d in facts.delegations
        if d.source in reachable
    )  # fmt: skip
    reached = [resources[r] for r in dict.fromkeys(g.resource for g in grants) if r in resources]
    return SystemViewData(
        detail,
        analysis,
        tuple(identities),
        grants,
        delegations,
        {r.ext_id: r.name for r in reached},
        {r.ext_id: r.sensitivity for r in reached},
    )
