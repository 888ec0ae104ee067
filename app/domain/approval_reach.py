"""Unapproved writes on sensitive data an autonomous system reaches, computed once per graph.

The rule ``autonomous-write-without-approval`` asks, for every autonomous system, which
identities it can act as (its own, and every one reached through delegations) hold write or
admin rights on confidential or restricted data with no human approval required. Walking the
delegations of each system anew costs the size of its reach for every system, and many
systems share the same roles; here each cycle group of identities learns once which holders
it reaches, and the groups after it reuse that answer.

A finding that lists a few holdings names each of them; past :data:`DETAIL_LIMIT` the
finding counts them (holdings, resources, identities) and names the most serious few, so
its text stays readable however far a system reaches.
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter

from app.domain.blast_radius import UNRECORDED_SENSITIVITY
from app.domain.enums import Action, Sensitivity
from app.domain.grant_summary import Reach, summarise
from app.domain.hygiene_model import HygieneContext
from app.domain.identity_graph import IdentityGraph
from app.support.frozen import quick_init
from app.support.text import plural

logger = logging.getLogger(__name__)

#: A finding with at most this many holdings names each of them.
DETAIL_LIMIT = 12
#: How many holdings a summarised finding names.
NAMED_HOLDINGS = 3
_SENSITIVE = {Sensitivity.CONFIDENTIAL, Sensitivity.RESTRICTED}
_WRITING = frozenset(action for action in Action if action.rank >= Action.WRITE.rank)
_NO_HOLDERS: frozenset[str] = frozenset()
_ACTION_OF = attrgetter("action")


@quick_init  # one per unapproved write on sensitive data: many in a large inventory
@dataclass(frozen=True, slots=True)
class Holding:
    """One write or admin right on sensitive data with no approval required.

    Attributes:
        identity: The identity holding the right.
        action: Write or admin.
        resource: The resource's inventory id.
        level: The resource's sensitivity (unrecorded counts as confidential).
        recorded: Whether the sensitivity was recorded.
    """

    identity: str
    action: Action
    resource: str
    level: Sensitivity
    recorded: bool

    @property
    def order(self) -> tuple[bool, int, str, str]:
        """Return the sort key that puts the most serious holding first."""
        return (self.level is not Sensitivity.RESTRICTED, -self.action.rank, self.identity,
                self.resource)  # fmt: skip

    def reach(self, ctx: HygieneContext) -> Reach:
        """Return the holding as a :class:`Reach` phrase part (``x holds write (restricted)``)."""
        label = self.level.value if self.recorded else "unclassified, taken as confidential"
        return Reach(
            f"{ctx.named(self.identity)} holds {self.action.value} ({label})", self.resource
        )


def unapproved_holdings(ctx: HygieneContext) -> dict[str, tuple[Holding, ...]]:
    """Return, per identity that has any, its unapproved writes on sensitive data."""
    levels = _sensitive_levels(ctx)
    # A resource outside the inventory has no recorded sensitivity either.
    unlisted = (UNRECORDED_SENSITIVITY, False) if UNRECORDED_SENSITIVITY in _SENSITIVE else None
    grants = ctx.facts.grants
    writing = compress(grants, map(_WRITING.__contains__, map(_ACTION_OF, grants)))  # in C
    held: dict[str, list[Holding]] = {}
    for grant in writing:
        if grant.approval_required is True:
            continue
        level = levels.get(grant.resource, unlisted)
        if level is not None:
            identity = grant.identity
            holding = Holding(identity, grant.action, grant.resource, *level)
            if identity in held:
                held[identity].append(holding)
            else:
                held[identity] = [holding]
    return {identity: tuple(sorted(found, key=_order)) for identity, found in held.items()}


def _sensitive_levels(ctx: HygieneContext) -> dict[str, tuple[Sensitivity, bool] | None]:
    """Return each resource's sensitivity and whether it was recorded; None when not sensitive.

    An unrecorded sensitivity counts as :data:`UNRECORDED_SENSITIVITY`.
    """
    levels: dict[str, tuple[Sensitivity, bool] | None] = {}
    for ext_id, resource in ctx.facts.resources.items():
        recorded = resource.sensitivity
        level = recorded or UNRECORDED_SENSITIVITY
        levels[ext_id] = (level, bool(recorded)) if level in _SENSITIVE else None
    return levels


def _order(holding: Holding) -> tuple[bool, int, str, str]:
    return holding.order


class HolderReach:
    """Which holders of unapproved writes each identity reaches, memoised per cycle group.

    Args:
        graph: The inventory's identity graph (its cycle groups are numbered in an order
            where every group's delegates come first).
        holders: The identities that hold unapproved writes themselves.
    """

    def __init__(self, graph: IdentityGraph, holders: Iterable[str]) -> None:
        self._graph = graph
        self._holders = frozenset(holders)
        self._memo: dict[int, frozenset[str]] = {}
        self._base: dict[int, frozenset[str]] = {}
        self._alone: dict[str, frozenset[str]] = {}

    def of_identities(self, identities: Iterable[str]) -> frozenset[str]:
        """Return the holders among ``identities`` and every identity they can act as."""
        return self.split(identities)[0]

    def split(self, identities: Iterable[str]) -> tuple[frozenset[str], frozenset[str] | None]:
        """Return the holders ``identities`` reach and the largest remembered part of them.

        The part (None when there is none) is one of the sets this object keeps, whose figures
        :class:`HoldingIndex` remembers; the holders are a new set when several parts meet.
        """
        parts = [part for part in map(self._of_identity, identities) if part]
        if len(parts) <= 1:
            return (parts[0], None) if parts else (frozenset(), None)
        largest = max(parts, key=len)
        union = frozenset().union(*parts)
        return (largest, None) if len(union) == len(largest) else (union, largest)

    def _of_identity(self, identity: str) -> frozenset[str]:
        """Return the holders an identity reaches; one that acts as no other is not walked."""
        graph = self._graph
        if graph.delegates_of(identity):
            return self._of_group(graph.component(identity))
        if identity not in self._holders:
            return _NO_HOLDERS
        alone = self._alone.get(identity)
        if alone is None:  # one set per identity, so its figures are remembered
            alone = self._alone[identity] = frozenset((identity,))
        return alone

    def _of_group(self, group: int) -> frozenset[str]:
        """Return (and remember) the holders a cycle group reaches, without recursion."""
        todo = [group]
        while todo:
            current = todo[-1]
            if current in self._memo:
                todo.pop()
                continue
            after = self._next_groups(current)
            missing = [g for g in after if g not in self._memo]
            if missing:
                todo.extend(missing)
                continue
            todo.pop()
            own = self._holders.intersection(self._graph.component_members(current))
            parts = [self._memo[g] for g in after if self._memo[g]]
            if not own and len(parts) == 1:
                self._memo[current] = parts[0]
            else:
                self._memo[current] = self._union(parts, own)
        return self._memo[group]

    def _union(self, parts: list[frozenset[str]], own: Iterable[str] = ()) -> frozenset[str]:
        """Return the union of ``parts`` and ``own``, noting its largest part as its base."""
        union = frozenset(own).union(*parts)
        if parts:
            largest = max(parts, key=len)
            if len(largest) == len(union):  # the others add nothing: share the largest
                return largest
            self._base[id(union)] = largest
        return union

    def base(self, holders: frozenset[str]) -> frozenset[str] | None:
        """Return a remembered subset ``holders`` was built from, or None.

        Only the sets this object returns and keeps (one per cycle group) have one, so the
        figures of a set can start from those of its largest part (see :class:`HoldingIndex`).
        """
        return self._base.get(id(holders))

    def _next_groups(self, group: int) -> set[int]:
        """Return the other cycle groups that ``group``'s identities delegate to directly."""
        graph = self._graph
        return {
            graph.component(target)
            for member in graph.component_members(group)
            for target in graph.delegates_of(member)
        } - {group}


