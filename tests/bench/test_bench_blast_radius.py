"""Blast radius of every system of a 10,000-system workspace (20,000 identities, 50,000 grants).

Prints the time of the pure computation (graph build + every system's blast radius), of the
whole service call (bulk SELECTs included), with explaining paths, and of a hygiene refresh.
Aims: the identity findings refresh <= 1.5 s, and <= 0.3 s when nothing changed.
"""

from __future__ import annotations

import os
import random
import statistics
import time

import sqlalchemy as sa

from app.domain.blast_radius import BlastScorer, system_blast_radius
from app.domain.identity_graph import IdentityGraph
from app.services import identity_analysis
from app.services.workspace import open_workspace
from app.storage.models import AISystem, Delegation, Grant, Identity, Resource, SystemIdentity

SYSTEMS, IDENTITIES, GRANTS, RESOURCES, ROLES, DELEGATIONS = (
    10_000,
    20_000,
    50_000,
    5_000,
    2_000,
    6_000,
)
RUNS = 5
_AUTONOMY = ["advisory", "human-in-the-loop", "human-on-the-loop", "autonomous"]
_SENSITIVITY = ["public", "internal", "confidential", "restricted", None]
_ACTIONS = ["read", "read", "read", "execute", "write", "admin"]
_KINDS = ["service-account", "api-key", "oauth-client", "agent-identity"]


def _seed(ws, rng: random.Random) -> None:
    roles = range(IDENTITIES - ROLES + 1, IDENTITIES + 1)
    with ws.db.write() as session:
        session.execute(
            sa.insert(Resource),
            [
                {
                    "external_id": f"res-{k:05}",
                    "sensitivity": rng.choice(_SENSITIVITY),
                    "environment": "production",
                    "attributes": {},
                }
                for k in range(RESOURCES)
            ],
        )
        session.execute(
            sa.insert(Identity),
            [
                {
                    "external_id": f"id-{k:05}",
                    "attributes": {},
                    "kind": "role" if k > IDENTITIES - ROLES else rng.choice(_KINDS),
                    "last_rotated": None,
                    "revocation_procedure": "" if k % 3 else "runbook",
                }
                for k in range(1, IDENTITIES + 1)
            ],
        )
        session.execute(
            sa.insert(AISystem),
            [
                {
                    "external_id": f"AIS-{k:05}",
                    "name": f"System {k}",
                    "tools": [],
                    "tags": [],
                    "attributes": {},
                    "autonomy": rng.choice(_AUTONOMY),
                    "data_classification": rng.choice(_SENSITIVITY[:4]),
                }
                for k in range(SYSTEMS)
            ],
        )
        links = {(s, s) for s in range(1, SYSTEMS + 1)}
        links |= {(s, SYSTEMS + s) for s in range(1, SYSTEMS + 1, 3)}
        session.execute(
            sa.insert(SystemIdentity),
            [{"system_id": s, "identity_id": i} for s, i in sorted(links)],
        )
        grants = set()
        while len(grants) < GRANTS:
            grants.add(
                (rng.randint(1, IDENTITIES), rng.randint(1, RESOURCES), rng.choice(_ACTIONS))
            )
        session.execute(
            sa.insert(Grant),
            [
                {"identity_id": i, "resource_id": r, "action": a, "scope": "", "attributes": {}}
                for i, r, a in grants
            ],
        )
        delegations = set()
        while len(delegations) < DELEGATIONS:
            source = rng.choice(roles) if rng.random() < 0.3 else rng.randint(1, IDENTITIES)
            target = rng.choice(roles)
            if source != target:
                delegations.add((source, target))
        session.execute(sa.insert(Delegation), [
            {"from_identity_id": s, "to_identity_id": t, "kind": "assume-role"}
            for s, t in delegations])  # fmt: skip


def _timed(label: str, func):
    start, start_cpu = time.perf_counter(), time.process_time()
    result = func()
    _timed.last = time.perf_counter() - start
    print(f"{label}: {_timed.last:.3f} s wall, {time.process_time() - start_cpu:.3f} s CPU")
    return result


def test_blast_radius_of_every_system(tmp_path, aims) -> None:
    ws = open_workspace(tmp_path / "bench.assay", actor="bench")
    try:
        _seed(ws, random.Random(8596))
        runs, cpu = [], []
        for _ in range(RUNS):
            start, start_cpu = time.perf_counter(), time.process_time()
            portfolio = identity_analysis.analyse_all(ws)
            runs.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        print(
            f"\nanalyse_all, every system's blast radius and risk tier (bulk SELECTs + graph + "
            f"scores): median {statistics.median(runs):.3f} s wall, "
            f"{statistics.median(cpu):.3f} s CPU over {RUNS} runs "
            f"(wall {', '.join(f'{r:.3f}' for r in runs)}; load average "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        loaded, _ = identity_analysis.load_graph(ws)
        facts = loaded.facts
        print(
            f"workspace: {len(facts.systems)} systems, {len(facts.identities)} identities, "
            f"{len(facts.grants)} grants, {len(facts.delegations)} delegations"
        )

        def pure() -> list:
            scorer = BlastScorer(IdentityGraph.from_facts(facts))
            return [scorer.system(s) for s in facts.systems]

        results = _timed("computation only (graph from facts + scores)", pure)

        def explained() -> list:
            graph = IdentityGraph.from_facts(facts)
            return [system_blast_radius(graph, s) for s in facts.systems]

        with_paths = _timed("every system with per-resource detail and paths", explained)
        refresh = _timed(
            "refresh_identity_findings (first run)",
            lambda: identity_analysis.refresh_identity_findings(ws),
        )
        aims.check("identity findings refresh, 10,000 systems", _timed.last, 1.5)
        _timed("refresh_identity_findings (again, no change)",
               lambda: identity_analysis.refresh_identity_findings(ws))  # fmt: skip
        aims.check("identity findings refresh, nothing changed", _timed.last, 0.3)
        print(
            f"scores: max {max(r.score or 0 for r in results)}, "
            f"critical {sum(r.tier is not None and r.tier.value == 'critical' for r in results)}, "
            f"unknown {sum(r.score is None for r in results)}, "
            f"deepest chain {max(r.chain_depth for r in results)}, findings {refresh.created}"
        )
        assert len(portfolio.systems) == SYSTEMS
        assert [r.score for r in results] == [r.score for r in with_paths]
        assert [r.raw for r in results] == [r.raw for r in with_paths]
        assert all(r.paths() for r in with_paths if r.resources)
    finally:
        ws.close()
