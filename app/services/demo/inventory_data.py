"""The demo client's inventory as canonical rows (the field names of the import template).

Northwind Mutual is a fictitious insurer with 25 AI systems of every autonomy level. The data
is deterministic for a given ``today`` and deliberately contains the identity problems Assay
finds: stale keys, a shared identity, a human's credential used by an agent, a deep delegation
chain to a production admin role, missing owners and revocation procedures.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

CLIENT = "Northwind Mutual Insurance (fictitious)"

#: Identities of the sample cloud exports (resources/samples/identity-exports) that systems use,
#: written as a client's register writes them: by role name, ARN, display name, object id,
#: e-mail or Kubernetes user name. The import links each to the exported identity.
EXPORTED_IDENTITIES: dict[str, tuple[str, ...]] = {
    "AIS-009": ("payments-recon-agent",),
    "AIS-025": ("arn:aws:iam::210987654321:role/release-deployer",),
    "AIS-001": ("claims-triage-agent",),
    "AIS-014": ("8d2c4b7a-5e1f-4a93-b6c0-1f7e9a3d2c58",),
    "AIS-004": ("cs-chatbot@nw-cx-prod.iam.gserviceaccount.com",),
    "AIS-024": ("system:serviceaccount:remediation:vuln-agent",),
}
SEED = 8596

# id, name, business unit, owner, provider/model, stage, env, autonomy, classification,
# exposure, tools
_SYSTEMS: tuple[tuple[str, ...], ...] = (
    (
        "AIS-001",
        "Claims triage agent",
        "Claims",
        "maria.okafor",
        "Azure OpenAI / gpt-4.1",
        "production",
        "production",
        "human-on-the-loop",
        "restricted",
        "internal",
        "claims-db;document-store;email-gateway",
    ),
    (
        "AIS-002",
        "Underwriting copilot",
        "Underwriting",
        "li.wei",
        "Anthropic / Claude",
        "production",
        "production",
        "human-in-the-loop",
        "confidential",
        "internal",
        "policy-db;pricing-api",
    ),
    (
        "AIS-003",
        "Fraud scoring model",
        "Claims",
        "maria.okafor",
        "in-house / gradient boosting",
        "production",
        "production",
        "advisory",
        "restricted",
        "internal",
        "",
    ),
    (
        "AIS-004",
        "Customer service chatbot",
        "Customer Care",
        "sam.jensen",
        "Google / Gemini",
        "production",
        "production",
        "human-on-the-loop",
        "confidential",
        "public",
        "policy-db;ticketing",
    ),
    (
        "AIS-005",
        "Developer code assistant",
        "IT",
        "",
        "GitHub / Copilot",
        "production",
        "development",
        "human-in-the-loop",
        "confidential",
        "internal",
        "code-repos",
    ),
    (
        "AIS-006",
        "CV screening assistant",
        "HR",
        "nora.haddad",
        "vendor / TalentRank",
        "pilot",
        "staging",
        "human-in-the-loop",
        "restricted",
        "partner",
        "hr-records",
    ),
    (
        "AIS-007",
        "Policy document summariser",
        "Operations",
        "li.wei",
        "Azure OpenAI / gpt-4.1-mini",
        "production",
        "production",
        "advisory",
        "confidential",
        "internal",
        "document-store",
    ),
    (
        "AIS-008",
        "SOC alert triage agent",
        "Security",
        "ivan.petrov",
        "in-house / Llama 3.1",
        "production",
        "production",
        "human-on-the-loop",
        "confidential",
        "internal",
        "siem;ticketing;edr-console",
    ),
    (
        "AIS-009",
        "Payment reconciliation agent",
        "Finance",
        "grace.mensah",
        "Anthropic / Claude",
        "production",
        "production",
        "autonomous",
        "restricted",
        "internal",
        "payments-api;ledger-db",
    ),
    (
        "AIS-010",
        "Marketing content generator",
        "Marketing",
        "tom.baker",
        "OpenAI / gpt-4o",
        "production",
        "production",
        "human-in-the-loop",
        "public",
        "public",
        "cms",
    ),
    (
        "AIS-011",
        "Contract review assistant",
        "Legal",
        "aisha.rahman",
        "vendor / LexReview",
        "production",
        "production",
        "advisory",
        "confidential",
        "internal",
        "document-store",
    ),
    (
        "AIS-012",
        "Motor pricing model",
        "Pricing",
        "li.wei",
        "in-house / GLM + XGBoost",
        "production",
        "production",
        "advisory",
        "confidential",
        "internal",
        "",
    ),
    (
        "AIS-013",
        "Call transcription and QA",
        "Customer Care",
        "sam.jensen",
        "vendor / SpeechOps",
        "production",
        "production",
        "advisory",
        "restricted",
        "internal",
        "call-recordings",
    ),
    (
        "AIS-014",
        "Knowledge search (RAG)",
        "Operations",
        "",
        "Azure OpenAI / embeddings",
        "production",
        "production",
        "advisory",
        "internal",
        "internal",
        "knowledge-base",
    ),
    (
        "AIS-015",
        "IT helpdesk agent",
        "IT",
        "ivan.petrov",
        "in-house / Mistral",
        "production",
        "production",
        "autonomous",
        "internal",
        "internal",
        "ticketing;directory;password-reset",
    ),
    (
        "AIS-016",
        "Data pipeline repair agent",
        "Data",
        "oscar.lind",
        "Anthropic / Claude",
        "pilot",
        "production",
        "autonomous",
        "confidential",
        "internal",
        "data-lake;k8s-prod;code-repos",
    ),
    (
        "AIS-017",
        "Procurement negotiation agent",
        "Procurement",
        "grace.mensah",
        "OpenAI / gpt-4o",
        "pilot",
        "staging",
        "human-on-the-loop",
        "confidential",
        "partner",
        "supplier-portal;email-gateway",
    ),
    (
        "AIS-018",
        "Phishing email classifier",
        "Security",
        "ivan.petrov",
        "in-house / BERT",
        "production",
        "production",
        "autonomous",
        "internal",
        "internal",
        "email-gateway",
    ),
    (
        "AIS-019",
        "Document translation service",
        "Operations",
        "li.wei",
        "vendor / TransAI",
        "production",
        "production",
        "advisory",
        "confidential",
        "partner",
        "document-store",
    ),
    (
        "AIS-020",
        "Reserving forecast model",
        "Actuarial",
        "hannah.kim",
        "in-house / Prophet",
        "production",
        "production",
        "advisory",
        "confidential",
        "internal",
        "",
    ),
    (
        "AIS-021",
        "Vehicle damage assessment",
        "Claims",
        "maria.okafor",
        "vendor / VisionClaims",
        "production",
        "production",
        "human-in-the-loop",
        "confidential",
        "partner",
        "claims-db;image-store",
    ),
    (
        "AIS-022",
        "Policy letter generator",
        "Operations",
        "",
        "OpenAI / gpt-4o-mini",
        "production",
        "production",
        "human-in-the-loop",
        "confidential",
        "internal",
        "policy-db;print-queue",
    ),
    (
        "AIS-023",
        "Broker portal assistant",
        "Distribution",
        "tom.baker",
        "Google / Gemini",
        "pilot",
        "staging",
        "human-on-the-loop",
        "confidential",
        "partner",
        "policy-db",
    ),
    (
        "AIS-024",
        "Vulnerability remediation agent",
        "Security",
        "ivan.petrov",
        "in-house / Llama 3.1",
        "pilot",
        "production",
        "autonomous",
        "confidential",
        "internal",
        "k8s-prod;code-repos;ticketing",
    ),
    (
        "AIS-025",
        "Release deployment agent",
        "IT",
        "oscar.lind",
        "Anthropic / Claude",
        "production",
        "production",
        "autonomous",
        "confidential",
        "internal",
        "k8s-prod;code-repos",
    ),
)

# id, name, kind, environment, sensitivity
_RESOURCES: tuple[tuple[str, str, str, str, str], ...] = (
    ("claims-db", "Claims database", "database", "production", "restricted"),
    ("policy-db", "Policy administration database", "database", "production", "confidential"),
    ("customer-lake", "Customer data lake", "data lake", "production", "restricted"),
    ("payments-api", "Payments API", "api", "production", "restricted"),
    ("ledger-db", "General ledger", "database", "production", "restricted"),
    ("hr-records", "HR records", "saas", "production", "restricted"),
    ("document-store", "Document store", "object storage", "production", "confidential"),
    ("email-gateway", "E-mail gateway", "api", "production", "confidential"),
    ("pricing-api", "Pricing engine API", "api", "production", "confidential"),
    ("ticketing", "Service desk", "saas", "production", "internal"),
    ("siem", "SIEM", "saas", "production", "confidential"),
    ("edr-console", "Endpoint response console", "saas", "production", "restricted"),
    ("cms", "Public website CMS", "saas", "production", "public"),
    ("code-repos", "Source code repositories", "saas", "production", "confidential"),
    ("call-recordings", "Call recordings", "object storage", "production", "restricted"),
    ("knowledge-base", "Internal knowledge base", "saas", "production", "internal"),
    ("directory", "Corporate directory", "directory", "production", "confidential"),
    ("password-reset", "Password reset service", "api", "production", "restricted"),
    ("data-lake", "Analytics data lake", "data lake", "production", "confidential"),
    ("k8s-prod", "Production Kubernetes cluster", "platform", "production", "restricted"),
    ("supplier-portal", "Supplier portal", "saas", "production", "confidential"),
    ("image-store", "Claim image store", "object storage", "production", "confidential"),
    ("print-queue", "Print and mail queue", "api", "production", "internal"),
)

_WRITE_TOOLS = {"ticketing", "email-gateway", "print-queue", "cms", "supplier-portal"}
_ADMIN_TOOLS = {"k8s-prod", "password-reset", "payments-api"}


@dataclass
class DemoInventory:
    """The demo's canonical inventory sheets (lists of row dicts)."""

    systems: list[dict[str, Any]] = field(default_factory=list)
    identities: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)
    grants: list[dict[str, Any]] = field(default_factory=list)
    delegations: list[dict[str, Any]] = field(default_factory=list)


