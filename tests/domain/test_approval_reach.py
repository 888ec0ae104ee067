"""The approval rule's shared reach: equal to a walk per system, and readable at any size."""

from __future__ import annotations

import datetime as dt
import heapq

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.approval_reach import (
    DETAIL_LIMIT,
    NAMED_HOLDINGS,
    HolderReach,
    HoldingIndex,
    unapproved_holdings,
)
from app.domain.enums import Action, Autonomy, IdentityKind, Sensitivity, Severity
from app.domain.hygiene import HygieneSettings, evaluate_hygiene, rule_by_id
from app.domain.hygiene_model import HygieneContext
from app.domain.identity_graph import IdentityGraph
from app.domain.inventory_facts import (
    DelegationFacts,
    GrantFacts,
    IdentityFacts,
    InventoryFacts,
    ResourceFacts,
    SystemFacts,
)

TODAY = dt.date(2026, 3, 1)
RULE = "autonomous-write-without-approval"
LEVELS = [None, Sensitivity.INTERNAL, Sensitivity.CONFIDENTIAL, Sensitivity.RESTRICTED]


def _facts(n_ids, grants, delegations, systems) -> InventoryFacts:
    ids = [f"id-{k}" for k in range(n_ids)]
    return InventoryFacts.of(
        systems=[
            SystemFacts(f"AIS-{k}", autonomy=autonomy, identities=tuple(ids[i] for i in uses))
            for k, (autonomy, uses) in enumerate(systems)
        ],
        identities=[IdentityFacts(i, kind=IdentityKind.ROLE) for i in ids],
        resources=[ResourceFacts(f"r-{k}", sensitivity=level) for k, level in enumerate(LEVELS)],
        grants=[
            GrantFacts(ids[i], f"r-{r}", action, approval_required=a) for i, r, action, a in grants
        ],
        delegations=[DelegationFacts(ids[s], ids[t]) for s, t in delegations],
    )


def _walked(facts: InventoryFacts) -> dict[str, tuple[set[tuple[str, str, str]], bool]]:
    """The former computation: walk each autonomous system's delegations and read its grants."""
    graph = IdentityGraph.from_facts(facts)
    found = {}
    for system in facts.systems.values():
        if system.autonomy is not Autonomy.AUTONOMOUS:
            continue
        held, restricted = set(), False
        for identity in graph.delegation_paths(system.identities):
            for grant in facts.grants:
                if grant.identity != identity or grant.approval_required is True:
                    continue
                level = facts.resources[grant.resource].sensitivity or Sensitivity.CONFIDENTIAL
                if grant.action.rank >= Action.WRITE.rank and level in (
                    Sensitivity.CONFIDENTIAL, Sensitivity.RESTRICTED
                ):  # fmt: skip
                    held.add((identity, grant.action.value, grant.resource))
                    restricted = restricted or level is Sensitivity.RESTRICTED
        if held:
            found[system.ext_id] = (held, restricted)
    return found


def _shared(facts: InventoryFacts) -> dict[str, tuple[set[tuple[str, str, str]], bool]]:
    """The shared computation, read back from its memo and the rule's findings."""
    ctx = HygieneContext(facts, IdentityGraph.from_facts(facts), HygieneSettings(), TODAY)
    holdings = unapproved_holdings(ctx)
    reach = HolderReach(ctx.graph, holdings)
    severity = {f.system: f.severity for f in rule_by_id(RULE).check(ctx)}
    found = {}
    for system in facts.systems.values():
        if system.autonomy is Autonomy.AUTONOMOUS:
            reached = reach.of_identities(system.identities)
            held = {(h.identity, h.action.value, h.resource) for i in reached for h in holdings[i]}
            if held:
                found[system.ext_id] = (held, severity[system.ext_id] is Severity.CRITICAL)
    assert set(severity) == set(found)
    return found


def _inventories(n: int, sizes: tuple[int, int, int, int], actions, approvals, autonomies):
    """Random grants, delegations and systems over ``n`` identities (as ``_facts`` takes)."""
    grants, delegations, systems, uses = sizes
    return st.tuples(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, 3),
                st.sampled_from(actions),
                st.sampled_from(approvals),
            ),
            max_size=grants,
        ),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=delegations),
        st.lists(
            st.tuples(st.sampled_from(autonomies), st.lists(st.integers(0, n - 1), max_size=uses)),
            min_size=1,
            max_size=systems,
        ),
    )


_N = 7
_graphs = _inventories(_N, (14, 12, 5, 3), list(Action), [None, False, True], list(Autonomy))


@settings(max_examples=200, deadline=None)
@given(_graphs)
def test_shared_reach_equals_a_walk_per_system(graph) -> None:
    grants, delegations, systems = graph
    facts = _facts(_N, grants, delegations, systems)
    assert _shared(facts) == _walked(facts)


def test_a_far_reaching_system_gets_a_summary_naming_the_most_serious_few() -> None:
    roles = 2000
    grants = [(k, 2 + k % 2, Action.WRITE if k % 3 else Action.ADMIN, None) for k in range(roles)]
    chain = [(k, k + 1) for k in range(roles - 1)] + [(roles - 1, 0)]  # one cycle of 2,000
    facts = _facts(roles, grants, chain, [(Autonomy.AUTONOMOUS, [5])])
    (finding,) = [f for f in evaluate_hygiene(facts, today=TODAY) if f.rule_id == RULE]
    assert finding.severity is Severity.CRITICAL
    assert "through 2,000 grants on 2 resources held by 2,000 identities" in finding.detail
    assert "among them: " in finding.detail
    assert "identities; the most serious among them: " in finding.detail
    assert finding.detail.count(" holds ") == 3  # the most serious three are named
    assert "holds admin (restricted)" in finding.detail
    assert len(finding.detail) < 600


def test_a_few_holdings_are_each_named() -> None:
    grants = [(k, 2, Action.WRITE, False) for k in range(DETAIL_LIMIT)]
    chain = [(0, k) for k in range(1, DETAIL_LIMIT)]
    facts = _facts(DETAIL_LIMIT, grants, chain, [(Autonomy.AUTONOMOUS, [0])])
    (finding,) = [f for f in evaluate_hygiene(facts, today=TODAY) if f.rule_id == RULE]
    assert finding.severity is Severity.HIGH
    assert finding.detail.count(" holds write (confidential)") == DETAIL_LIMIT


_many = _inventories(12, (40, 30, 6, 4), [Action.WRITE, Action.ADMIN], [None, False],
                     [Autonomy.AUTONOMOUS])  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(_many)
def test_remembered_figures_equal_figures_counted_afresh(graph) -> None:
    """Counts and most serious holders built from a group's parts equal a count over all."""
    grants, delegations, systems = graph
    facts = _facts(12, grants, delegations, systems)
    ctx = HygieneContext(facts, IdentityGraph.from_facts(facts), HygieneSettings(), TODAY)
    holdings = unapproved_holdings(ctx)
    reach, index = HolderReach(ctx.graph, holdings), HoldingIndex(holdings)
    for system in facts.systems.values():
        reached, base = reach.split(system.identities)
        assert reached == reach.of_identities(system.identities)
        if not reached:
            continue
        count = sum(len(holdings[holder]) for holder in reached)
        firsts = heapq.nsmallest(NAMED_HOLDINGS, reached, key=index.best.__getitem__)
        assert index.figures(reached, base, reach) == (count, tuple(firsts))
        assert index.figures_of(reached) == (count, tuple(firsts))
        resources = {h.resource for holder in reached for h in holdings[holder]}
        assert index.resources_of(reached, base, reach) == len(resources)
        assert index.resources_among(reached) == resources
