"""Hygiene rules about access: grants, autonomous writes, delegation chains, human credentials.

They cover unused and over-broad grants, unapproved autonomous writes on sensitive data, deep
delegation chains and human credentials used by AI systems.

Rules over grants report once per identity (or per system) and summarise the resources
concerned by what is held on them (see :mod:`app.domain.grant_summary`), so one
over-privileged identity makes one finding, not one per grant, and its detail names each
scope once.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator

from app.domain.approval_reach import (
    HolderReach,
    HoldingIndex,
    approval_detail,
    unapproved_holdings,
)
from app.domain.blast_radius import unknown_reason
from app.domain.enums import Action, Autonomy, IdentityKind, Sensitivity, Severity
from app.domain.grant_summary import Reach, scope_reach, summarise
from app.domain.hygiene_model import HygieneContext, HygieneFinding, HygieneRule, listing
from app.domain.inventory_facts import DelegationFacts
from app.support.text import plural

logger = logging.getLogger(__name__)

UNUSED_GRANT_REFS = ("OWASP NHI5:2025", "OWASP ASI03:2026")
BROAD_SCOPE_REFS = ("OWASP NHI5:2025", "OWASP ASI03:2026")
APPROVAL_REFS = ("OWASP ASI02:2026", "OWASP ASI03:2026", "OWASP NHI5:2025")
CHAIN_REFS = ("OWASP ASI03:2026", "OWASP NHI5:2025")
HUMAN_CREDENTIAL_REFS = ("OWASP NHI10:2025", "OWASP ASI03:2026")
UNRECORDED_ACCESS_REFS = ("OWASP ASI03:2026", "OWASP NHI5:2025")

#: Scope text that grants everything: a wildcard, or words naming full control.
BROAD_SCOPE = re.compile(
    r"\*|\b(admin|administrator|owner|root|superuser|full[\s_-]?(access|control))\b", re.I
)


def grant_unused(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """An identity holds grants not used for longer than the unused limit."""
    limit = ctx.settings.unused_days
    cutoff = ctx.today - dt.timedelta(days=limit)  # used before it: more than limit days ago
    for identity, grants in ctx.grants.items():
        stale = [
            f"{g.resource} ({g.action.value}, last used {g.last_used.isoformat()})"
            for g in grants
            if g.last_used is not None and g.last_used < cutoff
        ]
        if not stale:
            continue
        yield HygieneFinding(
            "grant-unused",
            Severity.LOW,
            f"{ctx.named(identity)} holds {plural(len(stale), 'grant')} unused for over "
            f"{limit} days",
            f"Grants of {ctx.named(identity)} not used in the {limit} days before "
            f"{ctx.today.isoformat()}: {listing(stale)}.",
            "Remove the unused permissions; re-grant them through a request if a need returns.",
            UNUSED_GRANT_REFS,
            identity=identity,
        )


def wildcard_or_admin_scope(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """An identity holds admin rights or a wildcard / full-control scope."""
    resources = ctx.facts.resources
    admin, broad_scope = Action.ADMIN, BROAD_SCOPE.search  # every grant is tested
    for identity, grants in ctx.grants.items():
        broad: list[Reach] = []
        restricted = False
        for grant in grants:
            if grant.action is not admin and not (grant.scope and broad_scope(grant.scope)):
                continue
            broad.append(scope_reach(grant.resource, grant.action.value, grant.scope))
            resource = resources.get(grant.resource)
            restricted = restricted or (
                resource is not None and resource.sensitivity is Sensitivity.RESTRICTED
            )
        if not broad:
            continue
        yield HygieneFinding(
            "wildcard-or-admin-scope",
            Severity.CRITICAL if restricted else Severity.HIGH,
            f"{ctx.named(identity)} holds admin or wildcard access",
            f"{ctx.named(identity)} has admin rights or an all-encompassing scope: "
            f"{summarise(broad, resources)}.",
            "Replace admin and wildcard grants with the specific actions and resources the "
            "AI system needs, and review them regularly.",
            BROAD_SCOPE_REFS,
            identity=identity,
        )


def autonomous_write_without_approval(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """An autonomous system can write to or administer sensitive data without approval."""
    holdings = unapproved_holdings(ctx)
    if not holdings:
        return
    reach = HolderReach(ctx.graph, holdings)
    index = HoldingIndex(holdings)
    for system in ctx.facts.systems.values():
        if system.autonomy is not Autonomy.AUTONOMOUS:
            continue
        reached, base = reach.split(system.identities)
        if not reached:
            continue
        figures = index.figures(reached, base, reach)
        detail, restricted = approval_detail(
            ctx, system.ext_id, reached, index, figures, (base, reach)
        )
        yield HygieneFinding(
            "autonomous-write-without-approval",
            Severity.CRITICAL if restricted else Severity.HIGH,
            f"Autonomous system {system.ext_id} can change sensitive data without approval",
            detail,
            "Require a human approval for write and admin actions on confidential or "
            "restricted data, or reduce the system's rights to read.",
            APPROVAL_REFS,
            system=system.ext_id,
        )


def delegation_chain_too_deep(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """A system's longest delegation chain has more hops than the limit."""
    limit = ctx.settings.max_delegation_depth
    graph = ctx.graph
    for system in ctx.facts.systems.values():
        start, depth, _ = graph.deepest_start(system.ext_id)
        if start is None or depth <= limit:
            continue
        chain = graph.chain(start)  # its identities are followed only for a finding
        bound = "" if chain.exact else "at least "
        yield HygieneFinding(
            "delegation-chain-too-deep",
            Severity.HIGH,
            f"{system.ext_id} reaches through {bound}{chain.depth} delegations",
            f"The longest delegation chain of {system.ext_id} has {bound}{chain.depth} hops "
            f"(limit {limit}): {' → '.join(chain.identities)}.",
            "Shorten the chain: grant the needed access to the system's own identity, or "
            "re-authorise each hop with a task-scoped token.",
            CHAIN_REFS,
            system=system.ext_id,
        )


