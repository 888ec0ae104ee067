"""The identity graph: AI systems → identities → grants → resources, and identity delegations.

An AI system reaches whatever its identities reach, directly through their grants and
transitively through delegations (an identity that can assume a role reaches what the role
reaches). Delegations may form cycles; the graph handles them by working on groups of
identities that can all reach each other (strongly connected components, found with an
iterative Tarjan walk so deep chains never hit Python's recursion limit).

What each identity reaches is computed once per component, when first asked for (the groups
it delegates to first), and shared: an identity whose reach equals a single source's reach
reuses that mapping instead of copying it. Rules that only ask whether an identity reaches
anything (:meth:`IdentityGraph.reaches_anything`) never build the mappings.

Longest delegation chain: the longest *simple* path of delegations (no identity twice) starting
at an identity. Between components the graph is acyclic, so the answer there is exact dynamic
programming. Inside a cycle group the simple paths are searched exhaustively, with a budget of
:data:`CHAIN_SEARCH_BUDGET` steps per group (at least :data:`CHAIN_MIN_STEPS` per identity);
when the budget runs out the chain found so far is returned and marked inexact (a lower bound).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from app.domain.enums import Action, Sensitivity
from app.domain.inventory_facts import InventoryFacts
from app.domain.reach import merge_reaches, pairs
from app.domain.scopes import is_whole_scope
from app.support.frozen import quick_init

logger = logging.getLogger(__name__)

#: Steps of simple-path search allowed inside one group of identities that delegate in a cycle.
CHAIN_SEARCH_BUDGET = 200_000
#: Steps each identity of a cycle group gets at least, however large the group.
CHAIN_MIN_STEPS = 64

#: An identity, system or resource id: inventory ids in the domain, row ids in fast service paths.
NodeId = str | int

_EMPTY: Mapping[NodeId, int] = MappingProxyType({})
#: Rank of each action, looked up by the member or by its stored text (the two are equal keys).
_RANK: dict[Action | str, int] = {action: action.rank for action in Action}
_GRANT_EDGE = attrgetter("identity", "resource", "action")
_DELEGATION_EDGE = attrgetter("source", "target")


@quick_init  # one per flagged chain, or per system explained
@dataclass(frozen=True, slots=True)
class Chain:
    """The longest delegation chain starting at an identity or a system.

    Attributes:
        identities: The identities along the chain, the starting one first.
        exact: False when a cycle group was too large to search exhaustively (a lower bound).
    """

    identities: tuple[NodeId, ...]
    exact: bool = True

    @property
    def depth(self) -> int:
        """Return the number of delegation hops along the chain."""
        return max(len(self.identities) - 1, 0)


class IdentityGraph:
    """Directed graph of identity uses, grants and delegations, built from light tuples.

    Args:
        uses: ``(system, identity)`` pairs: the system uses the identity.
        grants: ``(identity, resource, action)`` triples (the action or its stored text).
        delegations: ``(from_identity, to_identity)`` pairs: ``from`` can act as ``to``.
        sensitivity: Sensitivity of each resource (missing or None: not recorded).
        whole_scopes: Resources that stand for a whole account, subscription, project or
            cluster (see :func:`app.domain.scopes.is_whole_scope`).
    """

    def __init__(
        self,
        *,
        uses: Iterable[tuple[NodeId, NodeId]] = (),
        grants: Iterable[tuple[NodeId, NodeId, Action | str]] = (),
        delegations: Iterable[tuple[NodeId, NodeId]] = (),
        sensitivity: Mapping[NodeId, Sensitivity | None] | None = None,
        whole_scopes: Iterable[NodeId] = (),
    ) -> None:
        system_uses: dict[NodeId, dict[NodeId, None]] = {}
        for system, identity in uses:
            system_uses.setdefault(system, {})[identity] = None
        self._uses = {system: tuple(ids) for system, ids in system_uses.items()}
        self._grants: dict[NodeId, dict[NodeId, int]] = {}
        for identity, resource, action in grants:
            held = self._grants.get(identity)
            if held is None:  # not setdefault: no new dict for each of 500,000 grants
                held = self._grants[identity] = {}
            rank = _RANK[action]
            if rank > held.get(resource, 0):
                held[resource] = rank
        targets: dict[NodeId, set[NodeId]] = {}
        for source, target in delegations:
            if source != target:
                targets.setdefault(source, set()).add(target)
        self._delegates = {source: tuple(sorted(ts)) for source, ts in targets.items()}
        self.sensitivity: Mapping[NodeId, Sensitivity | None] = dict(sensitivity or {})
        self.whole_scopes: frozenset[NodeId] = frozenset(whole_scopes)
        self._scc_of: dict[NodeId, int] = {}
        self._scc_reach: list[Mapping[NodeId, int] | None] = []
        self._scc_reaches: list[bool | None] = []
        self._scc_members: list[tuple[NodeId, ...]] = []
        self._chains = _ChainTable()

    @classmethod
    def from_facts(cls, facts: InventoryFacts) -> IdentityGraph:
        """Build the graph of a whole inventory."""
        return cls(
            uses=((s.ext_id, i) for s in facts.systems.values() for i in s.identities),
            grants=map(_GRANT_EDGE, facts.grants),  # mapped in C, not a generator's frame
            delegations=map(_DELEGATION_EDGE, facts.delegations),
            sensitivity={r.ext_id: r.sensitivity for r in facts.resources.values()},
            whole_scopes=(r.ext_id for r in facts.resources.values() if is_whole_scope(r.kind)),
        )

    # -- plain look-ups ---------------------------------------------------------------------

    @property
    def systems(self) -> tuple[NodeId, ...]:
        """Return the systems that use at least one identity."""
        return tuple(self._uses)

    def identities_of(self, system: NodeId) -> tuple[NodeId, ...]:
        """Return the identities a system uses directly."""
        return self._uses.get(system, ())

    def own_grants(self, identity: NodeId) -> Mapping[NodeId, int]:
        """Return resource → strongest action rank granted to the identity itself."""
        return self._grants.get(identity, _EMPTY)

    def delegates_of(self, identity: NodeId) -> tuple[NodeId, ...]:
        """Return the identities this one can act as directly."""
        return self._delegates.get(identity, ())

    # -- reach --------------------------------------------------------------------------------

    def reach(self, identity: NodeId) -> Mapping[NodeId, int]:
        """Return resource → strongest action rank the identity reaches, delegations included.

        The mapping is shared between identities; callers must not change it.
        """
        if identity not in self._delegates:  # most identities act as no other: their grants
            return self._grants.get(identity, _EMPTY)
        self._complete(identity)
        component = self._scc_of[identity]
        return self._scc_reach[component] or self._reach_of(component)

    def reaches_anything(self, identity: NodeId) -> bool:
        """Return whether the identity reaches any resource (without building its reach)."""
        if identity not in self._delegates:
            return identity in self._grants
        self._complete(identity)
        return self._reaches_of(self._scc_of[identity])

    def system_reaches_anything(self, system: NodeId) -> bool:
        """Return whether any identity of a system reaches a resource (see above)."""
        return any(map(self.reaches_anything, self._uses.get(system, ())))

    def system_reach(self, system: NodeId) -> dict[NodeId, int]:
        """Return resource → strongest action rank a system reaches through its identities."""
        reached: dict[NodeId, int] = {}
        for identity in self.identities_of(system):
            for resource, rank in pairs(self.reach(identity)):
                if rank > reached.get(resource, 0):
                    reached[resource] = rank
        return reached

    def component(self, identity: NodeId) -> int:
        """Return the number of the identity's cycle group (identities that act as each other).

        Groups are numbered as they are finished, so every group an identity can delegate to
        has a smaller number than the identity's own, unless it is the same group.
        """
        self._complete(identity)
        return self._scc_of[identity]

    def component_members(self, component: int) -> tuple[NodeId, ...]:
        """Return the identities of a cycle group numbered by :meth:`component`."""
        return self._scc_members[component]

    def delegation_paths(self, starts: Iterable[NodeId]) -> dict[NodeId, tuple[NodeId, ...]]:
        """Return, for every identity reachable from ``starts``, a shortest delegation path.

        The result is in breadth-first order; each path begins with one of ``starts`` and ends
        with the identity itself.
        """
        paths: dict[NodeId, tuple[NodeId, ...]] = {}
        queue: deque[NodeId] = deque()
        for start in starts:
            if start not in paths:
                paths[start] = (start,)
                queue.append(start)
        while queue:
            current = queue.popleft()
            prefix = paths[current]
            for target in self._delegates.get(current, ()):
                if target not in paths:
                    paths[target] = (*prefix, target)
                    queue.append(target)
        return paths

    # -- chains -------------------------------------------------------------------------------

    def chain(self, identity: NodeId) -> Chain:
        """Return the longest simple delegation chain starting at ``identity``."""
        if identity not in self._delegates:
            return Chain((identity,))
        self._complete(identity)
        return Chain(self._chains.nodes(identity), self._chains.exact[identity])

    def chain_depth(self, identity: NodeId) -> int:
        """Return the number of hops of the longest chain from ``identity`` (cheap)."""
        if identity not in self._delegates:
            return 0
        self._complete(identity)
        return self._chains.length[identity]

    def deepest_start(self, system: NodeId) -> tuple[NodeId | None, int, bool]:
        """Return where a system's longest chain starts, its hops and whether it is exact.

        The start is the first of the system's identities whose chain has the most hops (None
        for a system without identities, with 0 hops, exact). The cheap test run for every
        system of an inventory: the chain's identities are followed only by :meth:`chain`.
        """
        complete, chains, delegates = self._complete, self._chains, self._delegates
        start: NodeId | None = None
        best_depth, exact = -1, True
        for identity in self._uses.get(system, ()):
            if identity not in delegates:  # acts as no other: no hop, exact
                depth, its_exact = 0, True
            else:
                complete(identity)
                depth, its_exact = chains.length[identity], chains.exact[identity]
            if depth > best_depth:
                start, best_depth, exact = identity, depth, its_exact
        return start, max(best_depth, 0), exact

    def system_chain_figures(self, system: NodeId) -> tuple[int, bool]:
        """Return the hops and exactness of :meth:`system_chain`, without its identities."""
        _, depth, exact = self.deepest_start(system)
        return depth, exact

    def system_chain(self, system: NodeId) -> Chain:
        """Return the longest delegation chain starting at any identity of a system."""
        start = self.deepest_start(system)[0]
        return Chain(()) if start is None else self.chain(start)

    # -- Tarjan walk ----------------------------------------------------------------------------

    def _complete(self, root: NodeId) -> None:
        """Compute reach and chains for every identity reachable from ``root``."""
        if root in self._scc_of:
            return
        if root not in self._delegates:
            self._finish_component([root])
            return
        index: dict[NodeId, int] = {root: 0}
        low: dict[NodeId, int] = {root: 0}
        stack: list[NodeId] = [root]
        on_stack: set[NodeId] = {root}
        work = [(root, iter(self._delegates.get(root, ())))]
        counter = 1
        while work:
            node, successors = work[-1]
            descended = False
            for target in successors:
                if target in self._scc_of:
                    continue
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(self._delegates.get(target, ()))))
                    descended = True
                    break
                if target in on_stack and index[target] < low[node]:
                    low[node] = index[target]
            if descended:
                continue
            work.pop()
            if work and low[node] < low[work[-1][0]]:
                low[work[-1][0]] = low[node]
            if low[node] == index[node]:
                members: list[NodeId] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    members.append(member)
                    if member == node:
                        break
                self._finish_component(members)

    def _finish_component(self, members: list[NodeId]) -> None:
        component = len(self._scc_reach)
        for member in members:
            self._scc_of[member] = component
        self._scc_reach.append(None)
        self._scc_reaches.append(None)
        self._scc_members.append(tuple(members))
        if len(members) == 1:
            self._chains.add_single(members[0], self._delegates.get(members[0], ()))
        else:
            _ChainSearch(self._delegates, self._scc_of, self._chains, members, component).run()

    # -- reach of cycle groups, built on demand (delegates' groups first) ---------------------

    def _next_components(self, component: int) -> list[int]:
        """Return the other groups ``component`` delegates to, in the order first met."""
        found: dict[int, None] = {}
        for member in self._scc_members[component]:
            for target in self._delegates.get(member, ()):
                other = self._scc_of[target]
                if other != component:
                    found[other] = None
        return list(found)

    def _reach_of(self, component: int) -> Mapping[NodeId, int]:
        """Return (building it, and those of the groups it needs, first) a group's reach."""
        reach: Mapping[NodeId, int] = self._bottom_up(
            component, self._scc_reach, lambda current, _after: self._merge_reach(current)
        )
        return reach

    def _reaches_of(self, component: int) -> bool:
        """Return whether a group reaches any resource, as :meth:`_reach_of` but cheaper."""
        done = self._scc_reaches
        if done[component] is not None:  # asked once per identity of every system: no walk
            return bool(done[component])
        return bool(
            self._bottom_up(
                component,
                done,
                lambda _current, after: any(done[other] for other in after),
                lambda current: (
                    True if any(map(self._grants.get, self._scc_members[current])) else None
                ),
            )
        )

    def _bottom_up(
        self,
        component: int,
        done: list[Any],
        compute: Callable[[int, list[int]], Any],
        known: Callable[[int], Any] | None = None,
    ) -> Any:
        """Fill ``done`` for a group, after the groups it delegates to, without recursion.

        Args:
            component: The group whose value is wanted.
            done: Each group's value so far (None: not computed yet).
            compute: Gives a group's value from the groups it delegates to (already done).
            known: Gives a group's value without looking further, or None to look further.
        """
        todo = [component]
        while todo:
            current = todo[-1]
            if done[current] is not None:
                todo.pop()
                continue
            value = known(current) if known is not None else None
            if value is None:
                after = self._next_components(current)
                missing = [other for other in after if done[other] is None]
                if missing:
                    todo.extend(missing)
                    continue
                value = compute(current, after)
            todo.pop()
            done[current] = value
        return done[component]

    def _merge_reach(self, component: int) -> Mapping[NodeId, int]:
        """Merge the grants of a group's members with the reach of the groups it delegates to.

        The groups it delegates to must have their reach built already.
        """
        sources: list[Mapping[NodeId, int]] = []
        seen: set[int] = set()
        for member in self._scc_members[component]:  # the order of the former eager merge
            own = self._grants.get(member)
            if own:
                sources.append(own)
            for target in self._delegates.get(member, ()):
                other = self._scc_of[target]
                if other != component and other not in seen:
                    seen.add(other)
                    reach = self._scc_reach[other]
                    if reach:
                        sources.append(reach)
        if not sources:
            return _EMPTY
        if len(sources) == 1:
            return sources[0]
        return merge_reaches(sources)


