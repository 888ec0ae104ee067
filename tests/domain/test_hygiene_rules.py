"""Identity hygiene rules: each fires past its threshold and stays silent at it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.enums import (
    Action,
    Autonomy,
    Environment,
    IdentityKind,
    Sensitivity,
    Severity,
)
from app.domain.hygiene import RULES, HygieneSettings, evaluate_hygiene, rule_by_id
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
PROD = Environment.PRODUCTION


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def clean_identity(ext_id: str = "svc-1", **changes) -> IdentityFacts:
    base = IdentityFacts(
        ext_id,
        name="claims service",
        kind=IdentityKind.SERVICE_ACCOUNT,
        owner="ann@example.org",
        environment=PROD,
        created=days_ago(30),
        last_rotated=days_ago(10),
        last_used=days_ago(1),
        expires=TODAY + dt.timedelta(days=60),
        revocation_procedure="disable in IAM console, runbook RB-7",
    )
    return dataclasses.replace(base, **changes)


def clean_system(ext_id: str = "AIS-1", identities=("svc-1",), **changes) -> SystemFacts:
    base = SystemFacts(
        ext_id,
        name="Claims bot",
        owner="bob@example.org",
        autonomy=Autonomy.ADVISORY,
        environment=PROD,
        data_classification=Sensitivity.INTERNAL,
        identities=tuple(identities),
    )
    return dataclasses.replace(base, **changes)


def inventory(
    systems=None, identities=None, resources=None, grants=None, delegations=()
) -> InventoryFacts:
    return InventoryFacts.of(
        systems=systems if systems is not None else [clean_system()],
        identities=identities if identities is not None else [clean_identity()],
        resources=resources
        if resources is not None
        else [ResourceFacts("wiki", environment=PROD, sensitivity=Sensitivity.INTERNAL)],
        grants=grants if grants is not None else [GrantFacts("svc-1", "wiki", Action.READ)],
        delegations=delegations,
    )


def rule_ids(facts: InventoryFacts, settings: HygieneSettings | None = None) -> list[str]:
    return [f.rule_id for f in evaluate_hygiene(facts, today=TODAY, settings=settings)]


def test_clean_inventory_has_no_findings() -> None:
    assert rule_ids(inventory()) == []


def test_every_rule_cites_owasp_and_has_a_unique_id() -> None:
    ids = [rule.rule_id for rule in RULES]
    assert len(ids) == len(set(ids)) == 15
    for rule in RULES:
        assert rule.references
        assert all(ref.startswith("OWASP ") for ref in rule.references)
        assert rule_by_id(rule.rule_id) is rule


def test_no_owner_for_identity_and_system() -> None:
    facts = inventory(systems=[clean_system(owner="")], identities=[clean_identity(owner="  ")])
    findings = evaluate_hygiene(facts, today=TODAY)
    assert [(f.rule_id, f.system, f.identity) for f in findings] == [
        ("system-no-owner", "AIS-1", None),
        ("identity-no-owner", None, "svc-1"),
    ]
    assert findings[0].severity is Severity.HIGH
    assert "OWASP NHI1:2025" in findings[1].references


@pytest.mark.parametrize(("age", "fires"), [(90, False), (91, True)])
def test_rotation_threshold(age: int, fires: bool) -> None:
    facts = inventory(identities=[clean_identity(last_rotated=days_ago(age))])
    assert ("key-not-rotated" in rule_ids(facts)) is fires


def test_rotation_uses_creation_date_and_setting_and_grows_severe() -> None:
    never = clean_identity(last_rotated=None, created=days_ago(40))
    assert "key-not-rotated" not in rule_ids(inventory(identities=[never]))
    strict = HygieneSettings(rotation_days=30)
    assert "key-not-rotated" in rule_ids(inventory(identities=[never]), strict)
    stale = evaluate_hygiene(
        inventory(identities=[clean_identity(last_rotated=days_ago(181))]), today=TODAY
    )
    assert stale[0].severity is Severity.HIGH
    assert "181 days" in stale[0].title


def test_rotation_does_not_apply_to_roles() -> None:
    role = clean_identity(kind=IdentityKind.ROLE, last_rotated=days_ago(400), expires=None)
    assert rule_ids(inventory(identities=[role])) == []


@pytest.mark.parametrize(("idle", "fires"), [(90, False), (91, True)])
def test_unused_identity_threshold(idle: int, fires: bool) -> None:
    facts = inventory(identities=[clean_identity(last_used=days_ago(idle))])
    assert ("identity-unused" in rule_ids(facts)) is fires


def test_identity_never_used_counts_from_creation() -> None:
    old = clean_identity(last_used=None, created=days_ago(91), last_rotated=days_ago(5))
    young = clean_identity(last_used=None, created=days_ago(90), last_rotated=days_ago(5))
    assert "identity-unused" in rule_ids(inventory(identities=[old]))
    assert "identity-unused" not in rule_ids(inventory(identities=[young]))


@pytest.mark.parametrize(("idle", "fires"), [(90, False), (91, True)])
def test_unused_grant_threshold(idle: int, fires: bool) -> None:
    grant = GrantFacts("svc-1", "wiki", Action.READ, last_used=days_ago(idle))
    assert ("grant-unused" in rule_ids(inventory(grants=[grant]))) is fires


@pytest.mark.parametrize(
    ("action", "scope", "fires"),
    [
        (Action.READ, "wiki:pages/read", False),
        (Action.WRITE, "", False),
        (Action.READ, "s3:*", True),
        (Action.WRITE, "Full Access", True),
        (Action.ADMIN, "", True),
    ],
)
def test_wildcard_or_admin_scope(action: Action, scope: str, fires: bool) -> None:
    grant = GrantFacts("svc-1", "wiki", action, scope=scope)
    assert ("wildcard-or-admin-scope" in rule_ids(inventory(grants=[grant]))) is fires


def test_admin_on_restricted_data_is_critical() -> None:
    facts = inventory(
        resources=[ResourceFacts("vault", environment=PROD, sensitivity=Sensitivity.RESTRICTED)],
        grants=[GrantFacts("svc-1", "vault", Action.ADMIN)],
    )
    (finding,) = evaluate_hygiene(facts, today=TODAY)
    assert (finding.rule_id, finding.severity) == ("wildcard-or-admin-scope", Severity.CRITICAL)


def test_admin_detail_names_each_scope_once_and_counts_resources_by_kind() -> None:
    sub = "/subscriptions/s1"
    groups = [f"{sub}/resourceGroups/rg-{n}" for n in range(3)]
    leaves = [f"{groups[0]}/providers/x/{name}" for name in ("oai", "kv", "st", "mi")]
    resources = [
        ResourceFacts(sub, name="s1", kind="Azure subscription"),
        *(ResourceFacts(g, name=g.rsplit("/", 1)[1], kind="Azure resource group") for g in groups),
        *(ResourceFacts(r, name=r.rsplit("/", 1)[1], kind="Microsoft.X/things") for r in leaves),
    ]
    grants = [
        GrantFacts("svc-1", sub, Action.ADMIN, scope="Owner"),
        *(GrantFacts("svc-1", r, Action.ADMIN, scope="Owner (via s1)") for r in groups + leaves),
        GrantFacts("svc-1", "bucket", Action.READ, scope="s3:*"),
    ]
    (finding,) = evaluate_hygiene(inventory(resources=resources, grants=grants), today=TODAY)
    assert finding.detail == (
        "svc-1 has admin rights or an all-encompassing scope: Owner (admin) on 1 Azure "
        "subscription, 3 Azure resource groups and 4 resources: s1, rg-0, rg-1 and 5 "
        "more (7 inherited from s1); scope 's3:*' (read) on bucket."
    )
    assert finding.detail.count("Owner") == 1


def test_no_revocation_procedure() -> None:
    facts = inventory(identities=[clean_identity(revocation_procedure=" ")])
    assert rule_ids(facts) == ["no-revocation-procedure"]


def _autonomous(sensitivity, action, approval, autonomy=Autonomy.AUTONOMOUS, via_role=False):
    holder = "role-1" if via_role else "svc-1"
    identities = [clean_identity()]
    if via_role:
        identities.append(clean_identity("role-1", kind=IdentityKind.ROLE, expires=None))
    return inventory(
        systems=[clean_system(autonomy=autonomy)],
        identities=identities,
        resources=[ResourceFacts("db", environment=PROD, sensitivity=sensitivity)],
        grants=[GrantFacts(holder, "db", action, approval_required=approval)],
        delegations=[DelegationFacts("svc-1", "role-1")] if via_role else [],
    )


@pytest.mark.parametrize(
    ("sensitivity", "action", "approval", "autonomy", "fires"),
    [
        (Sensitivity.CONFIDENTIAL, Action.WRITE, None, Autonomy.AUTONOMOUS, True),
        (Sensitivity.RESTRICTED, Action.WRITE, False, Autonomy.AUTONOMOUS, True),
        (None, Action.WRITE, None, Autonomy.AUTONOMOUS, True),
        (Sensitivity.CONFIDENTIAL, Action.WRITE, True, Autonomy.AUTONOMOUS, False),
        (Sensitivity.CONFIDENTIAL, Action.EXECUTE, None, Autonomy.AUTONOMOUS, False),
        (Sensitivity.INTERNAL, Action.WRITE, None, Autonomy.AUTONOMOUS, False),
        (Sensitivity.RESTRICTED, Action.WRITE, None, Autonomy.HUMAN_ON_THE_LOOP, False),
    ],
)
def test_autonomous_write_without_approval(sensitivity, action, approval, autonomy, fires) -> None:
    facts = _autonomous(sensitivity, action, approval, autonomy)
    assert ("autonomous-write-without-approval" in rule_ids(facts)) is fires


def test_autonomous_write_through_delegation_on_restricted_is_critical() -> None:
    facts = _autonomous(Sensitivity.RESTRICTED, Action.WRITE, None, via_role=True)
    findings = [
        f for f in evaluate_hygiene(facts, today=TODAY)
        if f.rule_id == "autonomous-write-without-approval"
    ]  # fmt: skip
    assert len(findings) == 1
    assert findings[0].severity is Severity.CRITICAL
    assert "role-1 holds write (restricted) on db." in findings[0].detail


def test_identity_shared_by_several_systems() -> None:
    one = inventory(systems=[clean_system("AIS-1")])
    two = inventory(systems=[clean_system("AIS-1"), clean_system("AIS-2")])
    assert "identity-shared-by-systems" not in rule_ids(one)
    (finding,) = [f for f in evaluate_hygiene(two, today=TODAY)
                  if f.rule_id == "identity-shared-by-systems"]  # fmt: skip
    assert "AIS-1, AIS-2" in finding.detail
    assert finding.references[0] == "OWASP NHI9:2025"


def test_identity_across_environments() -> None:
    facts = inventory(
        systems=[clean_system("AIS-1"), clean_system("AIS-2", environment=Environment.TEST)]
    )
    findings = {f.rule_id: f for f in evaluate_hygiene(facts, today=TODAY)}
    assert findings["identity-across-environments"].severity is Severity.HIGH
    dev_only = inventory(
        identities=[clean_identity(environment=Environment.DEVELOPMENT)],
        systems=[clean_system(environment=Environment.TEST)],
        resources=[ResourceFacts("wiki", environment=Environment.TEST)],
    )
    findings = {f.rule_id: f for f in evaluate_hygiene(dev_only, today=TODAY)}
    assert findings["identity-across-environments"].severity is Severity.MEDIUM


def test_identity_across_environments_needs_two_environments_on_its_own_paths() -> None:
    """One environment everywhere, or a second one only elsewhere, fires nothing."""
    one = inventory(
        identities=[clean_identity(environment=Environment.TEST)],
        systems=[clean_system(environment=Environment.TEST)],
        resources=[ResourceFacts("wiki", environment=Environment.TEST)],
    )
    assert "identity-across-environments" not in rule_ids(one)
    elsewhere = inventory(
        identities=[clean_identity(environment=Environment.TEST)],
        systems=[clean_system(environment=Environment.TEST)],
        resources=[ResourceFacts("wiki", environment=Environment.TEST),
                   ResourceFacts("ledger", environment=Environment.PRODUCTION)],
    )  # fmt: skip
    assert "identity-across-environments" not in rule_ids(elsewhere)


def _chain_of(hops: int) -> InventoryFacts:
    names = ["svc-1"] + [f"role-{k}" for k in range(hops)]
    identities = [clean_identity()] + [
        clean_identity(n, kind=IdentityKind.ROLE, expires=None) for n in names[1:]
    ]
    delegations = [DelegationFacts(a, b) for a, b in zip(names, names[1:], strict=False)]
    return inventory(identities=identities, delegations=delegations)


@pytest.mark.parametrize(("hops", "fires"), [(3, False), (4, True)])
def test_delegation_chain_depth_threshold(hops: int, fires: bool) -> None:
    assert ("delegation-chain-too-deep" in rule_ids(_chain_of(hops))) is fires


def test_delegation_chain_limit_from_settings_and_cycle() -> None:
    assert "delegation-chain-too-deep" in rule_ids(
        _chain_of(2), HygieneSettings(max_delegation_depth=1)
    )
    looped = _chain_of(2)
    looped.delegations.append(DelegationFacts("role-1", "svc-1"))
    findings = evaluate_hygiene(
        looped, today=TODAY, settings=HygieneSettings(max_delegation_depth=1)
    )
    (deep,) = [f for f in findings if f.rule_id == "delegation-chain-too-deep"]
    assert "svc-1 → role-0 → role-1" in deep.detail


@pytest.mark.parametrize(("offset", "fires"), [(0, False), (-1, True)])
def test_expired_credential(offset: int, fires: bool) -> None:
    facts = inventory(identities=[clean_identity(expires=TODAY + dt.timedelta(days=offset))])
    assert ("credential-expired" in rule_ids(facts)) is fires


@pytest.mark.parametrize(("ahead", "fires"), [(365, False), (366, True)])
def test_credential_valid_too_far_ahead(ahead: int, fires: bool) -> None:
    facts = inventory(identities=[clean_identity(expires=TODAY + dt.timedelta(days=ahead))])
    assert ("credential-never-expires" in rule_ids(facts)) is fires


def test_never_expiring_secret_but_not_role() -> None:
    assert rule_ids(inventory(identities=[clean_identity(expires=None)])) == [
        "credential-never-expires"
    ]
    role = clean_identity(kind=IdentityKind.ROLE, expires=None)
    assert rule_ids(inventory(identities=[role])) == []


def test_human_credential_used_by_ai_directly_or_through_delegation() -> None:
    human = clean_identity("jane", kind=IdentityKind.HUMAN_USER)
    direct = inventory(identities=[human], systems=[clean_system(identities=("jane",))],
                       grants=[])  # fmt: skip
    found = evaluate_hygiene(direct, today=TODAY)
    assert {f.rule_id for f in found} == {"human-credential-used-by-ai", "access-not-recorded"}
    (finding,) = [f for f in found if f.rule_id == "human-credential-used-by-ai"]
    assert (finding.rule_id, finding.system, finding.identity) == (
        "human-credential-used-by-ai",
        "AIS-1",
        "jane",
    )
    delegated = inventory(
        identities=[clean_identity(), human], delegations=[DelegationFacts("svc-1", "jane")]
    )
    (finding,) = evaluate_hygiene(delegated, today=TODAY)
    assert "through svc-1 → jane" in finding.detail
    unused = inventory(identities=[clean_identity(), human])
    assert rule_ids(unused) == []


def test_keys_are_stable_and_unique_per_subject() -> None:
    facts = inventory(
        systems=[clean_system("AIS-1", owner=""), clean_system("AIS-2", owner="")],
        identities=[clean_identity(owner="")],
    )
    first = evaluate_hygiene(facts, today=TODAY)
    second = evaluate_hygiene(facts, today=TODAY)
    assert [f.key for f in first] == [f.key for f in second]
    assert len({f.key for f in first}) == len(first)
    assert "identity-rule:system-no-owner:AIS-2:-" in {f.key for f in first}


def test_settings_read_from_workspace_values() -> None:
    settings = HygieneSettings.from_settings(
        {"hygiene.rotation_days": 30, "hygiene.max_delegation_depth": 5, "other": 1}
    )
    assert settings == HygieneSettings(rotation_days=30, max_delegation_depth=5)


def test_findings_sorted_most_severe_first() -> None:
    facts = inventory(
        systems=[clean_system(owner="")],
        identities=[clean_identity(owner="", revocation_procedure="")],
        grants=[GrantFacts("svc-1", "wiki", Action.READ, last_used=days_ago(200))],
    )
    severities = [f.severity for f in evaluate_hygiene(facts, today=TODAY)]
    order = list(Severity)
    assert severities == sorted(severities, key=order.index, reverse=True)


_ID = st.sampled_from(["i0", "i1", "i2", "i3", "i4"])
_RES = st.sampled_from(["r0", "r1", "r2"])
_DAY = st.one_of(st.none(), st.integers(-400, 400).map(days_ago))


@st.composite
def inventories(draw) -> InventoryFacts:
    identities = [
        IdentityFacts(
            ext_id,
            kind=draw(st.one_of(st.none(), st.sampled_from(IdentityKind))),
            owner=draw(st.sampled_from(["", "ann"])),
            environment=draw(st.one_of(st.none(), st.sampled_from(Environment))),
            created=draw(_DAY),
            last_rotated=draw(_DAY),
            last_used=draw(_DAY),
            expires=draw(_DAY),
            revocation_procedure=draw(st.sampled_from(["", "runbook"])),
        )
        for ext_id in ["i0", "i1", "i2", "i3", "i4"]
    ]
    systems = [
        SystemFacts(
            ext_id,
            owner=draw(st.sampled_from(["", "bob"])),
            autonomy=draw(st.one_of(st.none(), st.sampled_from(Autonomy))),
            environment=draw(st.one_of(st.none(), st.sampled_from(Environment))),
            identities=tuple(draw(st.lists(_ID, max_size=2, unique=True))),
        )
        for ext_id in ["S0", "S1", "S2"]
    ]
    resources = [
        ResourceFacts(
            ext_id,
            environment=draw(st.one_of(st.none(), st.sampled_from(Environment))),
            sensitivity=draw(st.one_of(st.none(), st.sampled_from(Sensitivity))),
        )
        for ext_id in ["r0", "r1", "r2"]
    ]
    grants = draw(
        st.lists(
            st.builds(
                GrantFacts,
                _ID,
                _RES,
                st.sampled_from(Action),
                st.sampled_from(["", "*", "read"]),
                st.one_of(st.none(), st.booleans()),
                _DAY,
            ),
            max_size=8,
        )
    )
    delegations = draw(st.lists(st.builds(DelegationFacts, _ID, _ID), max_size=7))
    return InventoryFacts.of(systems, identities, resources, grants, delegations)


@settings(max_examples=60, deadline=None)
@given(facts=inventories())
def test_neighbourhood_gives_the_same_findings_as_the_whole(facts) -> None:
    strict = HygieneSettings(max_delegation_depth=1)
    everything = evaluate_hygiene(facts, today=TODAY, settings=strict)
    graph = IdentityGraph.from_facts(facts)
    for system in facts.systems.values():
        reached = set(graph.delegation_paths(system.identities))
        part = facts.neighbourhood(reached, [system.ext_id])
        local = evaluate_hygiene(part, today=TODAY, settings=strict)

        def mine(findings, system=system, reached=reached):
            return [
                f.key for f in findings
                if f.system == system.ext_id or (f.system is None and f.identity in reached)
            ]  # fmt: skip

        assert mine(local) == mine(everything)
    for identity in facts.identities:
        local = evaluate_hygiene(facts.neighbourhood({identity}), today=TODAY, settings=strict)
        about = [f.key for f in everything if f.system is None and f.identity == identity]
        assert [f.key for f in local if f.system is None and f.identity == identity] == about
