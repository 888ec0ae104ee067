"""Blast radius: weights, the saturating score, tiers, explaining paths."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.blast_radius import (
    FORMULA,
    MAX_PATHS_PER_RESOURCE,
    NO_IDENTITY,
    NO_IDENTITY_GRANT,
    NO_SYSTEM_GRANT,
    WHOLE_SCOPE_FLOOR,
    BlastScorer,
    floored,
    identity_blast_radius,
    resource_weight,
    score_of,
    system_blast_radius,
    tier_of,
)
from app.domain.enums import Action, RiskTier, Sensitivity
from app.domain.identity_graph import IdentityGraph
from app.domain.reach import Overlay

R, X, W, A = Action.READ, Action.EXECUTE, Action.WRITE, Action.ADMIN


@pytest.mark.parametrize(
    ("raw", "score"),
    [(0, 0), (1, 2), (2, 5), (24, 45), (26, 48), (32, 55), (56, 75), (200, 99)],
)
def test_score_follows_the_stated_formula(raw: int, score: int) -> None:
    assert score_of(raw) == score
    assert score_of(raw) == round(100 * (1 - math.exp(-raw / 40)))


@pytest.mark.parametrize(
    ("score", "tier"),
    [
        (0, RiskTier.LOW),
        (24, RiskTier.LOW),
        (25, RiskTier.MODERATE),
        (49, RiskTier.MODERATE),
        (50, RiskTier.HIGH),
        (74, RiskTier.HIGH),
        (75, RiskTier.CRITICAL),
        (100, RiskTier.CRITICAL),
    ],
)
def test_tiers_at_25_50_75(score: int, tier: RiskTier) -> None:
    assert tier_of(score) is tier


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_score_is_bounded_and_monotonic(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert 0 <= score_of(low) <= score_of(high) <= 100


def test_weights_multiply_sensitivity_and_action() -> None:
    assert resource_weight(Sensitivity.PUBLIC, R) == 1
    assert resource_weight(Sensitivity.INTERNAL, X) == 4
    assert resource_weight(Sensitivity.CONFIDENTIAL, W) == 12
    assert resource_weight(Sensitivity.RESTRICTED, A) == 32
    assert resource_weight(None, R) == 4  # unrecorded counts as confidential


def test_formula_text_states_weights_curve_and_tiers() -> None:
    for part in ("public 1", "restricted 8", "admin 4", "40", "25", "50", "75"):
        assert part in FORMULA


def _claims_graph() -> IdentityGraph:
    return IdentityGraph(
        uses=[("AIS-1", "svc")],
        grants=[("svc", "wiki", R), ("svc", "db", R), ("role", "db", W)],
        delegations=[("svc", "role")],
        sensitivity={"wiki": Sensitivity.INTERNAL, "db": Sensitivity.RESTRICTED},
    )


def test_system_blast_radius_counts_strongest_action_once() -> None:
    blast = system_blast_radius(_claims_graph(), "AIS-1")
    assert [(r.resource, r.action, r.weight) for r in blast.resources] == [
        ("db", W, 24),
        ("wiki", R, 2),
    ]
    assert blast.raw == 26
    assert blast.score == 48
    assert blast.tier is RiskTier.MODERATE
    assert blast.identities == ("svc", "role")
    assert blast.chain.identities == ("svc", "role")


def test_paths_explain_the_strongest_action() -> None:
    blast = system_blast_radius(_claims_graph(), "AIS-1")
    texts = [p.text("AIS-1") for p in blast.paths()]
    assert texts == ["AIS-1 → svc → role → db (write)", "AIS-1 → svc → wiki (read)"]
    assert blast.resources[0].paths[0].delegations == 1


def test_paths_are_capped_and_shortest_first() -> None:
    holders = [f"h{k}" for k in range(5)]
    graph = IdentityGraph(
        uses=[("S", "start")],
        grants=[(h, "vault", A) for h in holders],
        delegations=[("start", "h0"), ("h0", "h1")] + [("start", h) for h in holders[2:]],
        sensitivity={"vault": Sensitivity.RESTRICTED},
    )
    paths = system_blast_radius(graph, "S").resources[0].paths
    assert len(paths) == MAX_PATHS_PER_RESOURCE
    assert all(len(p.identities) == 2 for p in paths)


def test_without_explanation_the_score_is_the_same() -> None:
    graph = _claims_graph()
    full = system_blast_radius(graph, "AIS-1")
    quick = system_blast_radius(graph, "AIS-1", explain=False)
    assert (quick.raw, quick.score, quick.tier) == (full.raw, full.score, full.tier)
    assert quick.paths() == []


def test_identity_blast_radius_covers_what_it_can_act_as() -> None:
    blast = identity_blast_radius(_claims_graph(), "role")
    assert blast.subject_kind == "identity"
    assert [(r.resource, r.action) for r in blast.resources] == [("db", W)]
    assert blast.score == score_of(24)


def test_system_without_identities_has_an_unknown_blast_radius() -> None:
    blast = system_blast_radius(_claims_graph(), "AIS-unknown")
    assert (blast.raw, blast.score, blast.tier) == (0, None, None)
    assert blast.resources == ()
    assert blast.unknown == NO_IDENTITY
    assert not blast.known
    assert blast.text() == "unknown"


def test_identities_without_grants_give_unknown_never_zero() -> None:
    graph = IdentityGraph(uses=[("AIS-1", "svc-a"), ("AIS-1", "svc-b")],
                          delegations=[("svc-a", "svc-b")])  # fmt: skip
    blast = system_blast_radius(graph, "AIS-1")
    assert (blast.score, blast.tier, blast.unknown) == (None, None, NO_SYSTEM_GRANT)
    assert blast.identities == ("svc-a", "svc-b")
    summary = BlastScorer(graph).system("AIS-1")
    assert (summary.score, summary.tier, summary.unknown) == (None, None, NO_SYSTEM_GRANT)
    own = identity_blast_radius(graph, "svc-a")
    assert (own.score, own.tier, own.unknown) == (None, None, NO_IDENTITY_GRANT)


def test_one_grant_anywhere_makes_the_blast_radius_known() -> None:
    graph = IdentityGraph(uses=[("AIS-1", "svc-a")], delegations=[("svc-a", "svc-b")],
                          grants=[("svc-b", "docs", Action.READ)],
                          sensitivity={"docs": Sensitivity.PUBLIC})  # fmt: skip
    blast = system_blast_radius(graph, "AIS-1")
    assert blast.known
    assert (blast.score, blast.tier) == (score_of(1), RiskTier.LOW)
    assert blast.text() == f"{score_of(1)}/100 (low)"
    assert BlastScorer(graph).system("AIS-1").unknown is None


_ids = st.sampled_from([f"i{k}" for k in range(6)])
_resources = st.sampled_from(["r0", "r1", "r2", "r3"])


@settings(max_examples=120, deadline=None)
@given(
    uses=st.lists(st.tuples(st.sampled_from(["S1", "S2"]), _ids), max_size=6),
    grants=st.lists(st.tuples(_ids, _resources, st.sampled_from(Action)), max_size=12),
    delegations=st.lists(st.tuples(_ids, _ids), max_size=10),
    levels=st.lists(st.sampled_from([*Sensitivity, None]), min_size=4, max_size=4),
)
def test_scorer_agrees_with_full_blast_radius(uses, grants, delegations, levels) -> None:
    graph = IdentityGraph(
        uses=uses,
        grants=grants,
        delegations=delegations,
        sensitivity=dict(zip(["r0", "r1", "r2", "r3"], levels, strict=True)),
    )
    scorer = BlastScorer(graph)
    for system in ("S1", "S2"):
        full = system_blast_radius(graph, system)
        quick = scorer.system(system)
        assert (quick.raw, quick.score, quick.tier) == (full.raw, full.score, full.tier)
        assert quick.resources == len(full.resources)
        assert (quick.chain_depth, quick.chain_exact) == (full.chain.depth, full.chain.exact)


_RESOURCES = [f"r{k}" for k in range(8)]


@settings(max_examples=150, deadline=None)
@given(
    reaches=st.lists(
        st.dictionaries(st.sampled_from(_RESOURCES), st.integers(1, 4), max_size=8), max_size=3
    ),
    wholes=st.sets(st.sampled_from(_RESOURCES)),
    score=st.integers(0, 100),
)
def test_floor_for_admin_over_a_whole_scope_whichever_side_is_smaller(
    reaches, wholes, score
) -> None:
    """Walking the reach or the whole scopes, the floor applies exactly when admin is held."""
    graph = IdentityGraph(whole_scopes=wholes)
    admin = Action.ADMIN.rank
    expected = any(m.get(w) == admin for m in reaches for w in wholes)
    assert floored(score, graph, reaches) == (max(score, WHOLE_SCOPE_FLOOR) if expected else score)
    if reaches:  # the same through a shared reach and what one identity adds to it
        shared = Overlay(
            dict.fromkeys(_RESOURCES, 1), {r: k for r, k in reaches[0].items() if k > 1}
        )
        held = any(shared.get(w) == admin for w in wholes)
        assert floored(score, graph, [shared]) == (max(score, WHOLE_SCOPE_FLOOR) if held else score)