class _ChainTable:
    """Longest chain of each identity: its hop count, the nodes after it, and exactness.

    ``tail[v]`` holds the identities after ``v`` up to the first one outside ``v``'s cycle
    group, and whether the chain continues from that last identity's own entry.
    """

    def __init__(self) -> None:
        self.length: dict[NodeId, int] = {}
        self.tail: dict[NodeId, tuple[tuple[NodeId, ...], bool]] = {}
        self.exact: dict[NodeId, bool] = {}
        self._nodes: dict[NodeId, tuple[NodeId, ...]] = {}

    def nodes(self, identity: NodeId) -> tuple[NodeId, ...]:
        """Return the identities of an identity's longest chain, itself first.

        The chain of each identity asked for is remembered, and a walk that reaches one ends
        there with a copy of it: chains through the same identities cost a copy of the shared
        part, not a walk of its tails. Only what was asked for is kept, so what is remembered
        never outgrows what was returned (keeping every identity passed on the way would hold
        a chain of n hops n times over).
        """
        known = self._nodes
        if identity in known:
            return known[identity]
        nodes = [identity]
        current = identity
        while True:
            tail, continues = self.tail[current]
            if not continues:
                nodes.extend(tail)
                break
            current = tail[-1]
            if current in known:
                nodes.extend(tail[:-1])
                nodes.extend(known[current])
                break
            nodes.extend(tail)
        chain = known[identity] = tuple(nodes)
        return chain

    def add_single(self, identity: NodeId, targets: tuple[NodeId, ...]) -> None:
        """Store the chain of an identity outside any cycle from its delegates' chains."""
        best_len, best_next, exact = 0, None, True
        for target in targets:
            exact = exact and self.exact[target]
            if 1 + self.length[target] > best_len:
                best_len, best_next = 1 + self.length[target], target
        self.length[identity] = best_len
        self.tail[identity] = ((best_next,), True) if best_next is not None else ((), False)
        self.exact[identity] = exact


