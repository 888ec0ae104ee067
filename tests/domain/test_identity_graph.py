"""Identity graph: reach through delegations, cycles, longest simple chains, shortest paths."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import identity_graph
from app.domain.enums import Action
from app.domain.identity_graph import Chain, IdentityGraph

R, X, W, A = Action.READ, Action.EXECUTE, Action.WRITE, Action.ADMIN


def test_reach_follows_delegations_and_keeps_strongest_action() -> None:
    graph = IdentityGraph(
        uses=[("S", "a")],
        grants=[("a", "db", R), ("b", "db", W), ("c", "queue", X), ("b", "db", R)],
        delegations=[("a", "b"), ("b", "c")],
    )
    assert dict(graph.reach("a")) == {"db": W.rank, "queue": X.rank}
    assert dict(graph.reach("b")) == {"db": W.rank, "queue": X.rank}
    assert dict(graph.reach("c")) == {"queue": X.rank}
    assert graph.system_reach("S") == {"db": W.rank, "queue": X.rank}


def test_cycle_terminates_and_every_member_reaches_the_whole_cycle() -> None:
    graph = IdentityGraph(
        grants=[("a", "r1", R), ("b", "r2", W), ("c", "r3", A)],
        delegations=[("a", "b"), ("b", "c"), ("c", "a")],
    )
    expected = {"r1": R.rank, "r2": W.rank, "r3": A.rank}
    for member in "abc":
        assert dict(graph.reach(member)) == expected
    assert graph.chain("a").identities == ("a", "b", "c")
    assert graph.chain("c").depth == 2


def test_chain_leaves_a_cycle_by_its_longest_exit() -> None:
    # a <-> b, b -> c -> d: the longest simple chain from a is a, b, c, d.
    graph = IdentityGraph(delegations=[("a", "b"), ("b", "a"), ("b", "c"), ("c", "d")])
    chain = graph.chain("a")
    assert chain.identities == ("a", "b", "c", "d")
    assert chain.exact
    assert graph.chain("b").identities == ("b", "c", "d")


def test_self_delegation_is_ignored() -> None:
    graph = IdentityGraph(grants=[("a", "r", R)], delegations=[("a", "a")])
    assert graph.chain("a").depth == 0
    assert dict(graph.reach("a")) == {"r": R.rank}


def test_unknown_identity_reaches_nothing() -> None:
    graph = IdentityGraph()
    assert dict(graph.reach("ghost")) == {}
    assert graph.chain("ghost").identities == ("ghost",)
    assert graph.system_chain("no-such-system").identities == ()


def test_long_linear_chain_does_not_recurse() -> None:
    n = 5_000
    graph = IdentityGraph(
        grants=[(f"i{n - 1}", "end", A)],
        delegations=[(f"i{k}", f"i{k + 1}") for k in range(n - 1)],
    )
    assert graph.chain_depth("i0") == n - 1
    assert len(graph.chain("i0").identities) == n
    assert dict(graph.reach("i0")) == {"end": A.rank}


def test_identity_with_one_source_shares_its_reach() -> None:
    graph = IdentityGraph(grants=[("role", "r", W)], delegations=[("a", "role"), ("b", "role")])
    assert graph.reach("a") is graph.reach("role")
    assert graph.reach("b") is graph.reach("role")


def test_identity_acting_as_no_other_reaches_its_own_grants_without_a_walk() -> None:
    graph = IdentityGraph(
        uses=[("S", "leaf"), ("S", "bare")],
        grants=[("leaf", "r1", Action.READ), ("leaf", "r1", Action.WRITE)],
        delegations=[("other", "leaf")],
    )
    assert graph.reach("leaf") is graph.own_grants("leaf")
    assert dict(graph.reach("leaf")) == {"r1": Action.WRITE.rank}
    assert graph.reach("bare") == {}
    assert not graph.reaches_anything("bare")
    assert graph.reaches_anything("leaf")
    assert graph.system_reaches_anything("S")
    assert graph.chain("leaf") == Chain(("leaf",))
    assert graph.chain_depth("leaf") == 0
    assert graph.deepest_start("S") == ("leaf", 0, True)
    assert not {"leaf", "bare"} & graph._scc_of.keys()  # no cycle group was made for them
    assert graph.chain("other").identities == ("other", "leaf")  # walked after it was asked
    assert graph.component("leaf") != graph.component("other")


def test_dense_cycle_group_beyond_budget_gives_lower_bound(monkeypatch) -> None:
    monkeypatch.setattr(identity_graph, "CHAIN_SEARCH_BUDGET", 100)
    monkeypatch.setattr(identity_graph, "CHAIN_MIN_STEPS", 10)
    nodes = [f"n{k}" for k in range(9)]
    graph = IdentityGraph(delegations=list(itertools.permutations(nodes, 2)))
    chain = graph.chain("n0")
    assert not chain.exact
    assert 1 <= chain.depth <= 8
    assert len(set(chain.identities)) == len(chain.identities)


def test_small_complete_group_is_searched_exactly() -> None:
    nodes = ["a", "b", "c", "d"]
    graph = IdentityGraph(delegations=list(itertools.permutations(nodes, 2)))
    chain = graph.chain("a")
    assert chain.exact
    assert chain.depth == 3
    assert sorted(chain.identities) == nodes


def test_delegation_paths_are_shortest_and_start_at_a_start() -> None:
    graph = IdentityGraph(delegations=[("a", "b"), ("b", "c"), ("a", "c"), ("x", "c")])
    paths = graph.delegation_paths(["a", "x"])
    assert paths["c"] == ("a", "c")
    assert paths["b"] == ("a", "b")
    assert paths["x"] == ("x",)


def test_system_chain_is_the_longest_of_its_identities() -> None:
    graph = IdentityGraph(
        uses=[("S", "short"), ("S", "long")],
        delegations=[("short", "t"), ("long", "u"), ("u", "v"), ("v", "w")],
    )
    assert graph.system_chain("S").identities == ("long", "u", "v", "w")


# -- properties against brute force ------------------------------------------------------------

_NODES = [f"i{k}" for k in range(7)]
_edges = st.lists(st.tuples(st.sampled_from(_NODES), st.sampled_from(_NODES)), max_size=18)
_grants = st.lists(
    st.tuples(
        st.sampled_from(_NODES), st.sampled_from(["r0", "r1", "r2"]), st.sampled_from(Action)
    ),
    max_size=10,
)


def _naive_reach(start: str, edges, grants) -> dict[str, int]:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for source, target in edges:
            if source == node and target not in seen:
                seen.add(target)
                todo.append(target)
    reached: dict[str, int] = {}
    for identity, resource, action in grants:
        if identity in seen:
            reached[resource] = max(reached.get(resource, 0), action.rank)
    return reached


def _naive_longest(start: str, edges) -> int:
    best = 0

    def walk(node: str, visited: frozenset[str], depth: int) -> None:
        nonlocal best
        best = max(best, depth)
        for source, target in edges:
            if source == node and target not in visited:
                walk(target, visited | {target}, depth + 1)

    walk(start, frozenset({start}), 0)
    return best


@settings(max_examples=150, deadline=None)
@given(edges=_edges, grants=_grants)
def test_reach_and_chain_match_brute_force(edges, grants) -> None:
    graph = IdentityGraph(grants=grants, delegations=edges)
    for node in _NODES:
        assert dict(graph.reach(node)) == _naive_reach(node, edges, grants)
        chain = graph.chain(node)
        assert chain.exact
        assert chain.depth == _naive_longest(node, edges)
        assert chain.identities[0] == node
        assert len(set(chain.identities)) == len(chain.identities)
        for source, target in itertools.pairwise(chain.identities):
            assert (source, target) in edges


@settings(max_examples=120, deadline=None)
@given(edges=_edges, grants=_grants)
def test_results_do_not_depend_on_query_order(edges, grants) -> None:
    """Reach, chains and the cheap reaches-anything test agree whatever is asked first."""
    forward = IdentityGraph(grants=grants, delegations=edges)
    backward = IdentityGraph(grants=grants, delegations=edges)
    cheap_first = IdentityGraph(grants=grants, delegations=edges)
    for node in reversed(_NODES):
        backward.chain_depth(node)
    for node in _NODES:
        anything = bool(_naive_reach(node, edges, grants))
        assert cheap_first.reaches_anything(node) is anything
        assert dict(forward.reach(node)) == dict(backward.reach(node))
        assert bool(forward.reach(node)) is anything
        assert backward.reaches_anything(node) is anything
        assert dict(cheap_first.reach(node)) == dict(forward.reach(node))
        assert forward.chain_depth(node) == backward.chain_depth(node)


def _walked_chain(graph: IdentityGraph, node: str) -> tuple[str, ...]:
    """Return a chain by following each identity's stored tail, as chains were once read."""
    if not graph.delegates_of(node):
        return (node,)
    graph.component(node)
    nodes, current = [node], node
    while True:
        tail, continues = graph._chains.tail[current]
        nodes.extend(tail)
        if not continues:
            return tuple(nodes)
        current = tail[-1]