def human_credential_used_by_ai(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """An AI system uses (directly or through delegation) a person's own credential."""
    humans = {i.ext_id for i in ctx.facts.identities.values() if i.kind is IdentityKind.HUMAN_USER}
    if not humans:
        return
    leads_to_human = _reaching(humans, ctx.facts.delegations)
    for system in ctx.facts.systems.values():
        if leads_to_human.isdisjoint(system.identities):
            continue
        reached = ctx.graph.delegation_paths(system.identities)
        for identity, path in reached.items():
            if identity not in humans:
                continue
            how = "directly" if len(path) == 1 else f"through {' → '.join(path)}"
            yield HygieneFinding(
                "human-credential-used-by-ai",
                Severity.HIGH,
                f"{system.ext_id} acts with the personal credential {ctx.named(identity)}",
                f"{system.ext_id} uses the human user account {identity} {how}; its actions "
                "cannot be told apart from the person's and end when the person leaves.",
                "Give the AI system its own non-human identity, or a delegation that names both "
                "the person and the system and expires.",
                HUMAN_CREDENTIAL_REFS,
                system=system.ext_id,
                identity=identity,
            )


def access_not_recorded(ctx: HygieneContext) -> Iterator[HygieneFinding]:
    """A system's access is not recorded: it has no identity, or none with a recorded grant."""
    graph = ctx.graph
    for system in ctx.facts.systems.values():
        if graph.system_reaches_anything(system.ext_id):
            continue
        reason = unknown_reason("system", len(graph.identities_of(system.ext_id)), 0, 0)
        yield HygieneFinding(
            "access-not-recorded",
            Severity.MEDIUM,
            f"Access of {system.ext_id} not recorded",
            f"The blast radius of {system.ext_id} is unknown: {reason}. Its risk tier is "
            "provisional until its access is recorded; an unknown blast radius is not a low one.",
            "Record the identities the system uses and what each may do (grants and "
            "delegations), from the client's access reviews or the cloud's IAM.",
            UNRECORDED_ACCESS_REFS,
            system=system.ext_id,
        )


def _reaching(targets: set[str], delegations: list[DelegationFacts]) -> set[str]:
    """Return the identities that are, or can act as, one of ``targets``."""
    sources: dict[str, list[str]] = {}
    for delegation in delegations:
        sources.setdefault(delegation.target, []).append(delegation.source)
    found, todo = set(targets), list(targets)
    while todo:
        for source in sources.get(todo.pop(), ()):
            if source not in found:
                found.add(source)
                todo.append(source)
    return found


ACCESS_RULES: tuple[HygieneRule, ...] = (
    HygieneRule("grant-unused", "Grant unused beyond the limit", UNUSED_GRANT_REFS, grant_unused),
    HygieneRule(
        "wildcard-or-admin-scope",
        "Admin action or wildcard scope",
        BROAD_SCOPE_REFS,
        wildcard_or_admin_scope,
    ),
    HygieneRule(
        "autonomous-write-without-approval",
        "Autonomous write or admin on sensitive data without approval",
        APPROVAL_REFS,
        autonomous_write_without_approval,
    ),
    HygieneRule(
        "delegation-chain-too-deep",
        "Delegation chain deeper than the limit",
        CHAIN_REFS,
        delegation_chain_too_deep,
    ),
    HygieneRule(
        "human-credential-used-by-ai",
        "Human credential used by an AI system",
        HUMAN_CREDENTIAL_REFS,
        human_credential_used_by_ai,
    ),
    HygieneRule(
        "access-not-recorded",
        "Access of an AI system not recorded (blast radius unknown)",
        UNRECORDED_ACCESS_REFS,
        access_not_recorded,
    ),
)