class _ChainSearch:
    """Bounded search of simple paths inside one cycle group of identities."""

    def __init__(
        self,
        delegates: Mapping[NodeId, tuple[NodeId, ...]],
        scc_of: Mapping[NodeId, int],
        chains: _ChainTable,
        members: list[NodeId],
        component: int,
    ) -> None:
        self.chains = chains
        self.members = sorted(members)
        self.inside: dict[NodeId, tuple[NodeId, ...]] = {}
        self.exit_len: dict[NodeId, int] = {}
        self.exit_node: dict[NodeId, NodeId | None] = {}
        self.exits_exact = True
        for member in self.members:
            inside: list[NodeId] = []
            best_len, best_node = 0, None
            for target in delegates.get(member, ()):
                if scc_of[target] == component:
                    inside.append(target)
                    continue
                self.exits_exact = self.exits_exact and chains.exact[target]
                if 1 + chains.length[target] > best_len:
                    best_len, best_node = 1 + chains.length[target], target
            self.inside[member] = tuple(inside)
            self.exit_len[member] = best_len
            self.exit_node[member] = best_node
        self.budget = max(CHAIN_MIN_STEPS, CHAIN_SEARCH_BUDGET // len(members))

    def run(self) -> None:
        """Search from every member and store each member's longest chain."""
        for member in self.members:
            path, exact = self._search(member)
            last = path[-1]
            exit_node = self.exit_node[last]
            exits = exit_node is not None
            self.chains.length[member] = len(path) - 1 + self.exit_len[last]
            self.chains.tail[member] = (path[1:] + ((exit_node,) if exits else ()), exits)
            self.chains.exact[member] = exact and self.exits_exact

    def _search(self, start: NodeId) -> tuple[tuple[NodeId, ...], bool]:
        path = [start]
        on_path = {start}
        best_path, best_len = (start,), self.exit_len[start]
        work = [iter(self.inside[start])]
        steps = 0
        while work:
            descended = False
            for target in work[-1]:
                if target in on_path:
                    continue
                steps += 1
                if steps > self.budget:
                    return best_path, False
                path.append(target)
                on_path.add(target)
                length = len(path) - 1 + self.exit_len[target]
                if length > best_len:
                    best_path, best_len = tuple(path), length
                work.append(iter(self.inside[target]))
                descended = True
                break
            if not descended:
                work.pop()
                on_path.discard(path.pop())
        return best_path, True