@settings(max_examples=120, deadline=None)
@given(edges=_edges, uses=st.lists(st.sampled_from(_NODES), max_size=4))
def test_remembered_chains_equal_chains_walked_afresh(edges, uses) -> None:
    """Chains joined from remembered parts are the walked ones, whatever is asked first."""
    forward = IdentityGraph(uses=[("S", u) for u in uses], delegations=edges)
    backward = IdentityGraph(uses=[("S", u) for u in uses], delegations=edges)
    walked = IdentityGraph(delegations=edges)
    for node in reversed(_NODES):
        backward.chain(node)
    for node in _NODES:
        assert forward.chain(node).identities == _walked_chain(walked, node)
        assert backward.chain(node) == forward.chain(node)
    deepest = max(uses, key=forward.chain_depth, default=None)  # the first with the most hops
    start, depth, exact = forward.deepest_start("S")
    assert start == deepest
    assert forward.system_chain("S") == (forward.chain(start) if start else Chain(()))
    assert (depth, exact) == (forward.system_chain("S").depth, forward.system_chain("S").exact)


def test_a_long_chain_is_remembered_once_not_once_per_identity_on_it() -> None:
    """Asking for the chain of a long line of delegations keeps one copy of it, not n."""
    hops = 3_000
    edges = [(f"i{n}", f"i{n + 1}") for n in range(hops)]
    graph = IdentityGraph(delegations=edges)
    assert graph.chain("i0").depth == hops
    assert sum(map(len, graph._chains._nodes.values())) == hops + 1
    assert graph.chain("i10").identities == tuple(f"i{n}" for n in range(10, hops + 1))
    assert sum(map(len, graph._chains._nodes.values())) == 2 * hops - 8