class HoldingIndex:
    """Per holder, what a summary needs, computed once: count, resources, most serious holding.

    Args:
        holdings: Every holder's unapproved writes, most serious first (see
            :func:`unapproved_holdings`).
    """

    def __init__(self, holdings: dict[str, tuple[Holding, ...]]) -> None:
        self.holdings = holdings
        self.count = {i: len(held) for i, held in holdings.items()}
        self.best = {i: held[0].order for i, held in holdings.items()}
        self.resources = {i: frozenset(h.resource for h in held) for i, held in holdings.items()}
        self._figures: dict[int, tuple[frozenset[str], int, tuple[str, ...]]] = {}
        self._reached: dict[int, tuple[frozenset[str], frozenset[str]]] = {}

    def figures(
        self, holders: frozenset[str], base: frozenset[str] | None, reach: HolderReach
    ) -> Figures:
        """Return the figures of ``holders``, starting from those of ``base`` when given.

        ``base`` (a part of ``holders``) and every set ``reach`` built ``holders`` or ``base``
        from have their figures remembered, so a system reaching the holders of a large
        group of roles costs what it adds to the group, not the size of the group.
        """
        if base is None:
            return self._remembered(holders, reach)
        self._remembered(base, reach)
        return self._extend(holders, base)

    def _remembered(self, holders: frozenset[str], reach: HolderReach) -> Figures:
        for part in _unknown_parts(holders, self._figures, reach):
            self._figures[id(part)] = (part, *self._extend(part, reach.base(part)))
        _, count, firsts = self._figures[id(holders)]
        return count, firsts

    def resources_of(
        self, holders: frozenset[str], base: frozenset[str] | None, reach: HolderReach
    ) -> int:
        """Return how many resources ``holders`` hold unapproved writes on, between them.

        ``base`` is as for :meth:`figures`. The resources of every set ``reach`` keeps are
        remembered, each built from those of the set it was built from, so systems that reach
        the holders of one large group of roles each cost what they add to it.
        """
        if base is None:
            return len(self._remembered_resources(holders, reach))
        known = self._remembered_resources(base, reach)
        return len(known) + len(self._resources_beyond(holders, base) - known)

    def _remembered_resources(self, holders: frozenset[str], reach: HolderReach) -> frozenset[str]:
        for part in _unknown_parts(holders, self._reached, reach):
            base = reach.base(part)
            if base is None:
                found = self.resources_among(part)
            else:
                found = self._reached[id(base)][1] | self._resources_beyond(part, base)
            self._reached[id(part)] = (part, found)
        return self._reached[id(holders)][1]

    def _resources_beyond(self, holders: frozenset[str], base: frozenset[str]) -> set[str]:
        return {resource for holder in holders - base for resource in self.resources[holder]}

    def resources_among(self, holders: frozenset[str]) -> frozenset[str]:
        """Return the resources ``holders`` hold unapproved writes on, computed afresh."""
        return frozenset().union(*map(self.resources.__getitem__, holders))

    def figures_of(self, holders: frozenset[str]) -> Figures:
        """Return the figures of any set of holders, computed afresh."""
        return self._extend(holders, None)

    def _extend(self, holders: frozenset[str], base: frozenset[str] | None) -> Figures:
        """Return the figures of ``holders`` from those of ``base`` (remembered) and the rest."""
        firsts: tuple[str, ...] = ()
        if base is None:
            count, extra = 0, holders
        else:
            _, count, firsts = self._figures[id(base)]
            extra = holders - base
        count += sum(map(self.count.__getitem__, extra))
        best = heapq.nsmallest(NAMED_HOLDINGS, [*firsts, *extra], key=self.best.__getitem__)
        return count, tuple(best)


