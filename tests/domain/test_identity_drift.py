"""Drift between inventory snapshots: new, removed and widened identities, grants, delegations."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.domain.drift import (
    SnapshotError,
    compare_inventories,
    compare_snapshots,
    facts_from_snapshot,
    snapshot_of,
)
from app.domain.enums import Action, Autonomy, IdentityKind, Sensitivity
from app.domain.inventory_facts import (
    DelegationFacts,
    GrantFacts,
    IdentityFacts,
    InventoryFacts,
    ResourceFacts,
    SystemFacts,
)


def before() -> InventoryFacts:
    return InventoryFacts.of(
        systems=[
            SystemFacts("AIS-1", owner="ann", autonomy=Autonomy.AUTONOMOUS, identities=("svc",)),
            SystemFacts("AIS-old", identities=("legacy",)),
        ],
        identities=[
            IdentityFacts("svc", kind=IdentityKind.SERVICE_ACCOUNT, last_used=dt.date(2026, 1, 2)),
            IdentityFacts("role"),
            IdentityFacts("legacy"),
        ],
        resources=[
            ResourceFacts("db", sensitivity=Sensitivity.RESTRICTED),
            ResourceFacts("wiki", sensitivity=Sensitivity.INTERNAL),
        ],
        grants=[
            GrantFacts("svc", "wiki", Action.READ),
            GrantFacts("role", "db", Action.READ, scope="db:select"),
        ],
        delegations=[DelegationFacts("legacy", "role")],
    )


def after() -> InventoryFacts:
    facts = before()
    facts.systems.pop("AIS-old")
    facts.identities.pop("legacy")
    facts.identities["bot"] = IdentityFacts("bot")
    facts.systems["AIS-2"] = SystemFacts("AIS-2", identities=("bot",))
    facts.grants = [
        GrantFacts("svc", "wiki", Action.READ, scope="wiki:*"),
        GrantFacts("role", "db", Action.WRITE, scope="db:select"),
        GrantFacts("bot", "wiki", Action.READ),
    ]
    facts.delegations = [DelegationFacts("svc", "role")]
    return facts


def test_nothing_changed_is_empty() -> None:
    report = compare_inventories(before(), before())
    assert report.is_empty
    assert set(report.counts().values()) == {0}


def test_added_removed_and_widened() -> None:
    report = compare_inventories(before(), after())
    assert report.systems_added == ("AIS-2",)
    assert report.systems_removed == ("AIS-old",)
    assert report.identities_added == ("bot",)
    assert report.identities_removed == ("legacy",)
    assert report.grants_added == ("bot → wiki (read)",)
    assert report.grants_removed == ()
    assert [(w.subject, w.gained) for w in report.grants_widened] == [
        ("role → db", ("read → write",)),
        ("svc → wiki", ("scope became wildcard or admin",)),
    ]
    assert report.delegations_added == ("svc → role (assume-role)",)
    assert report.delegations_removed == ("legacy → role (assume-role)",)
    widened = {w.subject: w.gained for w in report.identities_widened}
    assert widened == {"role": ("db: read → write",), "svc": ("db: new (write)",)}
    assert [s for s, _, _ in report.scores_raised] == ["AIS-1"]
    system, old, new = report.scores_raised[0]
    assert new > old


def test_snapshot_round_trip() -> None:
    facts = after()
    facts.identities["svc"] = dataclasses.replace(
        facts.identities["svc"], expires=dt.date(2027, 1, 1), owner="ann@example.org"
    )
    again = facts_from_snapshot(snapshot_of(facts))
    assert again.identities == facts.identities
    assert again.resources == facts.resources
    assert again.systems == facts.systems
    assert sorted(again.grants, key=repr) == sorted(facts.grants, key=repr)
    assert compare_inventories(facts, again).is_empty


def test_snapshot_in_the_importer_shape_is_read() -> None:
    stored = {
        "version": 1,
        "systems": {"AIS-1": {"name": "Bot", "owner_email": None, "owner_name": "Ann",
                              "autonomy": "autonomous", "tools": ["x"], "attributes": {}}},
        "identities": {"svc": {"kind": "api-key", "owner_email": "a@x", "owner_name": "A",
                               "last_rotated": "2025-05-01", "expires": None},
                       "odd": {"kind": "not-a-kind"}},
        "resources": {"db": {"sensitivity": "restricted", "kind": "database"}},
        "grants": [["svc", "db", "write", "", None, True, "2026-01-01"]],
        "delegations": [["odd", "svc", "impersonate"]],
        "links": [["AIS-1", "svc"]],
    }  # fmt: skip
    facts = facts_from_snapshot(stored)
    assert facts.systems["AIS-1"].owner == "Ann"
    assert facts.systems["AIS-1"].identities == ("svc",)
    assert facts.identities["svc"].owner == "a@x"
    assert facts.identities["svc"].last_rotated == dt.date(2025, 5, 1)
    assert facts.identities["odd"].kind is None
    assert facts.grants[0].last_used == dt.date(2026, 1, 1)
    assert facts.grants[0].approval_required is None
    assert compare_snapshots(stored, stored).is_empty


@pytest.mark.parametrize(
    "snapshot",
    [{}, {"version": 2}, {"version": 1, "systems": {}}, {"version": 1, "systems": [1]}],
)
def test_unreadable_snapshot_raises(snapshot) -> None:
    with pytest.raises(SnapshotError):
        facts_from_snapshot(snapshot)
