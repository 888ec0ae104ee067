"""Identity blast radius: how far an AI system's (or one identity's) credentials reach.

For each reachable resource the strongest action counts once, weighted by the resource's
sensitivity and by the action. The weighted sum is mapped onto 0–100 by a saturating curve, so a
handful of restricted admin grants already scores high while a long tail of internal reads
cannot run past 100:

    raw   = Σ over reachable resources of sensitivity weight × action weight
    score = round(100 × (1 − e^(−raw / 40)))

Sensitivity weights: public 1, internal 2, confidential 4, restricted 8 (a resource whose
sensitivity is not recorded counts as confidential until shown otherwise). Action weights:
read 1, execute 2, write 3, admin 4. Tiers: below 25 low, from 25 moderate, from 50 high, from
75 critical. One admin grant on restricted data (raw 32) scores 55, high.

Admin over a whole scope (an AWS account, an Azure subscription or management group, a Google
Cloud project, folder or organisation, a Kubernetes cluster) is control of everything in it,
its identities and their permissions included. Such a blast radius scores at least
:data:`WHOLE_SCOPE_FLOOR`, critical, however few of the scope's resources the inventory lists.

Unknown is not zero: a subject that reaches no resource at all (a system with no identity, or
whose identities and their delegations carry no recorded grant) has no score and no tier; its
access is *not recorded*, which is not the same as "no access". Such a blast radius carries the
reason instead, and every surface shows it as "unknown", never as 0 (low).

Every reached resource keeps the paths that explain it: system → identity → [identities it
can act as] → resource, action. Up to :data:`MAX_PATHS_PER_RESOURCE` shortest paths are kept,
one per identity holding the strongest grant.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import repeat
from operator import mul

from app.domain.enums import Action, RiskTier, Sensitivity
from app.domain.identity_graph import Chain, IdentityGraph, NodeId
from app.domain.reach import base_of, beyond, pairs
from app.support.frozen import quick_init

logger = logging.getLogger(__name__)

SENSITIVITY_WEIGHT: Mapping[Sensitivity, int] = {
    Sensitivity.PUBLIC: 1,
    Sensitivity.INTERNAL: 2,
    Sensitivity.CONFIDENTIAL: 4,
    Sensitivity.RESTRICTED: 8,
}
#: The sensitivity assumed for a resource whose classification is not recorded.
UNRECORDED_SENSITIVITY = Sensitivity.CONFIDENTIAL
ACTION_WEIGHT: Mapping[Action, int] = {a: a.rank for a in Action}
#: Weighted sum at which the score reaches 1 − 1/e (about 63).
SATURATION = 40.0
TIER_THRESHOLDS: tuple[tuple[int, RiskTier], ...] = (
    (75, RiskTier.CRITICAL),
    (50, RiskTier.HIGH),
    (25, RiskTier.MODERATE),
)
MAX_PATHS_PER_RESOURCE = 3
#: The least score of a subject that reaches admin over a whole account, subscription,
#: project or cluster (the critical threshold).
WHOLE_SCOPE_FLOOR = 75

FORMULA = (
    "Blast radius score = round(100 × (1 − e^(−S / 40))), where S sums, over every resource "
    "the subject can reach directly or through delegations, the resource's sensitivity weight "
    "(public 1, internal 2, confidential 4, restricted 8; unrecorded counts as confidential) "
    "times the weight of the strongest action on it (read 1, execute 2, write 3, admin 4). "
    "Tiers: below 25 low, 25–49 moderate, 50–74 high, 75 and above critical. Admin over a "
    "whole account, subscription, project or cluster scores at least 75 (critical): it "
    "controls every identity and resource in it. A subject "
    "whose identities carry no recorded grant has an unknown blast radius (access not "
    "recorded), never a score of 0."
)
#: What a blast radius whose access is not recorded is called on every surface.
UNKNOWN = "unknown"
NO_IDENTITY = "no identity is recorded for this system"
NO_SYSTEM_GRANT = "none of its identities has a recorded grant"
NO_IDENTITY_GRANT = "no grant is recorded for this identity or the identities it can act as"

_ACTION_BY_RANK = {a.rank: a for a in Action}


@dataclass(frozen=True, slots=True)
class AccessPath:
    """One way a subject reaches a resource.

    Attributes:
        identities: The identity the subject uses, then each identity it acts as, in order.
        resource: The resource reached.
        action: The action the last identity's grant allows.
    """

    identities: tuple[str, ...]
    resource: str
    action: Action

    @property
    def delegations(self) -> int:
        """Return the number of delegation hops on the path."""
        return len(self.identities) - 1

    def text(self, start: str | None = None, labels: Mapping[str, str] | None = None) -> str:
        """Return the path as ``start → identity → … → resource (action)``.

        Args:
            start: The system the path starts from (omitted when None).
            labels: How to show an identity (``name (id)``); an identity not in it by its id.
        """
        shown = labels or {}
        steps = [start] if start else []
        steps += [shown.get(i, i) for i in self.identities] + [self.resource]
        return f"{' → '.join(steps)} ({self.action.value})"


@dataclass(frozen=True, slots=True)
class ReachedResource:
    """A resource within the blast radius, with the strongest action and why.

    Attributes:
        resource: The resource's inventory id.
        sensitivity: Its recorded sensitivity (None when not recorded).
        action: The strongest action reachable on it.
        weight: Sensitivity weight × action weight.
        paths: The shortest paths that give the strongest action (empty when not asked for).
    """

    resource: str
    sensitivity: Sensitivity | None
    action: Action
    weight: int
    paths: tuple[AccessPath, ...] = ()


@dataclass(frozen=True, slots=True)
class BlastRadius:
    """The blast radius of an AI system or an identity.

    Attributes:
        subject: The system's or identity's inventory id.
        subject_kind: ``system`` or ``identity``.
        resources: Reached resources, heaviest first (then by id).
        raw: The weighted sum S of the formula.
        score: The 0–100 score; None when the access is not recorded.
        tier: The tier of the score; None when the access is not recorded.
        identities: Identities the subject can act as (its own first, then through delegations).
        chain: The longest delegation chain from the subject.
        unknown: Why the blast radius is unknown (None when it is known).
    """

    subject: str
    subject_kind: str
    resources: tuple[ReachedResource, ...]
    raw: int
    score: int | None
    tier: RiskTier | None
    identities: tuple[str, ...]
    chain: Chain
    unknown: str | None = None

    @property
    def known(self) -> bool:
        """Return True when some access is recorded (the score means something)."""
        return self.unknown is None

    def text(self) -> str:
        """Return ``55/100 (high)``, or ``unknown`` when the access is not recorded."""
        return describe(self.score, self.tier)

    def paths(self) -> list[AccessPath]:
        """Return every explaining path, heaviest resource first."""
        return [path for reached in self.resources for path in reached.paths]


def describe(score: int | None, tier: RiskTier | str | None) -> str:
    """Return a blast radius as ``55/100 (high)``, or ``unknown`` when there is no score."""
    if score is None or not tier:
        return UNKNOWN
    return f"{score}/100 ({RiskTier(tier).value})"


def unknown_reason(kind: str, identities: int, raw: int, resources: int) -> str | None:
    """Return why a subject's blast radius is unknown, or None when its access is recorded.

    Args:
        kind: ``system`` or ``identity``.
        identities: How many identities the subject uses directly.
        raw: The weighted sum reached.
        resources: How many resources the subject reaches.
    """
    if resources or raw:
        return None
    if kind == "system" and not identities:
        return NO_IDENTITY
    return NO_SYSTEM_GRANT if kind == "system" else NO_IDENTITY_GRANT


def resource_weight(sensitivity: Sensitivity | None, action: Action) -> int:
    """Return sensitivity weight × action weight (unrecorded sensitivity as confidential)."""
    return SENSITIVITY_WEIGHT[sensitivity or UNRECORDED_SENSITIVITY] * ACTION_WEIGHT[action]


def score_of(raw: float) -> int:
    """Map a weighted sum onto 0–100 with the saturating curve of :data:`FORMULA`."""
    if raw <= 0:
        return 0
    return round(100 * (1 - math.exp(-raw / SATURATION)))


def tier_of(score: int) -> RiskTier:
    """Return the tier of a 0–100 score (thresholds 25 / 50 / 75)."""
    for threshold, tier in TIER_THRESHOLDS:
        if score >= threshold:
            return tier
    return RiskTier.LOW


def floored(score: int, graph: IdentityGraph, reaches: Iterable[Mapping[str, int]]) -> int:
    """Return the score, raised to :data:`WHOLE_SCOPE_FLOOR` if admin over a whole scope is reached.

    Args:
        score: The score of the weighted sum.
        graph: The graph (its ``whole_scopes``).
        reaches: Resource → strongest action rank, one mapping per identity or subject.
    """
    wholes = graph.whole_scopes
    if wholes and any(_admin_over_whole(m, wholes) for m in reaches):
        return max(score, WHOLE_SCOPE_FLOOR)
    return score


def _admin_over_whole(reach: Mapping[NodeId, int], wholes: frozenset[NodeId]) -> bool:
    """Return whether ``reach`` holds admin on one of ``wholes``, walking the smaller side.

    Asking the reach about every whole scope would cost the number of scopes for each system,
    however little the system reaches.
    """
    admin = Action.ADMIN.rank
    if len(reach) < len(wholes):
        return any(rank == admin and resource in wholes for resource, rank in pairs(reach))
    return any(reach.get(whole) == admin for whole in wholes)


def system_blast_radius(graph: IdentityGraph, system: str, *, explain: bool = True) -> BlastRadius:
    """Return the blast radius of an AI system.

    Args:
        graph: The inventory's identity graph.
        system: The system's inventory id (a system with no identities reaches nothing).
        explain: Also find the paths behind each resource and the identities reached (slower;
            a portfolio overview can skip them).
    """
    starts = graph.identities_of(system)
    reached = graph.system_reach(system)
    chain = graph.system_chain(system)
    return _build(graph, system, "system", starts, reached, chain, explain)


def identity_blast_radius(
    graph: IdentityGraph, identity: str, *, explain: bool = True
) -> BlastRadius:
    """Return the blast radius of one identity (what its credential alone reaches)."""
    reached = dict(graph.reach(identity))
    return _build(graph, identity, "identity", (identity,), reached, graph.chain(identity), explain)


def _build(
    graph: IdentityGraph,
    subject: str,
    kind: str,
    starts: Iterable[str],
    reached: Mapping[str, int],
    chain: Chain,
    explain: bool,
) -> BlastRadius:
    explained = _explain(graph, starts, reached) if explain else None
    items: list[ReachedResource] = []
    raw = 0
    sensitivity = graph.sensitivity
    for resource, rank in reached.items():
        action = _ACTION_BY_RANK[rank]
        level = sensitivity.get(resource)
        weight = resource_weight(level, action)
        raw += weight
        paths = tuple(explained[0].get(resource, ())) if explained else ()
        items.append(ReachedResource(resource, level, action, weight, paths))
    items.sort(key=lambda item: (-item.weight, item.resource))
    identities = tuple(explained[1]) if explained else tuple(dict.fromkeys(starts))
    direct = len(graph.identities_of(subject)) if kind == "system" else 1
    reason = unknown_reason(kind, direct, raw, len(items))
    if reason is not None:
        return BlastRadius(subject, kind, (), 0, None, None, identities, chain, reason)
    score = floored(score_of(raw), graph, [reached])
    return BlastRadius(subject, kind, tuple(items), raw, score, tier_of(score), identities, chain)


def _explain(
    graph: IdentityGraph, starts: Iterable[str], reached: Mapping[str, int]
) -> tuple[dict[str, list[AccessPath]], list[str]]:
    """Find the shortest paths giving the strongest action on each reached resource."""
    by_identity = graph.delegation_paths(starts)
    found: dict[str, list[AccessPath]] = {}
    for identity, chain in by_identity.items():
        for resource, rank in graph.own_grants(identity).items():
            if rank != reached.get(resource):
                continue
            paths = found.setdefault(resource, [])
            if len(paths) < MAX_PATHS_PER_RESOURCE:
                paths.append(AccessPath(chain, resource, _ACTION_BY_RANK[rank]))
    return found, list(by_identity)


@quick_init  # one per system of a portfolio
@dataclass(frozen=True, slots=True)
class BlastSummary:
    """The figures of a blast radius without the per-resource detail (portfolio views).

    Attributes:
        subject: The system's id.
        raw: The weighted sum S of the formula.
        score: The 0–100 score; None when the access is not recorded.
        tier: The tier of the score; None when the access is not recorded.
        resources: How many resources the system reaches.
        identities: How many identities the system uses directly.
        chain_depth: The hops of the longest delegation chain from the system.
        chain_exact: False when that chain is a lower bound (see :class:`Chain`).
        unknown: Why the blast radius is unknown (None when it is known).
    """

    subject: NodeId
    raw: int
    score: int | None
    tier: RiskTier | None
    resources: int
    identities: int
    chain_depth: int
    chain_exact: bool
    unknown: str | None = None


#: Two plain reaches of a system, each smaller than this, are merged by a copy (a larger one
#: has its weighted sum remembered instead, and only the other one is compared).
_COPY_BELOW = 64


class BlastScorer:
    """Scores many systems of one graph fast, without building per-resource records.

    The weighted sum of each shared reach mapping is computed once; a system with several
    identities starts from its largest reach and adds only what the others reach beyond it.
    Scores equal :func:`system_blast_radius`'s.

    Args:
        graph: The identity graph (keys may be inventory ids or row ids).
    """

    def __init__(self, graph: IdentityGraph) -> None:
        self.graph = graph
        unrecorded = SENSITIVITY_WEIGHT[UNRECORDED_SENSITIVITY]
        self._unrecorded = unrecorded
        self._weight = {
            resource: SENSITIVITY_WEIGHT[level] if level else unrecorded
            for resource, level in graph.sensitivity.items()
        }
        self._raw: dict[int, tuple[Mapping[NodeId, int], int]] = {}

    def _raw_of(self, reached: Mapping[NodeId, int]) -> int:
        known = self._raw.get(id(reached))
        if known is not None and known[0] is reached:
            return known[1]
        weight, unrecorded = self._weight, self._unrecorded
        base = base_of(reached)
        raw: int
        if base is reached:  # weight of each resource times its rank, summed in C
            raw = sum(map(mul, map(weight.get, reached, repeat(unrecorded)), reached.values()))
        else:
            raw = self._raw_of(base)
            for resource, rank in beyond(reached, base):
                raw += weight.get(resource, unrecorded) * (rank - base.get(resource, 0))
        self._raw[id(reached)] = (reached, raw)
        return raw

    def system(self, system: NodeId) -> BlastSummary:
        """Return the blast radius figures of one system."""
        graph = self.graph
        starts = graph.identities_of(system)
        if len(starts) == 2:
            first, second = map(graph.reach, starts)
            if (
                type(first) is dict
                and type(second) is dict
                and len(first) < _COPY_BELOW
                and len(second) < _COPY_BELOW
                and first is not second
            ):
                return self._plain_pair(system, first, second)
            reaches = sorted({id(first): first, id(second): second}.values(), key=len, reverse=True)
        elif len(starts) == 1:  # no merge to order
            reaches = [graph.reach(starts[0])]
        else:
            reaches = sorted(
                {id(m): m for m in map(graph.reach, starts)}.values(), key=len, reverse=True
            )
        raw, count = (self._raw_of(reaches[0]), len(reaches[0])) if reaches else (0, 0)
        if len(reaches) > 1:
            base, extra = reaches[0], {}
            weight, unrecorded = self._weight, self._unrecorded
            shared = base_of(base)
            for other in reaches[1:]:
                for resource, rank in beyond(other, shared):
                    current = extra.get(resource) or base.get(resource, 0)
                    if rank > current:
                        if not current:
                            count += 1
                        raw += weight.get(resource, unrecorded) * (rank - current)
                        extra[resource] = rank
        depth, exact = graph.system_chain_figures(system)
        reason = unknown_reason("system", len(starts), raw, count)
        if reason is not None:
            return BlastSummary(system, 0, None, None, 0, len(starts), depth, exact, reason)
        score = floored(score_of(raw), graph, reaches)
        return BlastSummary(system, raw, score, tier_of(score), count, len(starts), depth, exact)

    def _plain_pair(
        self, system: NodeId, first: dict[NodeId, int], second: dict[NodeId, int]
    ) -> BlastSummary:
        """Return the figures of a system with two identities of plain, unshared reaches.

        The most common case: the two reaches are merged into one mapping (copied in C, the
        smaller one compared) and weighed in C, with nothing remembered.
        """
        merged, other = (
            (first.copy(), second) if len(first) >= len(second) else (second.copy(), first)
        )
        get = merged.get
        for resource, rank in other.items():
            if rank > get(resource, 0):
                merged[resource] = rank
        weight = self._weight
        raw = sum(map(mul, map(weight.get, merged, repeat(self._unrecorded)), merged.values()))
        depth, exact = self.graph.system_chain_figures(system)
        reason = unknown_reason("system", 2, raw, len(merged))
        if reason is not None:
            return BlastSummary(system, 0, None, None, 0, 2, depth, exact, reason)
        score = floored(score_of(raw), self.graph, (merged,))
        return BlastSummary(system, raw, score, tier_of(score), len(merged), 2, depth, exact)
