"""Identity exports through the import service: blast radius, linking, coverage and drift."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from app.domain.enums import RiskTier
from app.services.identity_analysis import analyse_all, analyse_system, inventory_drift
from app.services.inventory_import import import_inventory, plan_import
from app.services.workspace import open_workspace

SAMPLES = Path(__file__).parents[2] / "resources" / "samples" / "identity-exports"
AWS = SAMPLES / "aws-authorization-details.json"
ROLE = "arn:aws:iam::210987654321:role/"


@pytest.fixture
def ws(tmp_path):
    workspace = open_workspace(tmp_path / "ws.assay", actor="tester")
    yield workspace
    workspace.close()


def _register(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "register.csv"
    path.write_text("id,name,autonomy,identities\n" + rows)
    return path


def test_agent_that_can_assume_an_admin_role_is_critical_with_its_chain(ws, tmp_path):
    import_inventory(ws, AWS)
    register = _register(
        tmp_path, "AIS-009,Payment reconciliation agent,autonomous,payments-recon-agent\n"
    )
    plan, _ = import_inventory(ws, register)
    assert any("payments-recon-agent" in p.reason and "is 'arn:" in p.reason for p in plan.problems)
    analysis = analyse_system(ws, "AIS-009")
    assert analysis.blast_radius.tier is RiskTier.CRITICAL
    chain = analysis.blast_radius.chain.identities
    assert chain == (
        f"{ROLE}payments-recon-agent",
        f"{ROLE}ledger-batch-operator",
        f"{ROLE}platform-admin",
    )
    assert any(
        p.identities[-1] == f"{ROLE}platform-admin" and p.action.value == "admin"
        for p in analysis.blast_radius.paths()
    )


def test_export_after_register_links_the_register_systems(ws, tmp_path):
    import_inventory(
        ws, _register(tmp_path, "AIS-001,Claims triage agent,autonomous,claims-triage-agent\n")
    )
    plan, _ = import_inventory(ws, SAMPLES / "azure")
    assert any("claims-triage-agent" in p.reason and "AIS-001" in p.reason for p in plan.problems)
    analysis = analyse_system(ws, "AIS-001")
    assert "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60" in analysis.blast_radius.identities
    assert analysis.blast_radius.chain.depth == 2


def test_dry_run_lists_unfound_systems_and_unused_identities(ws, tmp_path):
    import_inventory(ws, SAMPLES / "gcp")
    register = _register(
        tmp_path,
        "AIS-004,Chatbot,autonomous,cs-chatbot@nw-cx-prod.iam.gserviceaccount.com; old-key\n",
    )
    plan = plan_import(ws, register)
    data = plan.to_dict()["coverage"]
    assert data["systems_with_identities_in_no_export"] == {"AIS-004": ["old-key"]}
    unused = data["identities_used_by_no_system"]
    assert "cx-analytics@nw-cx-prod.iam.gserviceaccount.com" in unused
    assert "cx-project-admin@nw-cx-prod.iam.gserviceaccount.com" not in unused  # via delegation


def test_conditional_grants_are_stored_and_reimport_changes_nothing(ws):
    import_inventory(ws, SAMPLES / "kubernetes")
    with ws.db.read() as session:
        flags = (
            session.connection()
            .exec_driver_sql("SELECT conditional, count(*) FROM access_grant GROUP BY conditional")
            .all()
        )
    assert dict(flags) == {0: 6, 1: 1}  # two inherited from cluster-admin over the cluster
    plan = plan_import(ws, SAMPLES / "kubernetes")
    counts = plan.summary()
    assert all(
        counts[e]["creates"] == 0 and counts[e]["updates"] == 0
        for e in ("identities", "resources", "grants", "delegations")
    )
    assert plan.to_dict()["conditional_grants"] == 1


def test_a_role_removed_from_the_export_is_missing_and_drift_shows_it(ws, tmp_path):
    import_inventory(ws, SAMPLES / "kubernetes")  # another platform, never "missing" here
    import_inventory(ws, AWS)
    data = json.loads(AWS.read_text())
    data["RoleDetailList"] = [
        r for r in data["RoleDetailList"] if r["RoleName"] != "partner-audit-readonly"
    ]
    changed = tmp_path / "aws-authorization-details.json"
    changed.write_text(json.dumps(data))
    plan, result = import_inventory(ws, changed, delete_missing=True)
    missing = plan.to_dict()["details"]["identities"]["missing"]
    # the role, and the other account only its trust named; nothing of the Kubernetes import
    assert sorted(missing) == [f"{ROLE}partner-audit-readonly", "arn:aws:iam::555566667777:root"]
    assert result.counts["identities"]["deleted"] == 2
    drift = inventory_drift(ws)
    assert f"{ROLE}partner-audit-readonly" in str(drift.report)


def test_folder_hash_is_stable_and_a_broken_file_refuses_the_import(ws, tmp_path):
    copy = tmp_path / "gcp"
    shutil.copytree(SAMPLES / "gcp", copy)
    first = plan_import(ws, copy).file_sha256
    assert plan_import(ws, SAMPLES / "gcp").file_sha256 == first
    (copy / "service-accounts.json").write_text("[{")
    from app.services.inventory_import import ImportFileError

    with pytest.raises(ImportFileError, match="service-accounts.json, line 1"):
        plan_import(ws, copy)


def test_a_register_identity_the_export_matches_counts_as_found(ws, tmp_path):
    import_inventory(ws, _register(tmp_path, "AIS-009,Agent,autonomous,payments-recon-agent\n"))
    plan = plan_import(ws, AWS)
    assert "AIS-009" not in plan.coverage.unfound
    assert f"{ROLE}payments-recon-agent" not in plan.coverage.unused


def _small_aws_account(tmp_path: Path) -> Path:
    """An account of two roles: a model platform's agent that can assume an admin role."""
    allow = {"Effect": "Allow", "Action": "sts:AssumeRole"}
    export = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "Policies": [],
        "RoleDetailList": [
            {
                "RoleName": "agent",
                "Arn": "arn:aws:iam::411122223333:role/agent",
                "AssumeRolePolicyDocument": {
                    "Statement": [{**allow, "Principal": {"Service": "bedrock.amazonaws.com"}}]
                },
                "RolePolicyList": [
                    {
                        "PolicyName": "hop",
                        "PolicyDocument": {
                            "Statement": [
                                {**allow, "Resource": "arn:aws:iam::411122223333:role/deploy"}
                            ]
                        },
                    }
                ],
            },
            {
                "RoleName": "deploy",
                "Arn": "arn:aws:iam::411122223333:role/deploy",
                "AssumeRolePolicyDocument": {
                    "Statement": [{**allow, "Principal": {"AWS": "arn:aws:iam::411122223333:root"}}]
                },
                "RolePolicyList": [
                    {
                        "PolicyName": "all",
                        "PolicyDocument": {
                            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
                        },
                    }
                ],
            },
        ],
    }
    path = tmp_path / "small-account.json"
    path.write_text(json.dumps(export))
    return path


