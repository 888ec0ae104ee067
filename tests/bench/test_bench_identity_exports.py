"""Import of generated identity exports: a 5,000-role AWS authorization-details export and a
50,000-assignment Azure role assignment list.

Prints the time of each stage (plan, apply); the aim is <= 10 s for each whole import, and
(as the identity-sources work asks) the benchmark fails when the aim is missed.
"""

from __future__ import annotations

import json
import random
import time

from app.services.inventory_import import apply_plan, plan_import
from app.services.workspace import open_workspace

AIM_SECONDS = 10.0
ROLES, ASSIGNMENTS = 5_000, 50_000
ACCOUNT = "210987654321"


def _statement(rng: random.Random, number: int) -> dict:
    verbs = [
        "s3:GetObject",
        "s3:PutObject",
        "dynamodb:Query",
        "dynamodb:PutItem",
        "lambda:InvokeFunction",
        "sqs:SendMessage",
        "kms:Decrypt",
        "logs:PutLogEvents",
    ]
    bucket = f"arn:aws:s3:::bucket-{rng.randrange(400)}/*"
    table = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/t{rng.randrange(400)}"
    statement = {"Effect": "Allow", "Action": rng.sample(verbs, 3), "Resource": [bucket, table]}
    if number % 7 == 0:
        statement["Condition"] = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}
    return statement


def aws_export(rng: random.Random) -> dict:
    """Return an export of ROLES roles, each with inline and managed policies and a trust."""
    policies = [
        {
            "PolicyName": f"shared-{n}",
            "Arn": f"arn:aws:iam::{ACCOUNT}:policy/shared-{n}",
            "DefaultVersionId": "v1",
            "PolicyVersionList": [
                {
                    "VersionId": "v1",
                    "IsDefaultVersion": True,
                    "Document": {"Statement": [_statement(rng, n) for _ in range(4)]},
                }
            ],
        }
        for n in range(50)
    ]
    roles = []
    for n in range(ROLES):
        caller = f"arn:aws:iam::{ACCOUNT}:role/role-{n - 1}" if n % 10 else "*"
        trust = {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": caller}
                    if caller != "*"
                    else {"Service": "lambda.amazonaws.com"},
                }
            ]
        }
        inline = {
            "Statement": [
                _statement(rng, n),
                _statement(rng, n + 1),
                {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
            ]
        }
        roles.append(
            {
                "RoleName": f"role-{n}",
                "RoleId": f"AROA{n:016}",
                "Arn": f"arn:aws:iam::{ACCOUNT}:role/role-{n}",
                "CreateDate": "2024-01-01T00:00:00Z",
                "AssumeRolePolicyDocument": trust,
                "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": inline}],
                "AttachedManagedPolicies": [
                    {"PolicyArn": f"arn:aws:iam::{ACCOUNT}:policy/shared-{n % 50}"}
                ],
                "RoleLastUsed": {"LastUsedDate": "2026-11-01T00:00:00Z"},
            }
        )
    return {
        "RoleDetailList": roles,
        "Policies": policies,
        "UserDetailList": [],
        "GroupDetailList": [],
    }


def azure_export(rng: random.Random) -> list:
    """Return ASSIGNMENTS role assignments over 5,000 principals and 3,000 scopes."""
    sub = "/subscriptions/5b8f3c2e-91d4-4a7b-8e6f-0c2a1d9e4b73"
    roles = [
        "Reader",
        "Contributor",
        "Owner",
        "Storage Blob Data Reader",
        "Key Vault Secrets User",
        "Cognitive Services OpenAI User",
    ]
    out = []
    for n in range(ASSIGNMENTS):
        principal = f"{rng.randrange(5000):08x}-0000-4000-8000-000000000000"
        scope = f"{sub}/resourceGroups/rg-{rng.randrange(300)}"
        if n % 3:
            scope += f"/providers/Microsoft.Storage/storageAccounts/st{rng.randrange(10)}"
        out.append(
            {
                "principalId": principal,
                "principalName": principal,
                "principalType": "ServicePrincipal",
                "roleDefinitionName": roles[n % len(roles)],
                "scope": scope,
                "name": f"{n:08x}-1111-4000-8000-000000000000",
                "condition": None if n % 11 else "@Resource[name] StringEquals 'x'",
            }
        )
    return out


def _import(tmp_path, name: str, data) -> float:
    path = tmp_path / name
    path.write_text(json.dumps(data))
    ws = open_workspace(tmp_path / f"{name}.assay", actor="bench")
    try:
        start = time.perf_counter()
        plan = plan_import(ws, path)
        planned = time.perf_counter()
        apply_plan(ws, plan, valid_only=True)
        done = time.perf_counter()
    finally:
        ws.close()
    counts = {e: len(r) for e, r in plan.resolved.records.items() if r}
    print(
        f"\n{name}: plan {planned - start:.2f} s, apply {done - planned:.2f} s, "
        f"total {done - start:.2f} s (aim <= {AIM_SECONDS:.0f} s); {counts}"
    )
    return done - start


def test_bench_aws_5000_roles(tmp_path):
    seconds = _import(tmp_path, "aws-auth-5000.json", aws_export(random.Random(5)))
    assert seconds <= AIM_SECONDS, f"5,000-role AWS export took {seconds:.1f} s"


def test_bench_azure_50000_assignments(tmp_path):
    seconds = _import(tmp_path, "azure-ra-50000.json", azure_export(random.Random(6)))
    assert seconds <= AIM_SECONDS, f"50,000-assignment Azure export took {seconds:.1f} s"
