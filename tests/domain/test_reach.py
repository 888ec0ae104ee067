"""Shared reaches: an overlay reads like the plain merged mapping it stands for."""

from __future__ import annotations

import random

from app.domain import reach
from app.domain.blast_radius import BlastScorer, system_blast_radius
from app.domain.enums import Action, Sensitivity
from app.domain.identity_graph import IdentityGraph
from app.domain.reach import Overlay, base_of, merge_reaches, pairs


def _plain(sources):
    merged: dict[str, int] = {}
    for source in sources:
        for key, rank in pairs(source):
            merged[key] = max(rank, merged.get(key, 0))
    return merged


def test_overlay_reads_as_its_merged_mapping() -> None:
    big = {f"r{n}": 1 + n % 4 for n in range(reach.SHARE_FROM)}
    merged = merge_reaches([{"r1": 4, "new": 2, "r2": 1}, big])
    assert isinstance(merged, Overlay)
    assert merged.base is big
    assert merged.extra == {"r1": 4, "new": 2}  # r2 is held more strongly by the shared part
    assert dict(merged) == _plain([big, {"r1": 4, "new": 2}])
    assert len(merged) == len(big) + 1
    assert merged["r1"] == 4
    assert merged.get("missing") is None
    assert "new" in merged
    assert dict(pairs(merged)) == dict(merged)
    again = merge_reaches([merged, {"other": 3}])
    assert isinstance(again, Overlay)
    assert base_of(again) is big  # never an overlay of overlays
    assert dict(again) == {**dict(merged), "other": 3}


def test_small_reaches_are_merged_into_a_plain_mapping() -> None:
    merged = merge_reaches([{"a": 1}, {"a": 3, "b": 2}])
    assert merged == {"a": 3, "b": 2}
    assert not isinstance(merged, Overlay)


def test_many_identities_delegating_into_one_role_group_score_as_before() -> None:
    rng = random.Random(7)
    roles = [f"role-{n}" for n in range(40)]
    resources = [f"res-{n}" for n in range(600)]
    actions = list(Action)
    grants = [(r, rng.choice(resources), rng.choice(actions)) for r in roles for _ in range(30)]
    grants += [(f"id-{n}", rng.choice(resources), rng.choice(actions)) for n in range(300)]
    delegations = [(roles[n], roles[(n + 1) % len(roles)]) for n in range(len(roles))]
    delegations += [(f"id-{n}", rng.choice(roles)) for n in range(300)]
    uses = [(f"sys-{n // 2}", f"id-{n}") for n in range(300)]
    graph = IdentityGraph(uses=uses, grants=grants, delegations=delegations)
    shared = [isinstance(graph.reach(f"id-{n}"), Overlay) for n in range(300)]
    assert sum(shared) > 50  # many identities add a resource to the group's reach
    scorer = BlastScorer(graph)
    for system in graph.systems:
        summary, full = scorer.system(system), system_blast_radius(graph, system, explain=False)
        assert (summary.raw, summary.score, summary.resources) == (full.raw, full.score,
                                                                   len(full.resources))  # fmt: skip
        expected = _plain([graph.reach(i) for i in graph.identities_of(system)])
        assert graph.system_reach(system) == expected


def test_systems_of_small_plain_reaches_score_as_their_full_blast_radius() -> None:
    rng = random.Random(11)
    resources = [f"res-{n}" for n in range(12)]  # few resources: reaches overlap often
    actions = list(Action)
    grants = [(f"id-{n}", rng.choice(resources), rng.choice(actions)) for n in range(400)]
    delegations = [(f"id-{n}", f"id-{rng.randrange(400)}") for n in range(0, 400, 7)]
    uses = [(f"sys-{n % 150}", f"id-{rng.randrange(420)}") for n in range(420)]
    uses += [(f"solo-{n}", f"id-{n}") for n in range(20)]
    sensitivity = {r: rng.choice([*Sensitivity, None]) for r in resources[:9]}
    graph = IdentityGraph(uses=uses, grants=grants, delegations=delegations,
                          sensitivity=sensitivity)  # fmt: skip
    scorer = BlastScorer(graph)
    sizes = {len(graph.identities_of(system)) for system in graph.systems}
    assert {1, 2, 3} <= sizes  # one, two (the plain pair) and more identities
    for system in graph.systems:
        summary, full = scorer.system(system), system_blast_radius(graph, system, explain=False)
        assert (summary.raw, summary.score, summary.tier, summary.resources, summary.unknown) == (
            full.raw, full.score, full.tier, len(full.resources), full.unknown)  # fmt: skip