def _unknown_parts(
    holders: frozenset[str], known: Mapping[int, object], reach: HolderReach
) -> list[frozenset[str]]:
    """Return ``holders`` and the sets it was built from that ``known`` lacks, bases first.

    ``reach.base`` leads from a set to the set it was built from; each set returned comes
    after its base, so a caller can work out each from the one before.
    """
    chain: list[frozenset[str]] = []
    current: frozenset[str] | None = holders
    while current is not None and id(current) not in known:
        chain.append(current)
        current = reach.base(current)
    chain.reverse()
    return chain


#: How many holdings a set of holders holds, and the few holders whose most serious holding
#: comes first (at most :data:`NAMED_HOLDINGS`, most serious first).
Figures = tuple[int, tuple[str, ...]]


def approval_detail(
    ctx: HygieneContext,
    system: str,
    reached: frozenset[str],
    index: HoldingIndex,
    figures: Figures | None = None,
    split: tuple[frozenset[str] | None, HolderReach] | None = None,
) -> tuple[str, bool]:
    """Return a finding's detail for the holders a system reaches, and whether any is restricted.

    Args:
        ctx: The rules' context (names and resources).
        system: The system's inventory id.
        reached: The holders the system reaches (not empty).
        index: Every holder's unapproved writes and their summary figures.
        figures: The figures of ``reached`` if known (see :meth:`HoldingIndex.figures`).
        split: The remembered part of ``reached`` (None when ``reached`` is itself
            remembered) and the :class:`HolderReach` that split it (see
            :meth:`HolderReach.split`); without it the resources are counted afresh.
    """
    holdings = index.holdings
    count, firsts = figures or index.figures_of(reached)
    if count <= DETAIL_LIMIT:
        every = sorted((h for holder in reached for h in holdings[holder]), key=_order)
        restricted = every[0].level is Sensitivity.RESTRICTED
        text = summarise([h.reach(ctx) for h in every], ctx.facts.resources)
        return (f"{system} acts autonomously and can write or administer, with no human "
                f"approval required: {text}.", restricted)  # fmt: skip
    named = heapq.nsmallest(NAMED_HOLDINGS, (h for f in firsts for h in holdings[f]), key=_order)
    if split is None:
        resources = len(index.resources_among(reached))
    else:
        resources = index.resources_of(reached, *split)
    restricted = named[0].level is Sensitivity.RESTRICTED
    among = summarise([h.reach(ctx) for h in named], ctx.facts.resources)
    return (
        f"{system} acts autonomously and can write or administer, with no human approval "
        f"required, through {plural(count, 'grant')} on {plural(resources, 'resource')} "
        f"held by {plural(len(reached), 'identity')}; the most serious among them: {among}.",
        restricted,
    )