def _email(handle: str) -> str:
    return f"{handle}@northwind-mutual.example" if handle else ""


def _person(handle: str) -> str:
    return handle.replace(".", " ").title() if handle else ""


def build_demo_inventory(today: dt.date) -> DemoInventory:
    """Return the demo inventory with dates relative to ``today``."""
    rng = random.Random(SEED)
    inv = DemoInventory()
    for rid, name, kind, env, sensitivity in _RESOURCES:
        inv.resources.append(
            {"id": rid, "name": name, "kind": kind, "environment": env, "sensitivity": sensitivity}
        )
    for spec in _SYSTEMS:
        _add_system(inv, spec, today, rng)
    _add_special_cases(inv, today)
    return inv


def _days_ago(today: dt.date, rng: random.Random, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rng.randint(low, high))


def _add_system(
    inv: DemoInventory, spec: tuple[str, ...], today: dt.date, rng: random.Random
) -> None:
    sid, name, unit, owner, provider_model, stage, env, autonomy, cls, exposure, tools = spec
    provider, _, model = provider_model.partition(" / ")
    slug = sid.lower().replace("-", "")
    identity_id = f"sa-{slug}"
    key_id = f"key-{slug}"
    inv.systems.append(
        {
            "id": sid,
            "name": name,
            "description": f"{name} used by {unit}.",
            "owner_name": _person(owner),
            "owner_email": _email(owner),
            "business_unit": unit,
            "provider": provider,
            "model": model,
            "lifecycle_stage": stage,
            "environment": env,
            "autonomy": autonomy,
            "data_classification": cls,
            "exposure": exposure,
            "tools": tools.replace(";", ", "),
            "identities": "; ".join([identity_id, key_id, *EXPORTED_IDENTITIES.get(sid, ())]),
            "tags": "demo",
            "review_due": today + dt.timedelta(days=rng.randint(-30, 180)),
        }
    )
    stale = rng.random() < 0.3
    inv.identities.append(
        {
            "id": identity_id,
            "name": f"{name} service account",
            "kind": "service-account",
            "provider": "Entra ID",
            "owner_email": _email(owner) if rng.random() < 0.85 else "",
            "systems": sid,
            "environment": env,
            "created": _days_ago(today, rng, 200, 900),
            "last_rotated": _days_ago(today, rng, 100, 400)
            if stale
            else _days_ago(today, rng, 5, 80),
            "last_used": _days_ago(today, rng, 0, 20),
            "expires": today + dt.timedelta(days=rng.randint(30, 300)),
            "revocation_procedure": ""
            if rng.random() < 0.2
            else "Disable in Entra ID; runbook RB-17",
        }
    )
    inv.identities.append(
        {
            "id": key_id,
            "name": f"{provider} API key for {name}",
            "kind": "api-key",
            "provider": provider,
            "owner_email": _email(owner),
            "systems": sid,
            "environment": env,
            "created": _days_ago(today, rng, 100, 700),
            "last_rotated": _days_ago(today, rng, 20, 500),
            "last_used": _days_ago(today, rng, 0, 5),
            "expires": None,
            "revocation_procedure": "Revoke in the provider console",
        }
    )
    for tool in filter(None, tools.split(";")):
        action = "admin" if tool in _ADMIN_TOOLS else "write" if tool in _WRITE_TOOLS else "read"
        if autonomy == "autonomous" and tool in {"ledger-db", "data-lake", "code-repos"}:
            action = "write"
        inv.grants.append(
            {
                "identity": identity_id,
                "resource": tool,
                "action": action,
                "scope": "*" if action == "admin" else f"{tool}/{slug}",
                "approval_required": autonomy == "human-in-the-loop",
                "logged": rng.random() < 0.8,
                "last_used": _days_ago(today, rng, 0, 120),
            }
        )