def test_admin_over_a_whole_account_is_critical_however_few_resources_it_lists(ws, tmp_path):
    import_inventory(ws, _small_aws_account(tmp_path))
    import_inventory(ws, _register(tmp_path, "AI-1,Agent,autonomous,agent\n"))
    radius = analyse_system(ws, "AI-1").blast_radius
    assert len(radius.resources) == 1  # the account alone: raw 16 would score 33, moderate
    assert radius.tier is RiskTier.CRITICAL
    assert radius.chain.identities == (
        "arn:aws:iam::411122223333:role/agent",
        "arn:aws:iam::411122223333:role/deploy",
    )
    assert analyse_all(ws).get("AI-1").tier is RiskTier.CRITICAL  # the portfolio's fast path


def test_coverage_names_opaque_entra_ids_by_their_display_names(ws, tmp_path):
    import_inventory(ws, SAMPLES / "azure")
    plan = plan_import(ws, _register(tmp_path, "AIS-7,Pilot,advisory,svc-pilot\n"))
    agent = "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60"
    assert agent in plan.coverage.unused
    assert plan.coverage.label(agent) == f"claims-triage-agent ({agent})"
    assert plan.coverage.label("svc-pilot") == "svc-pilot"
    assert plan.to_dict()["coverage"]["identity_labels"][agent].startswith("claims-triage-agent")


def test_conditional_grant_holders_are_named_too(ws):
    plan = plan_import(ws, SAMPLES / "azure")
    holders = [r.key[0] for r in plan.resolved.records["grants"] if r.values.get("conditional")]
    agent = "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60"
    assert agent in holders
    assert plan.coverage.label(agent) == f"claims-triage-agent ({agent})"
