"""The identity and access posture section: identities, blast radius, paths, hygiene findings."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from app.domain.blast_radius import BlastRadius, identity_blast_radius
from app.domain.identity_graph import IdentityGraph
from app.domain.identity_names import readable
from app.domain.inventory_facts import InventoryFacts
from app.reports.viewmodels import (
    AccessPath,
    HygieneFinding,
    IdentityPosture,
    IdentityView,
    ReachedResource,
)
from app.services.identity_analysis import SystemAnalysis, analyse_system, load_graph
from app.services.reporting.identity_attributes import with_identity_attributes
from app.services.unit import reads
from app.services.workspace import Workspace
from app.storage.repositories.report_data import ReportDataRepository
from app.storage.unit_of_work import UnitOfWork

logger = logging.getLogger(__name__)

#: Paths printed in the report; the rest are counted in ``paths_omitted``.
MAX_PATHS = 80


def _value(member: object) -> str:
    return "" if member is None else str(getattr(member, "value", member))


@reads
def _extra_columns(
    uow: UnitOfWork, identities: Iterable[str], resources: Iterable[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Return identity providers and resource kinds, which the analysis facts do not carry."""
    data = uow.repository(ReportDataRepository)
    return data.identity_providers(identities), data.resource_kinds(resources)


def _identity_views(
    facts: InventoryFacts,
    graph: IdentityGraph,
    blast: BlastRadius,
    providers: dict[str, str],
    finding_counts: dict[str, int],
) -> tuple[IdentityView, ...]:
    views = []
    for ext in blast.identities:
        identity = facts.identities.get(ext)
        if identity is None:
            continue
        own = identity_blast_radius(graph, ext, explain=False)
        views.append(
            IdentityView(
                identity_id=ext,
                name=identity.name,
                kind=_value(identity.kind),
                provider=providers.get(ext, "") or "",
                owner=identity.owner,
                environment=_value(identity.environment),
                created=identity.created,
                last_rotated=identity.last_rotated,
                last_used=identity.last_used,
                expires=identity.expires,
                revocation_procedure=identity.revocation_procedure,
                blast_score=own.score,
                blast_tier=own.tier.value if own.tier else "",
                findings=finding_counts.get(ext, 0),
                blast_unknown=own.unknown or "",
            )
        )
    views.sort(key=lambda v: (-(v.blast_score or 0), v.identity_id))
    return tuple(views)


def _paths(facts: InventoryFacts, blast: BlastRadius) -> tuple[list[AccessPath], int]:
    kinds = {(d.source, d.target): _value(d.kind) for d in facts.delegations}
    narrowed: dict[tuple[str, str, str], bool] = {}
    for grant in facts.grants:
        key = (grant.identity, grant.resource, grant.action.value)
        narrowed[key] = narrowed.get(key, True) and grant.conditional
    every = []
    for reached in blast.resources:
        for path in reached.paths:
            hops = zip(path.identities, path.identities[1:], strict=False)
            every.append(
                AccessPath(
                    identities=tuple(path.identities),
                    resource=path.resource,
                    action=path.action.value,
                    sensitivity=_value(reached.sensitivity),
                    delegation_kinds=tuple(kinds.get(hop, "") for hop in hops),
                    conditional=narrowed.get(
                        (path.identities[-1], path.resource, path.action.value), False
                    ),
                    labels=tuple(_named(facts, ident) for ident in path.identities),
                )
            )
    return every[:MAX_PATHS], max(0, len(every) - MAX_PATHS)


def _named(facts: InventoryFacts, ident: str) -> str:
    identity = facts.identities.get(ident)
    return readable(ident, identity.name if identity else "")


def _hygiene(analysis: SystemAnalysis) -> tuple[HygieneFinding, ...]:
    ordered = sorted(analysis.findings, key=lambda f: f.sort_key())
    return tuple(
        HygieneFinding(
            rule_id=f.rule_id,
            severity=f.severity.value,
            title=f.title,
            detail=f.detail,
            recommendation=f.recommendation,
            references=tuple(f.references),
            identity=f.identity or "",
            system=f.system or "",
        )
        for f in ordered
    )


def build_posture(
    workspace: Workspace, system: str, *, today: dt.date | None = None
) -> tuple[IdentityPosture, SystemAnalysis]:
    """Return the identity posture of an AI system and the analysis it was built from.

    Raises:
        UserError: No system has this inventory id.
    """
    analysis = analyse_system(workspace, system, today=today)
    loaded, graph = load_graph(workspace)
    facts = loaded.facts
    blast = analysis.blast_radius
    providers, resource_kinds = _extra_columns(
        workspace, blast.identities, (r.resource for r in blast.resources)
    )
    counts: dict[str, int] = {}
    for finding in analysis.findings:
        if finding.identity:
            counts[finding.identity] = counts.get(finding.identity, 0) + 1
    paths, omitted = _paths(facts, blast)
    resources = tuple(
        ReachedResource(
            resource_id=r.resource,
            name=facts.resources[r.resource].name if r.resource in facts.resources else "",
            kind=resource_kinds.get(r.resource, "") or "",
            sensitivity=_value(r.sensitivity),
            action=r.action.value,
            weight=r.weight,
            paths=len(r.paths),
        )
        for r in blast.resources
    )
    posture = IdentityPosture(
        blast_score=blast.score,
        blast_tier=blast.tier.value if blast.tier else "",
        blast_unknown=blast.unknown or "",
        blast_raw=float(blast.raw),
        formula=analysis.formula,
        longest_chain=blast.chain.depth,
        identities=with_identity_attributes(
            workspace, _identity_views(facts, graph, blast, providers, counts)
        ),
        resources=resources,
        paths=tuple(paths),
        paths_omitted=omitted,
        hygiene=_hygiene(analysis),
    )
    return posture, analysis
