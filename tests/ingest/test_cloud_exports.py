"""Identity-platform exports: each reader on the samples and on malformed files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from app.ingest.cloud.reader import read_exports
from app.ingest.pipeline import parse_inventory
from app.ingest.problems import IngestError

SAMPLES = Path(__file__).parents[2] / "resources" / "samples" / "identity-exports"
AWS = SAMPLES / "aws-authorization-details.json"
A = "arn:aws:iam::210987654321:"


def _grants(inv):
    return {g.key: g for g in inv.records["grants"]}


def _delegations(inv):
    return {(d.key[0], d.key[1]) for d in inv.records["delegations"]}


def test_aws_sample_reads_principals_policies_chain_deny_and_condition():
    inv = parse_inventory(AWS)
    assert inv.format == "aws-authorization-details"
    assert not inv.errors
    ids = {r.key[0] for r in inv.records["identities"]}
    assert {f"{A}role/payments-recon-agent", f"{A}user/oscar.lind", "bedrock.amazonaws.com"} <= ids
    delegations = _delegations(inv)
    assert ("bedrock.amazonaws.com", f"{A}role/payments-recon-agent") in delegations
    assert (f"{A}role/payments-recon-agent", f"{A}role/ledger-batch-operator") in delegations
    assert (f"{A}role/ledger-batch-operator", f"{A}role/platform-admin") in delegations
    assert ("arn:aws:iam::555566667777:root", f"{A}role/partner-audit-readonly") in delegations
    grants = _grants(inv)
    admin = grants[
        (
            f"{A}role/platform-admin",
            "aws-account:210987654321",
            "admin",
            "policy AdministratorAccess",
        )
    ]
    assert admin.values["conditional"] is False
    ledger = grants[
        (
            f"{A}role/ledger-batch-operator",
            "arn:aws:dynamodb:eu-west-1:210987654321:table/ledger",
            "write",
            "policy ledger-batch-operations",
        )
    ]
    assert ledger.values["conditional"] is True
    assert "NoLedgerDeletes" in ledger.attributes["denied_by"][0]
    kms = [g for k, g in grants.items() if k[0].endswith("mia.data") and ":kms:" in k[1]]
    assert kms[0].values["conditional"]
    assert "kms:ViaService" in kms[0].attributes["conditions"][0]
    group = [k for k in grants if k[0].endswith("oscar.lind")]
    assert group
    assert group[0][3].startswith("group platform-engineers")
    role = next(r for r in inv.records["identities"] if r.key[0].endswith("payments-recon-agent"))
    assert str(role.values["last_used"]) == "2026-12-05"
    assert role.values["owner_email"] == "priya.natarajan@northwind-mutual.example"


def test_aws_default_version_is_the_one_read():
    inv = read_exports(AWS)
    actions = {
        a
        for k, g in _grants(inv).items()
        if "ledger-batch" in k[0]
        for a in g.attributes["actions"]
    }
    assert "dynamodb:PutItem" in actions  # v2 is the default; v1 only reads


@pytest.mark.parametrize(
    ("folder", "start", "end"),
    [
        ("azure", "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60", "c41e7f2b-9a3d-4b65-8e0c-5d2a1f7b9e34"),
        (
            "gcp",
            "cs-chatbot@nw-cx-prod.iam.gserviceaccount.com",
            "cx-project-admin@nw-cx-prod.iam.gserviceaccount.com",
        ),
        (
            "kubernetes",
            "k8s:nw-prod-eks:serviceaccount:remediation:vuln-agent",
            "k8s:nw-prod-eks:serviceaccount:platform:ci-admin",
        ),
    ],
)
def test_each_platform_sample_has_a_two_hop_chain_and_conditional_grants(folder, start, end):
    inv = parse_inventory(SAMPLES / folder)
    assert not inv.errors, inv.errors
    hops = {}
    for source, target in _delegations(inv):
        hops.setdefault(source, set()).add(target)
    middle = hops[start]
    assert any(end in hops.get(m, set()) for m in middle)
    assert any(g.values["conditional"] for g in inv.records["grants"])
    assert len(inv.records["identities"]) >= 4


def test_azure_reads_credentials_end_dates_and_role_strengths():
    inv = read_exports(SAMPLES / "azure")
    agent = next(
        r for r in inv.records["identities"] if r.values.get("name") == "claims-triage-agent"
    )
    assert str(agent.values["expires"]) == "2027-01-15"
    actions = {k[3]: k[2] for k in _grants(inv)}
    assert actions["Owner"] == "admin"
    assert actions["Cognitive Services OpenAI User"] == "execute"
    assert actions["Storage Blob Data Reader"] == "read"
    kinds = {r.values.get("name"): r.values.get("kind") for r in inv.records["resources"]}
    assert kinds["mg-northwind"] == "Azure management group"
    assert kinds["rg-claims-ai"] == "Azure resource group"


def test_gcp_reads_keys_deny_and_conditions():
    inv = read_exports(SAMPLES / "gcp")
    keys = [r for r in inv.records["identities"] if r.values.get("kind") == "api-key"]
    assert len(keys) == 1
    assert keys[0].attributes["never_expires"] is True
    owner = next(
        g for g in inv.records["grants"] if g.key[3] == "roles/owner" and "cx-project" in g.key[0]
    )
    assert owner.values["conditional"]
    assert "no-iam-changes-by-bots" in owner.attributes["denied_by"][0]
    assert any("inferred" in p.reason for p in inv.problems)


def test_kubernetes_yaml_reads_like_json(tmp_path):
    data = json.loads((SAMPLES / "kubernetes" / "nw-prod-eks.json").read_text())
    target = tmp_path / "nw-prod-eks.yaml"
    target.write_text(yaml.safe_dump(data))
    from_json = read_exports(SAMPLES / "kubernetes" / "nw-prod-eks.json")
    from_yaml = read_exports(target)
    assert _delegations(from_yaml) == _delegations(from_json)
    assert set(_grants(from_yaml)) == set(_grants(from_json))
    admin = [k for k in _grants(from_yaml) if k[3] == "ClusterRole cluster-admin"]
    assert admin
    assert admin[0][2] == "admin"


def test_truncated_json_names_line_and_says_truncated(tmp_path):
    broken = tmp_path / "auth.json"
    broken.write_text(AWS.read_text()[:5000])
    with pytest.raises(IngestError, match=r"auth.json, line \d+, column \d+: .*truncated"):
        parse_inventory(broken)


def test_wrong_export_for_a_forced_format(tmp_path):
    with pytest.raises(IngestError, match="is not AWS get-account-authorization-details.*Azure"):
        parse_inventory(
            SAMPLES / "azure" / "role-assignments.json", format="aws-authorization-details"
        )


def test_json_that_is_no_export_is_refused(tmp_path):
    other = tmp_path / "settings.json"
    other.write_text('{"theme": "dark"}')
    with pytest.raises(IngestError, match="not an identity export Assay reads"):
        parse_inventory(other)


def test_yaml_aliases_are_refused(tmp_path):
    bomb = tmp_path / "rbac.yaml"
    bomb.write_text("a: &x [1, 2]\nb: *x\n")
    with pytest.raises(IngestError, match=r"line \d+, column \d+: .*aliases .* are not accepted"):
        parse_inventory(bomb)


def test_huge_policy_is_reported_at_its_path_and_rejects_it(tmp_path):
    data = json.loads(AWS.read_text())
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    data["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"]["Statement"] = [
        statement
    ] * 600
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(data))
    inv = read_exports(path)
    error = next(p for p in inv.errors)
    assert error.path == "$.RoleDetailList[0].RolePolicyList[0].PolicyDocument"
    assert "600 statements" in error.reason
    assert str(error).startswith("auth.json, at $.RoleDetailList[0]")
    assert f"{A}role/payments-recon-agent" not in {r.key[0] for r in inv.records["identities"]}


@pytest.mark.parametrize(
    ("folder", "name", "edit", "needle"),
    [
        ("azure", "role-assignments.json", lambda d: d[0].pop("scope"), "principalId and a scope"),
        ("gcp", "project-iam-policy.json", lambda d: d["bindings"][0].pop("role"), "no role"),
        ("kubernetes", "nw-prod-eks.json", lambda d: d["items"][-1].pop("roleRef"), "roleRef"),
        ("azure", "service-principals.json", lambda d: d[0].pop("id"), "neither id"),
    ],
)
def test_malformed_element_is_reported_with_its_path(tmp_path, folder, name, edit, needle):
    copy = tmp_path / folder
    shutil.copytree(SAMPLES / folder, copy)
    data = json.loads((copy / name).read_text())
    edit(data)
    (copy / name).write_text(json.dumps(data))
    inv = read_exports(copy)
    errors = [p for p in inv.errors if needle in p.reason]
    assert errors
    assert errors[0].path.startswith("$")
    assert errors[0].file == name


def test_unknown_verbs_and_missing_policies_are_warnings_not_silence(tmp_path):
    data = json.loads(AWS.read_text())
    data["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"]["Statement"][0]["Action"] = [
        "bedrock:Frobnicate"
    ]
    path = tmp_path / "auth.json"
    path.write_text(json.dumps(data))
    reasons = [p.reason for p in read_exports(path).problems]
    assert any("bedrock:Frobnicate" in r and "read as write" in r for r in reasons)
    assert any("AWSSupportServiceRolePolicy" in r for r in reasons)


def test_admin_over_a_whole_scope_reaches_what_it_holds():
    inv = read_exports(SAMPLES / "gcp")
    inherited = [g for g in inv.records["grants"] if g.attributes.get("inherited_from")]
    assert {g.key[1] for g in inherited} == {
        "storage/projects/_/buckets/nw-cx-call-transcripts",
        "bigquery/projects/nw-cx-prod/datasets/support_cases",
    }
    assert all(
        g.key[2] == "admin" and g.key[3] == "roles/owner (via nw-cx-prod)"
        for g in inherited
        if g.key[0].startswith("cx-project-admin")
    )
    aws = read_exports(AWS)
    via_account = {g.key[1] for g in aws.records["grants"] if g.key[0].endswith("platform-admin")}
    assert "arn:aws:s3:::nw-payments-batch" in via_account


EACH_READER = [
    (AWS, "azure-role-assignments"),
    (SAMPLES / "azure" / "role-assignments.json", "gcp-iam-policy"),
    (SAMPLES / "gcp" / "service-accounts.json", "kubernetes-rbac"),
    (SAMPLES / "kubernetes" / "nw-prod-eks.json", "aws-authorization-details"),
]


@pytest.mark.parametrize(("sample", "other"), EACH_READER)
def test_every_reader_refuses_a_truncated_file_and_a_wrong_export(tmp_path, sample, other):
    cut = tmp_path / sample.name
    text = sample.read_text()
    cut.write_text(text[: len(text) * 2 // 3])
    with pytest.raises(IngestError, match=rf"{sample.name}, line \d+, column \d+: .*truncated"):
        parse_inventory(cut)
    with pytest.raises(IngestError, match=f"{sample.name} is not "):
        parse_inventory(sample, format=other)


def test_huge_kubernetes_role_and_azure_condition_stay_bounded(tmp_path):
    data = json.loads((SAMPLES / "kubernetes" / "nw-prod-eks.json").read_text())
    role = next(i for i in data["items"] if i["metadata"]["name"] == "pod-patcher")
    role["rules"] = [{"apiGroups": [""], "resources": [f"r{n}"], "verbs": ["get"]}
                     for n in range(20_000)]  # fmt: skip
    path = tmp_path / "nw-prod-eks.json"
    path.write_text(json.dumps(data))
    grant = next(g for g in read_exports(path).records["grants"] if g.key[3] == "Role pod-patcher")
    assert len(grant.attributes["rules"]) == 10
    assignments = json.loads((SAMPLES / "azure" / "role-assignments.json").read_text())
    assignments[1]["condition"] = "@Resource[name] StringEquals 'x' OR " * 50_000
    azure = tmp_path / "role-assignments.json"
    azure.write_text(json.dumps(assignments))
    conditional = [g for g in read_exports(azure).records["grants"] if g.values["conditional"]]
    assert len(conditional[0].attributes["conditions"][0]) <= 300


def test_an_unknown_role_is_reported_in_its_own_file_of_a_folder(tmp_path):
    copy = tmp_path / "azure"
    shutil.copytree(SAMPLES / "azure", copy)
    data = json.loads((copy / "role-assignments.json").read_text())
    data[5]["roleDefinitionName"] = "Frobnicator"
    (copy / "role-assignments.json").write_text(json.dumps(data))
    warning = next(p for p in read_exports(copy).problems if "Frobnicator" in p.reason)
    assert (warning.file, warning.path) == ("role-assignments.json", "$[5].roleDefinitionName")


def test_a_multi_document_yaml_stream_reads_as_one_list(tmp_path):
    data = json.loads((SAMPLES / "kubernetes" / "nw-prod-eks.json").read_text())
    stream = tmp_path / "nw-prod-eks.yaml"
    stream.write_text("".join("---\n" + yaml.safe_dump(item) for item in data["items"]))
    assert _delegations(read_exports(stream)) == _delegations(
        read_exports(SAMPLES / "kubernetes" / "nw-prod-eks.json")
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: ServiceAccount\n---\nkind: Role\nrules: [\n")
    with pytest.raises(IngestError, match=r"broken.yaml, line \d+"):
        parse_inventory(broken)


def test_folder_with_a_subfolder_per_platform_reads_them_all_and_names_skipped_files(tmp_path):
    estate = tmp_path / "estate"
    shutil.copytree(SAMPLES / "azure", estate / "azure")
    shutil.copy(AWS, estate / "aws.json")
    (estate / "notes.txt").write_text("handed over by the client")
    (estate / ".hidden").mkdir()
    (estate / ".hidden" / "junk.json").write_text("not json")
    inv = read_exports(estate)
    formats = {source[0] for source in inv.sources}
    assert {"source.aws-authorization-details", "source.azure-role-assignments"} <= formats
    assert "3f6a9d1e-2b7c-4e58-a0d4-9c1b7e2f5a60" in {r.key[0] for r in inv.records["identities"]}
    reasons = [p.reason for p in inv.problems]
    assert any("notes.txt is not JSON or YAML" in r for r in reasons)
    assert not any("junk" in r for r in reasons)


def test_a_bad_file_in_a_subfolder_is_named_by_its_path_there(tmp_path):
    estate = tmp_path / "estate"
    (estate / "gcp").mkdir(parents=True)
    (estate / "gcp" / "policy.json").write_text('{"bindings": [')
    with pytest.raises(IngestError, match=r"^gcp/policy\.json, line 1"):
        read_exports(estate)