def _add_special_cases(inv: DemoInventory, today: dt.date) -> None:
    """Add the delegation chain, the shared identity and the human credential."""
    inv.identities.extend(
        [
            {
                "id": "role-platform-deployer",
                "name": "Platform deployer role",
                "kind": "role",
                "provider": "AWS IAM",
                "owner_email": _email("oscar.lind"),
                "systems": "",
                "environment": "production",
                "created": today - dt.timedelta(days=800),
                "last_rotated": None,
                "last_used": today - dt.timedelta(days=1),
                "expires": None,
                "revocation_procedure": "Detach trust policy; runbook RB-04",
            },
            {
                "id": "role-cluster-admin",
                "name": "Production cluster admin",
                "kind": "role",
                "provider": "Kubernetes RBAC",
                "owner_email": "",
                "systems": "",
                "environment": "production",
                "created": today - dt.timedelta(days=1200),
                "last_rotated": None,
                "last_used": today - dt.timedelta(days=2),
                "expires": None,
                "revocation_procedure": "",
            },
            {
                "id": "sa-shared-integration",
                "name": "Shared integration account",
                "kind": "service-account",
                "provider": "Entra ID",
                "owner_email": "",
                "systems": "AIS-007, AIS-011, AIS-019",
                "environment": "production",
                "created": today - dt.timedelta(days=1500),
                "last_rotated": today - dt.timedelta(days=700),
                "last_used": today - dt.timedelta(days=3),
                "expires": None,
                "revocation_procedure": "",
            },
            {
                "id": "user-oscar-lind",
                "name": "Oscar Lind (personal account)",
                "kind": "human-user",
                "provider": "Entra ID",
                "owner_email": _email("oscar.lind"),
                "systems": "AIS-016",
                "environment": "production",
                "created": today - dt.timedelta(days=2000),
                "last_rotated": today - dt.timedelta(days=60),
                "last_used": today - dt.timedelta(days=1),
                "expires": None,
                "revocation_procedure": "HR leaver process",
            },
            {
                "id": "key-legacy-ocr",
                "name": "Legacy OCR API key",
                "kind": "api-key",
                "provider": "vendor",
                "owner_email": "",
                "systems": "",
                "environment": "production",
                "created": today - dt.timedelta(days=1400),
                "last_rotated": today - dt.timedelta(days=1400),
                "last_used": today - dt.timedelta(days=400),
                "expires": today - dt.timedelta(days=30),
                "revocation_procedure": "",
            },
        ]
    )
    inv.grants.extend(
        [
            {
                "identity": "role-platform-deployer",
                "resource": "code-repos",
                "action": "write",
                "scope": "deploy/*",
                "approval_required": False,
                "logged": True,
                "last_used": today - dt.timedelta(days=1),
            },
            {
                "identity": "role-cluster-admin",
                "resource": "k8s-prod",
                "action": "admin",
                "scope": "*",
                "approval_required": False,
                "logged": True,
                "last_used": today - dt.timedelta(days=2),
            },
            {
                "identity": "role-cluster-admin",
                "resource": "customer-lake",
                "action": "read",
                "scope": "*",
                "approval_required": False,
                "logged": False,
                "last_used": today - dt.timedelta(days=40),
            },
            {
                "identity": "sa-shared-integration",
                "resource": "document-store",
                "action": "write",
                "scope": "*",
                "approval_required": False,
                "logged": False,
                "last_used": today - dt.timedelta(days=3),
            },
            {
                "identity": "user-oscar-lind",
                "resource": "data-lake",
                "action": "admin",
                "scope": "*",
                "approval_required": False,
                "logged": True,
                "last_used": today - dt.timedelta(days=1),
            },
            {
                "identity": "key-legacy-ocr",
                "resource": "image-store",
                "action": "read",
                "scope": "ocr/*",
                "approval_required": False,
                "logged": False,
                "last_used": today - dt.timedelta(days=400),
            },
        ]
    )
    inv.delegations.extend(
        [
            {
                "from_identity": "sa-ais025",
                "to_identity": "role-platform-deployer",
                "kind": "assume-role",
            },
            {
                "from_identity": "sa-ais024",
                "to_identity": "role-platform-deployer",
                "kind": "assume-role",
            },
            {
                "from_identity": "role-platform-deployer",
                "to_identity": "role-cluster-admin",
                "kind": "assume-role",
            },
            {
                "from_identity": "sa-ais016",
                "to_identity": "user-oscar-lind",
                "kind": "on-behalf-of",
            },
            {"from_identity": "sa-ais015", "to_identity": "sa-ais008", "kind": "impersonate"},
        ]
    )
